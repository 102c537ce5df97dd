"""Staff and panel accounts: sign-in with two-factor codes, passwords, throttling, user admin."""

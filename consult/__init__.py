"""The platform core that every other package may use.

It owns settings, the database (engine, models' base, migrations, the shared key-value store that
holds sessions and throttling counters), staff accounts with roles and two-factor sign-in, the one
permissions table, the audit log, consultations (lifecycle, data-protection fields, support
directory, safety settings), the quick-exit clearing route, the error tree, base templates and the
command line (`python -m consult`).
"""

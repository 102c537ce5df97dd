"""panels package."""

"""Importing responses gathered elsewhere (CSV or XLSX)."""

"""Reusable widgets: each has its own DEFAULT_CSS so it looks right wherever it is mounted."""

"""The Textual wizard: screens over the core in `state/`; it never parses PEM or writes files."""

"""Searching everything on the device: the query language and the snippets (pure)."""

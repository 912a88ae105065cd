"""Knowledge base: search index, templates, red lines, import."""

"""The formats a service report is written in (`lead.reports` writes them).

A module of its own so that `cs-console --help` lists them without loading the report
builder and the KPIs behind it.
"""

FORMATS = ("md", "csv", "html", "json")

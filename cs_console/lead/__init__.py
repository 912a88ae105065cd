"""The team lead's work: KPIs, periods and reports, Erlang C staffing, routing, the team board and sentiment."""

"""The 1-3-7 follow-up clocks: policies, business calendars, and the replay of a ticket's events into clock states."""

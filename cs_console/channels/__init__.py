"""How customers reach the desk: phone numbers as the caller lookup and the intake API
compare them. Pure: no database, no network, no Textual."""

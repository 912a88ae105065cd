"""The ways a customer reaches the team and is answered: mail in and out, and phone numbers
as the caller lookup and the intake API compare them.

Pure: messages in, values out. No database, no network, no Textual; the server's mail
workers (`cs_console.server.mail_in`, `cs_console.server.mail_out`) do the fetching,
storing and sending around these functions.
"""

"""The central sync server: accounts, access scope, merging operations, the change log,
and the intake API.

`db` opens SQLite or PostgreSQL and holds the server-only tables, `accounts` the tokens,
`scope` who may see and change what, `merge` applies a device's operations, `changes`
logs every change under a global number and reads pages of them back, `integrations`
holds the intake API's tokens, `intake` files what they send (`intake_api` over HTTP), and
`app` is the ASGI application. App processes keep no state of their own, so several can serve one
database.
"""

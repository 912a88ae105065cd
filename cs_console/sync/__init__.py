"""Offline-first sync between a device's local store and the central server.

`schema` says what the synced rows look like, `codec` turns messages into bytes,
`protocol` defines the messages and errors both sides speak, `cycle` runs one sync over
any transport, and `client` is the HTTP side with the login settings. The server lives in
`cs_console.server`.
"""

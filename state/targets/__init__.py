"""Targets: applying a database's TLS settings to a live server and proving them.

`redis_plan` maps one database and its cluster to redis-server CONFIG values (pure),
`redis_apply` applies such a plan safely over an admin connection, and `verify` checks a
running server with real handshakes. redis-py is imported inside the functions that talk
to a server, so importing this package stays cheap.
"""

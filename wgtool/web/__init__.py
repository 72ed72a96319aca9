"""The terminal UI served to web browsers (``wgtool serve``), guarded like a terminal.

:mod:`.access` decides who may reach it (the server's own Host and Origin, tokens, expiring
sessions) without any web library; :mod:`.server` wires that into textual-serve's aiohttp server,
which starts one UI process per browser connection, acting as that connection's member. Only
the serve command imports this package, so other commands never load aiohttp.
"""

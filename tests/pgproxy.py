"""A TCP relay between the bot and PostgreSQL that a test can cut, as a server restart does.

`cut()` drops every open connection (what a restarting server does to its clients) and turns
new ones away until `restore()`: the bot meets the outage exactly where it would, on its
next statement, with no timing involved.
"""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import urlsplit, urlunsplit


class PostgresRelay:
    """Listens on 127.0.0.1 and relays to the server of `url`."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.url = url
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 5432)
        self.server: asyncio.Server | None = None
        self.links: set[asyncio.StreamWriter] = set()
        self.down = False
        self.refused = 0  # connections turned away while cut

    async def __aenter__(self) -> PostgresRelay:
        self.server = await asyncio.start_server(self._link, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        self.cut()
        await self.server.wait_closed()

    @property
    def relayed_url(self) -> str:
        """The same database, reached through the relay."""
        assert self.server is not None
        port = self.server.sockets[0].getsockname()[1]
        parts = urlsplit(self.url)
        return urlunsplit(parts._replace(netloc=f"127.0.0.1:{port}"))

    def cut(self) -> None:
        """Drop every connection and refuse new ones."""
        self.down = True
        for writer in list(self.links):
            writer.transport.abort()
        self.links.clear()

    def restore(self) -> None:
        """Let connections through again."""
        self.down = False

    async def _link(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.down:
            self.refused += 1
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.transport.abort()
            return
        self.links.update((writer, up_writer))
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        self.links.difference_update((writer, up_writer))


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError, asyncio.IncompleteReadError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.transport.abort()

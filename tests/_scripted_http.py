"""A scripted HTTP server for transport tests: a real asyncio server on loopback that answers each request
with exact bytes (``scripted(answer(raw))``), for the framings, versions and misbehaviours a transport
must survive. It runs on the test's own event loop; what it saw is in :class:`Scripted`."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

Reply = Callable[[asyncio.StreamWriter, int], Awaitable[bool]]  # (writer, request index) -> keep serving?


@dataclass
class Scripted:
    """What the scripted server saw: request heads and bodies, connections opened and closed."""

    port: int = 0
    heads: list[str] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)
    opened: int = 0
    closed: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"


@contextlib.asynccontextmanager
async def scripted(reply: Reply, host: str = "127.0.0.1") -> AsyncIterator[Scripted]:
    state = Scripted()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        state.opened += 1
        try:
            while True:
                try:
                    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                length = next(
                    (
                        int(x.split(":")[1])
                        for x in head.split("\r\n")
                        if x.lower().startswith("content-length:")
                    ),
                    0,
                )
                state.heads.append(head)
                state.bodies.append(await reader.readexactly(length))
                if not await reply(writer, len(state.heads) - 1):
                    return
        finally:
            state.closed += 1
            writer.close()

    server = await asyncio.start_server(handle, host, 0)
    state.port = server.sockets[0].getsockname()[1]
    try:
        yield state
    finally:
        server.close()


def answer(*parts: bytes, keep: bool = True, pause: float = 0.0) -> Reply:
    """Write ``parts`` one by one (``pause`` between them), then keep the connection or close it."""

    async def reply(writer: asyncio.StreamWriter, index: int) -> bool:
        for part in parts:
            writer.write(part)
            await writer.drain()
            if pause:
                await asyncio.sleep(pause)
        return keep

    return reply


def ok(body: bytes, *headers: str) -> bytes:
    extra = "".join(f"{h}\r\n" for h in headers)
    return f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n{extra}\r\n".encode() + body

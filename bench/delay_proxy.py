"""A loopback TCP proxy that delays every byte a fixed time each way: a staging server across a network.

`python -m bench.delay_proxy LISTEN_PORT UPSTREAM_PORT MILLISECONDS`. Each chunk read from one side is
written to the other MILLISECONDS after it arrived, in order, whatever else is in flight: latency,
not a bandwidth limit. A new connection costs one round trip more (the TCP handshake across the
link). Both ends are 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import sys
from contextlib import suppress

HOST = "127.0.0.1"


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float) -> None:
    """Copy `reader` to `writer`, each chunk `delay` seconds after it was read."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

    async def deliver() -> None:
        while True:
            due, chunk = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if not chunk:  # the other side closed: so does this one, as late as its data
                with suppress(OSError):
                    writer.write_eof()
                return
            writer.write(chunk)
            await writer.drain()

    delivering = asyncio.create_task(deliver())
    try:
        while True:
            chunk = await reader.read(65536)
            queue.put_nowait((loop.time() + delay, chunk))
            if not chunk:
                break
        await delivering
    except (ConnectionError, OSError):
        delivering.cancel()


async def serve(listen_port: int, upstream_port: int, delay: float) -> None:
    async def connection(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            await asyncio.sleep(2 * delay)  # the handshake's round trip
            upstream_reader, upstream_writer = await asyncio.open_connection(HOST, upstream_port)
        except OSError:
            client_writer.close()
            return
        try:
            await asyncio.gather(
                _pipe(client_reader, upstream_writer, delay), _pipe(upstream_reader, client_writer, delay)
            )
        finally:
            for writer in (client_writer, upstream_writer):
                writer.close()

    server = await asyncio.start_server(connection, HOST, listen_port)
    async with server:
        await server.serve_forever()


def main() -> None:
    listen_port, upstream_port, milliseconds = (int(arg) for arg in sys.argv[1:4])
    with suppress(KeyboardInterrupt):
        asyncio.run(serve(listen_port, upstream_port, milliseconds / 1000))


if __name__ == "__main__":
    main()

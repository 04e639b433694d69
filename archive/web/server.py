"""Serving the web UI with waitress: a production WSGI server, threaded and pure Python."""
from __future__ import annotations

import ctypes
import threading

from flask import Flask
from waitress.server import create_server

from ..index.analysis import warm_up


# glibc's mallopt parameters (malloc.h)
_M_MMAP_THRESHOLD, _M_ARENA_MAX = -3, -8
# Searches decode posting lists into arrays of a few hundred KB to tens of MB. By default glibc raises its mmap
# threshold to the largest block freed, after which such arrays come from heap arenas that keep the memory
# once freed, and each of the server's threads gets an arena of its own. Measured at 300,000 statements after
# 300 distinct results pages: 492 MB resident by default, 355 MB with a fixed 256 KiB threshold and two arenas,
# at the same speed.
_MMAP_THRESHOLD = 256 * 1024
_ARENAS = 2


def _bound_malloc() -> None:
    """Keep large freed arrays returned to the system, and few arenas (glibc only; elsewhere nothing)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)
        libc.mallopt(_M_ARENA_MAX, _ARENAS)
    except (OSError, AttributeError):
        pass


def serve(app: Flask, host: str = "127.0.0.1", port: int = 8000, threads: int = 8, base_url: str | None = None):
    """Serve until interrupted (waitress shuts down cleanly on Ctrl-C).

    Port 0 picks a free port, so the address is printed after binding: the first line names the real one.
    Absolute URLs (feeds, citations) use `base_url`, by default the first address bound.
    """
    _bound_malloc()  # before waitress starts its threads: arenas are made per thread as they first allocate
    server = create_server(app, host=host, port=port, threads=threads, ident="policy-archive")
    # a name such as localhost can resolve to both IPv4 and IPv6, and waitress then binds one socket per address
    listening = getattr(server, "effective_listen", None) or [(server.effective_host, server.effective_port)]
    addresses = [f"http://{f'[{addr}]' if ':' in addr else addr}:{bound_port}" for addr, bound_port in listening]
    app.config["BASE_URL"] = base_url or addresses[0]
    for address in addresses:
        print(f"Serving on {address}", flush=True)
    # beside the first requests, not before them: jieba's own lock makes an early Chinese query wait for it
    threading.Thread(target=warm_up, name="warm-up", daemon=True).start()
    server.run()

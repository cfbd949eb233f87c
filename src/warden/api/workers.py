"""`warden serve --workers N`: N uvicorn workers, each listening on its own SO_REUSEPORT socket.

uvicorn's own `workers=N` shares one listening socket, and the worker that wakes first accepts every connection
waiting on it (asyncio accepts up to the backlog per wake-up): a client that opens a pool of keep-alive
connections at once lands mostly on one worker. With a socket per worker bound with SO_REUSEPORT on the same
host:port, the kernel hashes each new connection to one of the listening sockets, so they spread evenly.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import sys
from dataclasses import dataclass
from multiprocessing.connection import wait
from multiprocessing.context import SpawnProcess
from multiprocessing.synchronize import Event
from typing import Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE

APP = "warden.api.app:create_app"
GRACEFUL_SHUTDOWN_SECONDS = 10  # requests in flight at a SIGTERM get this long to finish

logger = logging.getLogger("uvicorn.error")
_spawn = multiprocessing.get_context("spawn")  # a fresh interpreter per worker: no state forked from the parent


def reuse_port_supported() -> bool:
    """SO_REUSEPORT exists on Linux and the BSDs (macOS included), not on Windows."""
    return hasattr(socket, "SO_REUSEPORT")


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _claim_port(host: str, port: int) -> int:
    """Check that nothing listens on host:port; the port (the kernel's pick for 0, which every worker then uses).

    The probe binds without SO_REUSEPORT, so it fails on any listener there, including another `warden serve`,
    whose reuse-port sockets ours would otherwise join silently and share connections with.
    """
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
        return int(probe.getsockname()[1])


def _reuse_port_socket(host: str, port: int) -> socket.socket:
    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # rebind over connections left in TIME_WAIT
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)  # each worker binds host:port; the kernel spreads
    sock.bind((host, port))  # uvicorn calls listen() on it (with the configured backlog) when it starts serving
    return sock


class _Server(uvicorn.Server):
    """Sets `ready` once it serves, so that the parent can tell a startup failure from a later crash."""

    def __init__(self, config: uvicorn.Config, ready: Event) -> None:
        super().__init__(config)
        self._ready = ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self._ready.set()


def _serve_one(host: str, port: int, options: dict[str, Any], ready: Event) -> None:
    """One worker process: its own socket, then the app served as `uvicorn.run` serves it."""
    try:
        # Config sets up uvicorn's logging in this process; Server.run loads the app and runs its lifespan
        config = uvicorn.Config(APP, factory=True, host=host, port=port, **options)
        try:
            sock = _reuse_port_socket(host, port)
        except OSError as exc:
            logger.error("Worker [%d] cannot bind %s:%d: %s", os.getpid(), host, port, exc)
            sys.exit(STARTUP_FAILURE)
        _Server(config, ready).run(sockets=[sock])
    except KeyboardInterrupt:  # Ctrl+C reaches the whole process group; the parent reports the stop
        pass


@dataclass
class _Worker:
    process: SpawnProcess
    ready: Event

    @classmethod
    def start(cls, host: str, port: int, options: dict[str, Any]) -> _Worker:
        ready = _spawn.Event()
        process = _spawn.Process(target=_serve_one, args=(host, port, options, ready), name="warden-worker")
        process.start()
        return cls(process, ready)

    def send(self, sig: int) -> None:
        if self.process.is_alive() and self.process.pid is not None:
            os.kill(self.process.pid, sig)


def run_workers(workers: int, host: str, port: int, **options: Any) -> int:
    """Serve the app with `workers` processes until SIGINT or SIGTERM; the exit status.

    `options` are uvicorn.Config's (log_level, access_log, ...). A worker that dies after it served is replaced;
    one that dies before (the app fails to import, the port is taken) stops them all, with STARTUP_FAILURE,
    since a new one would fail the same way.
    """
    # One SIGTERM stops the server: each worker drains its requests, and after this long closes what is left.
    options.setdefault("timeout_graceful_shutdown", GRACEFUL_SHUTDOWN_SECONDS)
    uvicorn.Config(APP, factory=True, host=host, port=port, **options)  # the parent logs as the workers do
    try:
        port = _claim_port(host, port)
    except OSError as exc:
        logger.error("Cannot serve on %s:%d: %s", host, port, exc)
        return STARTUP_FAILURE

    # The handler only notes the signal: the loop below acts on it, so it never races a worker's restart.
    received: list[int] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda signum, _frame: received.append(signum))

    logger.info("Started parent process [%d]", os.getpid())
    pool = [_Worker.start(host, port, options) for _ in range(workers)]
    logger.info(
        "Uvicorn running on http://%s:%d with %d workers, each on its own SO_REUSEPORT socket (Press CTRL+C to quit)",
        host,
        port,
        workers,
    )
    forwarded, status = 0, 0
    while (running := [w for w in pool if w.process.is_alive()]) or not forwarded:
        wait([w.process.sentinel for w in running], timeout=0.25)
        while forwarded < len(received):
            # The first stop is graceful (SIGTERM, even for a SIGINT: Ctrl+C already sent the workers one, and
            # uvicorn takes a second SIGINT as "exit now"); a second signal to the parent forces that exit.
            forward = signal.SIGTERM if forwarded == 0 else signal.SIGINT
            forwarded += 1
            for worker in pool:
                worker.send(forward)
        if forwarded:
            continue  # stopping: wait for the workers, start none
        for i, worker in enumerate(pool):
            if worker.process.exitcode is None:
                continue
            if not worker.ready.is_set():
                logger.error(
                    "Worker [%d] failed to start (exit code %s), see above; stopping all workers",
                    worker.process.pid,
                    worker.process.exitcode,
                )
                status = STARTUP_FAILURE
                received.append(signal.SIGTERM)
                break
            logger.warning(
                "Worker [%d] died (exit code %s); starting a new one", worker.process.pid, worker.process.exitcode
            )
            worker.process.close()
            pool[i] = _Worker.start(host, port, options)
    logger.info("Stopping parent process [%d]", os.getpid())
    return status

"""`warden serve --workers N` in a subprocess on a free port, over a given store (and Redis), with a key."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from warden.access.api_keys import create_api_key
from warden.settings import Settings
from warden.store.db import open_store


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    url: str
    key: str
    log: Path

    def kill(self) -> None:
        """kill -9 the parent and every worker (the whole process group): a power cut, as far as they know."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)


def server_environment(
    data_dir: Path, database_url: str | None = None, redis_url: str | None = None, extra: dict[str, str] | None = None
) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WARDEN_")}
    environment["WARDEN_DATA_DIR"] = str(data_dir)
    environment["PYTHONPATH"] = os.environ.get("PYTHONPATH", "")
    if database_url:
        environment["WARDEN_DATABASE_URL"] = database_url
    if redis_url:
        environment["WARDEN_REDIS_URL"] = redis_url
    return environment | (extra or {})


def make_key(data_dir: Path, database_url: str | None = None) -> str:
    store = open_store(Settings(data_dir=data_dir), url=database_url)
    try:
        with store.engine.begin() as conn:
            _, secret = create_api_key(conn, "test-backend", {"decisions"}, actor="test")
        return secret
    finally:
        store.dispose()


def start(
    data_dir: Path,
    workers: int = 2,
    database_url: str | None = None,
    redis_url: str | None = None,
    key: str = "",
    extra: dict[str, str] | None = None,
) -> Served:
    data_dir.mkdir(parents=True, exist_ok=True)
    key = key or make_key(data_dir, database_url)
    port = free_port()
    log = data_dir / f"serve-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "warden.cli", "serve", "--workers", str(workers), "--port", str(port)],
            env=server_environment(data_dir, database_url, redis_url, extra),
            stdout=out,
            stderr=out,
            start_new_session=True,  # its own process group, so a kill reaches the workers too
        )
    served = Served(process, f"http://127.0.0.1:{port}", key, log)
    deadline = time.monotonic() + 120
    pids: set[int] = set()
    while len(pids) < workers:  # every worker has built its engine and answers
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the server did not start: {log.read_text()[-3000:]}")
        try:
            with httpx.Client(timeout=2) as client:  # a new connection each time: another worker may take it
                pids.add(client.get(f"{served.url}/healthz").json()["worker_pid"])
        except httpx.HTTPError:
            time.sleep(0.2)
    return served


@contextmanager
def serving(
    data_dir: Path,
    workers: int = 2,
    database_url: str | None = None,
    redis_url: str | None = None,
    extra: dict[str, str] | None = None,
) -> Iterator[Served]:
    served = start(data_dir, workers, database_url, redis_url, extra=extra)
    try:
        yield served
    finally:
        if served.process.poll() is None:
            served.kill()

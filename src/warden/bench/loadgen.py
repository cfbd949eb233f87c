"""A small HTTP/1.1 load generator: keep-alive connections on raw asyncio streams, so that the generator
spends far less CPU per request than the server it measures (httpx costs several times more)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

BodyFor = Callable[[int], bytes]


@dataclass
class LoadResult:
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    def rate(self) -> float:
        return round(self.requests / self.seconds, 1) if self.seconds else 0.0

    def merged(self, other: LoadResult) -> LoadResult:
        """Two runs of the same load as one (requests, time and latencies added up)."""
        statuses = dict(self.statuses)
        for status, n in other.statuses.items():
            statuses[status] = statuses.get(status, 0) + n
        return LoadResult(
            self.requests + other.requests,
            self.errors + other.errors,
            self.seconds + other.seconds,
            self.latencies_ms + other.latencies_ms,
            statuses,
        )

    def summary(self) -> dict[str, Any]:
        lat = np.array(self.latencies_ms) if self.latencies_ms else np.array([0.0])
        return {
            "requests": self.requests,
            "errors": self.errors,
            "seconds": round(self.seconds, 3),
            "throughput_per_s": self.rate(),
            "p50_ms": round(float(np.percentile(lat, 50)), 3),
            "p99_ms": round(float(np.percentile(lat, 99)), 3),
            "max_ms": round(float(lat.max()), 3),
            "statuses": self.statuses,
        }


def _request(host: str, port: int, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    head = [
        f"POST {path} HTTP/1.1",
        f"Host: {host}:{port}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
    ]
    head += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
            break
    if length:
        await reader.readexactly(length)
    return status


async def _worker(
    host: str,
    port: int,
    path: str,
    headers: dict[str, str],
    body_for: BodyFor,
    counter: list[int],
    total: int,
    stop_at: float,
    result: LoadResult,
    ok: set[int],
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < stop_at:
            index = counter[0]
            if index >= total:
                return
            counter[0] += 1
            started = time.perf_counter()
            writer.write(_request(host, port, path, body_for(index), headers))
            try:
                status = await _read_response(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                result.errors += 1
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            result.latencies_ms.append((time.perf_counter() - started) * 1000)
            result.requests += 1
            result.statuses[status] = result.statuses.get(status, 0) + 1
            if status not in ok:
                result.errors += 1
    finally:
        writer.close()


async def drive(
    host: str,
    port: int,
    path: str,
    body_for: BodyFor,
    *,
    seconds: float,
    connections: int,
    headers: dict[str, str] | None = None,
    max_requests: int = 10**9,
    ok: set[int] | None = None,
) -> LoadResult:
    """Send requests on `connections` keep-alive connections for `seconds` (or `max_requests`)."""
    result = LoadResult()
    counter = [0]
    started = time.perf_counter()
    stop_at = started + seconds
    await asyncio.gather(
        *(
            _worker(host, port, path, headers or {}, body_for, counter, max_requests, stop_at, result, ok or {200, 201})
            for _ in range(connections)
        )
    )
    result.seconds = time.perf_counter() - started
    return result

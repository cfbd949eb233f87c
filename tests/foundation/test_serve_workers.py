"""`warden serve --workers 2`: each worker listens on its own SO_REUSEPORT socket, so a pool of keep-alive
connections opened at once spreads over both; SIGTERM stops them all; a taken port fails at once, clearly."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    sys.platform != "linux", reason="SO_REUSEPORT spreading and /proc (to find the workers) are Linux's"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve_command(port: int) -> list[str]:
    return [sys.executable, "-m", "warden.cli", "serve", "--workers", "2", "--port", str(port)]


def _environment(tmp_path: Path) -> dict[str, str]:
    environment = os.environ | {"WARDEN_DATA_DIR": str(tmp_path / "data")}
    environment.pop("WARDEN_DATABASE_URL", None)
    return environment


def _worker_pid(sock: socket.socket) -> int:
    """GET /healthz on a keep-alive connection; the pid of the worker that answered."""
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError(f"the server closed the connection after {data!r}")
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    length = next(
        int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += sock.recv(4096)
    return int(json.loads(body)["worker_pid"])


def _stat(pid: int) -> list[str] | None:
    """/proc/PID/stat after the command name: [state, ppid, ...]; None once the process is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _children(parent: int) -> set[int]:
    return {int(p.name) for p in Path("/proc").glob("[0-9]*") if (s := _stat(int(p.name))) and s[1] == str(parent)}


def _running(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z"  # a zombie has ended; only its exit status waits to be read


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int, set[int]]]:
    """`warden serve --workers 2` with both workers answering: the process, its port, the workers' pids."""
    port, log = _free_port(), tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(_serve_command(port), env=_environment(tmp_path), stdout=out, stderr=out)
    children: set[int] = set()
    try:
        workers: set[int] = set()
        deadline = time.monotonic() + 60
        while len(workers) < 2:  # each new connection is hashed to a listening worker, so both show up soon
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"warden serve did not start both workers (exit {server.poll()}):\n{log.read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                    pid = _worker_pid(sock)
            except OSError:
                time.sleep(0.1)
                continue
            children = _children(server.pid)
            assert pid in children, f"pid {pid} on port {port} is no worker of warden serve (another server?)"
            workers.add(pid)
        yield server, port, workers
    finally:
        if server.poll() is None:
            children |= _children(server.pid)
        for pid in {server.pid} | children:  # whatever a failed test left running
            if _running(pid):
                os.kill(pid, signal.SIGKILL)
        server.wait(timeout=10)


def test_a_pool_of_keep_alive_connections_spreads_over_both_workers(
    served: tuple[subprocess.Popen[bytes], int, set[int]],
) -> None:
    _, port, workers = served
    # opened all at once, as an HTTP client's pool does: with one shared listening socket, the worker that woke
    # first accepted most or all of them (measured: more than 28 of 32 in 7 and 15 of 20 rounds, in two runs)
    pool = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(32)]
    try:
        first = [_worker_pid(sock) for sock in pool]
        again = [_worker_pid(sock) for sock in pool]
    finally:
        for sock in pool:
            sock.close()
    assert again == first  # a keep-alive connection stays with its worker
    counts = Counter(first)
    assert set(counts) == workers
    # the kernel hashes each connection to either socket, p = 1/2: one worker gets more than 28 of 32 with
    # probability 2 * P(Binomial(32, 1/2) <= 3) = 2 * 5489 / 2**32, about 2.6e-6, so this practically never fails
    assert max(counts.values()) <= 28, counts


def test_sigterm_to_the_parent_stops_every_worker(served: tuple[subprocess.Popen[bytes], int, set[int]]) -> None:
    server, _, workers = served
    children = _children(server.pid)
    assert workers <= children
    server.send_signal(signal.SIGTERM)
    assert server.wait(timeout=10) == 0
    deadline = time.monotonic() + 5
    while (left := {pid for pid in children if _running(pid)}) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not left, f"processes of warden serve still running after it exited: {left}"


def test_a_taken_port_stops_warden_serve_at_once_with_the_reason(tmp_path: Path) -> None:
    with socket.socket() as taken:  # a listener without SO_REUSEPORT, e.g. another server
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            _serve_command(port), env=_environment(tmp_path), capture_output=True, text=True, timeout=60
        )
    assert result.returncode == 3, result.stderr  # uvicorn's STARTUP_FAILURE, not a restart loop
    assert f"Cannot serve on 127.0.0.1:{port}: [Errno 98] Address already in use" in result.stderr

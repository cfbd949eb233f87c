#!/usr/bin/env python3
"""Warden's two quick-start commands, needing nothing but Python >= 3.11:

    python3 dev.py demo     # create .venv, install the locked dependencies, run `warden demo`
    python3 dev.py test     # same set-up, then the whole test suite

`python3 dev.py check` runs the linters (ruff, mypy) and the layer contract (import-linter); `python3 dev.py lock` refreshes requirements.lock.
Extra arguments are passed on (`python3 dev.py demo --customers 500`, `python3 dev.py test -k audit`).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
LOCK = ROOT / "requirements.lock"
STAMP = VENV / ".installed"


def run(*cmd: str | Path, env: dict[str, str] | None = None) -> None:
    result = subprocess.run([str(c) for c in cmd], cwd=ROOT, env=env)
    if result.returncode != 0:
        sys.exit(result.returncode)


def setup() -> None:
    """Create the virtual environment and install the locked dependencies (only when they changed)."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs before anything checks the version
        sys.exit(f"Warden needs Python >= 3.11; this is {sys.version.split()[0]}")
    if not (BIN / "python").exists():
        print("creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    wanted = hashlib.sha256(LOCK.read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    print("installing locked dependencies into .venv (first run takes a few minutes) ...", flush=True)
    pip = [BIN / "python", "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    run(*pip, "-r", LOCK)
    run(*pip, "--no-deps", "-e", ".")
    STAMP.write_text(wanted)


def main(argv: list[str]) -> None:
    command, extra = (argv[0], argv[1:]) if argv else ("help", [])
    if command == "demo":
        setup()
        run(BIN / "warden", "demo", *extra)
    elif command == "test":
        setup()
        run(BIN / "python", "-m", "pytest", "-n", "2", "--dist", "loadfile", *extra)
    elif command == "check":
        setup()
        run(BIN / "ruff", "check", "src", "tests", "dev.py")
        run(BIN / "ruff", "format", "--check", "src", "tests", "dev.py")
        run(BIN / "mypy")
        run(BIN / "lint-imports")  # the layers (pyproject.toml [tool.importlinter])
    elif command == "lock":
        frozen = subprocess.run(
            [BIN / "python", "-m", "pip", "freeze", "--exclude-editable"], capture_output=True, text=True, check=True
        ).stdout
        lines = [line for line in frozen.splitlines() if not line.startswith(("warden", "-e "))]
        LOCK.write_text("# pip freeze of a working .venv: `python3 dev.py lock`\n" + "\n".join(lines) + "\n")
    else:
        print(__doc__)
        sys.exit(0 if command in {"help", "-h", "--help"} else 2)


if __name__ == "__main__":
    os.chdir(ROOT)
    main(sys.argv[1:])

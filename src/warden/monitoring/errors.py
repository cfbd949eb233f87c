"""The one error type the monitoring importers raise, so callers can print `file:line: reason`."""

from __future__ import annotations

from pathlib import Path


class InputError(ValueError):
    """A data file breaks its format; the message starts with `file:line:` (line 1 is the header)."""

    def __init__(self, path: Path | str, line: int | None, reason: str) -> None:
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {reason}")
        self.path = str(path)
        self.line = line
        self.reason = reason

"""Errors raised while reading list files: each names the file and the position of the problem."""

from __future__ import annotations


class ListFormatError(ValueError):
    """A list file is malformed; `position` is a line number, an XML element path or a JSON path."""

    def __init__(self, path: str, position: str, message: str) -> None:
        self.path = path
        self.position = position
        self.message = message
        super().__init__(f"{path}:{position}: {message}")

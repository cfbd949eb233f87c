"""KYC uploads on disk under `<data_dir>/kyc/<session_id>/`, files readable by the server's user only.
Each upload's `purge_after` (upload time + WARDEN_KYC_RETENTION_DAYS) is when `purge_expired` deletes it."""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

MAX_IMAGE_BYTES = 8 * 1024 * 1024
MAX_CAPTURE_BYTES = 4 * 1024 * 1024
IMAGE_TYPES = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}


class UploadError(ValueError):
    """An upload refused; `field` is where the problem is (for a 422 with its position)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def check_image(data: bytes, content_type: str | None) -> str:
    """The content type of an acceptable document image, or UploadError."""
    ctype = (content_type or "").split(";")[0].strip().lower()
    if ctype not in IMAGE_TYPES:
        raise UploadError("content_type", f"{ctype or 'no content type'} is not accepted: image/jpeg or image/png")
    if not data:
        raise UploadError("file", "the file is empty")
    if len(data) > MAX_IMAGE_BYTES:
        raise UploadError("file", f"{len(data)} bytes is over the limit of {MAX_IMAGE_BYTES}")
    if not data.startswith(IMAGE_TYPES[ctype]):
        raise UploadError("file", f"the bytes are not a {ctype} file")
    return ctype


def write_upload(data_dir: Path, session_id: str, part: str, data: bytes, suffix: str) -> tuple[str, str]:
    """Store one upload; returns its path relative to the data dir and its SHA-256."""
    folder = data_dir / "kyc" / session_id
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    rel = Path("kyc") / session_id / f"{part}{suffix}"
    path = data_dir / rel
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)
    return str(rel), hashlib.sha256(data).hexdigest()


def read_upload(data_dir: Path, rel: str) -> bytes:
    path = (data_dir / rel).resolve()
    if not path.is_relative_to((data_dir / "kyc").resolve()):
        raise UploadError("path", "outside the KYC store")
    return path.read_bytes()


def delete_upload(data_dir: Path, rel: str) -> None:
    path = data_dir / rel
    path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # other uploads of the session are still there
        path.parent.rmdir()

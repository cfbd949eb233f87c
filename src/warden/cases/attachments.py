"""Files attached to a case (statements, screenshots, exported chats): stored on disk, content-addressed.

Bytes live once under `data_dir/attachments/<sha256[:2]>/<sha256>` whatever their name, so the same file on
two cases is stored once and a stored file can be checked against its name. What is attached to which case,
by whom, under what (sanitised) filename, is a timeline entry of the case (and so on the audit log): listing
reads those entries, and a download is served only for a digest attached to that case.

Storage sits behind the small `BlobStore` interface; `DiskBlobStore` is the one shipped (an S3-compatible
store would implement the same three methods).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import unicodedata
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import sqlalchemy as sa

from warden.access.roles import Actor
from warden.cases.errors import CaseError, NotFound
from warden.cases.records import as_utc, record_event, utcnow
from warden.cases.repository import load_case_row
from warden.cases.tables import case_timeline, cases

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_FILENAME_CHARS = 120
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class BlobStore(Protocol):
    def put(self, digest: str, data: bytes) -> None: ...
    def get(self, digest: str) -> bytes: ...
    def exists(self, digest: str) -> bool: ...


class DiskBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, digest: str) -> Path:
        if not _SHA256.match(digest):
            raise CaseError(f"{digest!r} is not a sha256 digest")
        return self.root / digest[:2] / digest

    def put(self, digest: str, data: bytes) -> None:
        path = self._path(digest)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write beside it and rename: a reader never sees half a file, a crash leaves no partial blob.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)

    def get(self, digest: str) -> bytes:
        path = self._path(digest)
        if not path.exists():
            raise NotFound(f"attachment {digest} is recorded but its file is missing from {self.root}")
        return path.read_bytes()

    def exists(self, digest: str) -> bool:
        return self._path(digest).exists()


def disk_store(data_dir: Path) -> DiskBlobStore:
    return DiskBlobStore(data_dir / "attachments")


@dataclass(frozen=True)
class Attachment:
    sha256: str
    filename: str
    size: int
    content_type: str
    attached_by: str
    attached_at: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def sanitise_filename(name: str) -> str:
    """A safe display and download name: no directories, no control or shell-special characters."""
    base = unicodedata.normalize("NFC", name.replace("\\", "/").split("/")[-1])
    base = re.sub(r"[\x00-\x1f\x7f<>:\"|?*;]", "_", base).strip(" .")
    base = re.sub(r"\s+", " ", base)
    if len(base) > MAX_FILENAME_CHARS:
        _, dot, ext = base.rpartition(".")
        keep = ext if dot and len(ext) <= 10 else ""
        base = base[: MAX_FILENAME_CHARS - len(keep) - 1] + ("." + keep if keep else "")
    return base or "attachment"


def add_attachment(
    conn: sa.Connection,
    blobs: BlobStore,
    case_id: str,
    actor: Actor,
    filename: str,
    data: bytes,
    content_type: str = "application/octet-stream",
    now: datetime | None = None,
) -> Attachment:
    if not data:
        raise CaseError("the attachment is empty")
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise CaseError(f"the attachment has {len(data):,} bytes; the limit is {MAX_ATTACHMENT_BYTES:,}")
    now = now or utcnow()
    load_case_row(conn, case_id, lock=True)
    digest = hashlib.sha256(data).hexdigest()
    blobs.put(digest, data)  # before the record: a rolled-back record leaves an unreferenced blob, never the reverse
    attachment = Attachment(
        sha256=digest,
        filename=sanitise_filename(filename),
        size=len(data),
        content_type=content_type[:100] or "application/octet-stream",
        attached_by=actor.name,
        attached_at=now.isoformat(),
    )
    conn.execute(sa.update(cases).where(cases.c.case_id == case_id).values(updated_at=now))
    detail = {k: v for k, v in attachment.as_dict().items() if k not in ("attached_by", "attached_at")}
    record_event(conn, case_id, actor.name, "attachment", detail, now)
    return attachment


def list_attachments(conn: sa.Connection, case_id: str) -> list[Attachment]:
    load_case_row(conn, case_id)
    rows = conn.execute(
        sa.select(case_timeline)
        .where(case_timeline.c.case_id == case_id, case_timeline.c.kind == "attachment")
        .order_by(case_timeline.c.id)
    )
    found = []
    for row in rows:
        detail = json.loads(row.detail)
        found.append(
            Attachment(
                sha256=detail["sha256"],
                filename=detail["filename"],
                size=int(detail["size"]),
                content_type=detail["content_type"],
                attached_by=row.actor,
                attached_at=as_utc(row.at).isoformat(),
            )
        )
    return found


def read_attachment(conn: sa.Connection, blobs: BlobStore, case_id: str, digest: str) -> tuple[Attachment, bytes]:
    """The attachment's record and bytes, only if it is attached to this case; the bytes are checked."""
    match = [a for a in list_attachments(conn, case_id) if a.sha256 == digest]
    if not match:
        raise NotFound(f"case {case_id} has no attachment {digest}")
    data = blobs.get(digest)
    if hashlib.sha256(data).hexdigest() != digest:
        raise CaseError(f"attachment {digest} on disk does not match its digest (the file was changed)")
    return match[-1], data

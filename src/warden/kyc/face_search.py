"""1:N search inside sessions: the live face of each session, once it has matched its document, is searched
against every verified customer's face. The same face on another customer is a ring or mule signal.

A face is kept (`kyc_faces`) for every session whose selfie matched its document; it becomes searchable when
the session is verified: approved by the checks, or by a reviewer's verdict (`mark_verified`). The gallery is
the `faces.index.FaceIndex` (exact up to 50,000 faces, IVF above), held per process and per database and
brought up to date from the table before each search: only rows verified since the last search are read.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sqlalchemy as sa

from warden.kyc.faces.index import DIM, FaceIndex
from warden.kyc.identity.evidence import FACE_MAX_DISTANCE
from warden.kyc.tables import kyc_faces

NEIGHBOURS = 20  # nearest faces read; a customer's own earlier sessions are skipped among them


@dataclass(frozen=True)
class FaceHit:
    customer_id: str
    session_id: str
    distance: float

    def as_dict(self) -> dict[str, Any]:
        return {"customer_id": self.customer_id, "session_id": self.session_id, "distance": self.distance}


def _vector(embedding: tuple[float, ...] | np.ndarray) -> np.ndarray:
    v = np.asarray(embedding, dtype=np.float32).reshape(-1)
    if v.shape != (DIM,):
        raise ValueError(f"a face embedding has {DIM} values, not {v.size}")
    return v


def record_face(
    conn: sa.Connection,
    session_id: str,
    customer_id: str,
    embedding: tuple[float, ...] | np.ndarray,
    model_version: str,
    *,
    verified: bool,
    now: dt.datetime,
) -> None:
    conn.execute(
        sa.insert(kyc_faces).values(
            session_id=session_id,
            customer_id=customer_id,
            embedding=_vector(embedding).tobytes(),
            model_version=model_version,
            created_at=now,
            verified_at=now if verified else None,
        )
    )


def stored_embedding(conn: sa.Connection, session_id: str) -> np.ndarray | None:
    data = conn.execute(sa.select(kyc_faces.c.embedding).where(kyc_faces.c.session_id == session_id)).scalar()
    return None if data is None else np.frombuffer(data, dtype=np.float32)


def mark_verified(conn: sa.Connection, session_id: str, now: dt.datetime) -> bool:
    """The session's face joins the searchable gallery (a reviewer approved it); False when it kept none."""
    done = conn.execute(
        sa.update(kyc_faces)
        .where(kyc_faces.c.session_id == session_id, kyc_faces.c.verified_at.is_(None))
        .values(verified_at=now)
    )
    return bool(done.rowcount)


@dataclass
class _Gallery:
    index: FaceIndex | None = None
    customers: dict[str, str] = field(default_factory=dict)  # session id -> customer id
    mark: Any = None  # the latest verified_at loaded, as the database hands it back
    lock: threading.Lock = field(default_factory=threading.Lock)

    def refresh(self, conn: sa.Connection) -> None:
        query = sa.select(
            kyc_faces.c.session_id, kyc_faces.c.customer_id, kyc_faces.c.embedding, kyc_faces.c.verified_at
        )
        query = query.where(kyc_faces.c.verified_at.is_not(None))
        if self.mark is not None:  # >=: rows verified in the same instant as the mark are read again, then skipped
            query = query.where(kyc_faces.c.verified_at >= self.mark)
        rows = [r for r in conn.execute(query.order_by(kyc_faces.c.verified_at)) if r.session_id not in self.customers]
        if rows:
            vectors = np.stack([np.frombuffer(r.embedding, dtype=np.float32) for r in rows])
            ids = [r.session_id for r in rows]
            if self.index is None:
                self.index = FaceIndex.build(ids, vectors)
            else:
                self.index.add(ids, vectors)
            self.customers.update({r.session_id: r.customer_id for r in rows})
            self.mark = rows[-1].verified_at
        total = conn.execute(sa.select(sa.func.count()).where(kyc_faces.c.verified_at.is_not(None))).scalar_one()
        if total != len(self.customers):  # the table changed under us (restored, purged): read it whole again
            self.index, self.customers, self.mark = None, {}, None
            if total:
                self.refresh(conn)


_GALLERIES: dict[str, _Gallery] = {}
_GALLERIES_LOCK = threading.Lock()


def search_verified(
    conn: sa.Connection,
    customer_id: str,
    embedding: tuple[float, ...] | np.ndarray,
    *,
    max_distance: float = FACE_MAX_DISTANCE,
) -> tuple[list[FaceHit], int]:
    """Verified faces of other customers within `max_distance` (nearest first, one per customer), and how many
    verified faces were searched."""
    key = conn.engine.url.render_as_string(hide_password=True)
    with _GALLERIES_LOCK:
        gallery = _GALLERIES.setdefault(key, _Gallery())
    with gallery.lock:
        gallery.refresh(conn)
        if gallery.index is None:
            return [], 0
        hits = gallery.index.search(_vector(embedding), k=NEIGHBOURS, max_distance=max_distance)
        searched = len(gallery.customers)
        owners = dict(gallery.customers)
    out: dict[str, FaceHit] = {}
    for hit in hits:  # FaceIndex ids are session ids here
        owner = owners[hit.customer_id]
        if owner != customer_id and owner not in out:
            out[owner] = FaceHit(owner, hit.customer_id, hit.distance)
    return list(out.values()), searched


def verified_faces(conn: sa.Connection) -> tuple[list[str], np.ndarray]:
    """Each verified customer's latest live face: (customer ids, N x 128), for the identity graph
    (`warden kyc rings --faces`), so that the 1:N search and the graph's rings rest on one set of faces."""
    rows = conn.execute(
        sa.select(kyc_faces.c.customer_id, kyc_faces.c.embedding)
        .where(kyc_faces.c.verified_at.is_not(None))
        .order_by(kyc_faces.c.verified_at)
    )
    latest = {r.customer_id: np.frombuffer(r.embedding, dtype=np.float32) for r in rows}
    ids = sorted(latest)
    return ids, np.stack([latest[c] for c in ids]) if ids else np.empty((0, DIM), np.float32)

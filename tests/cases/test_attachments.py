"""Attachments: content-addressed on disk, size limit, sanitised names, listed from the timeline, checked on read."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from warden.access.roles import Actor
from warden.audit.log import recent_records
from warden.cases.attachments import (
    MAX_ATTACHMENT_BYTES,
    add_attachment,
    disk_store,
    list_attachments,
    read_attachment,
    sanitise_filename,
)
from warden.cases.errors import CaseError, NotFound
from warden.store.db import Store

ANA = Actor("ana", "analyst")


def test_attach_list_and_read_back(
    store: Store, tmp_path: Path, ingest: Callable[..., Any], new_alert: Callable[..., Any]
) -> None:
    blobs = disk_store(tmp_path)
    first = ingest(new_alert(1, customer="a")).case_id
    second = ingest(new_alert(2, customer="b")).case_id
    with store.engine.begin() as conn:
        added = add_attachment(conn, blobs, first, ANA, "../../etc/statement.pdf", b"%PDF-1.4 bank", "application/pdf")
        add_attachment(conn, blobs, second, ANA, "copy.pdf", b"%PDF-1.4 bank")
    assert added.filename == "statement.pdf" and added.size == 13
    assert len(list((tmp_path / "attachments").rglob("*"))) == 2  # one folder, one blob: stored once
    with store.engine.connect() as conn:
        listed = list_attachments(conn, first)
        record, data = read_attachment(conn, blobs, first, added.sha256)
        actions = [r.action for r in recent_records(conn, 10)]
        with pytest.raises(NotFound):
            read_attachment(conn, blobs, first, "0" * 64)
    assert [a.sha256 for a in listed] == [added.sha256] and listed[0].attached_by == "ana"
    assert data == b"%PDF-1.4 bank" and record.content_type == "application/pdf"
    assert actions.count("case.attachment") == 2
    # A changed file on disk is refused rather than served.
    (tmp_path / "attachments" / added.sha256[:2] / added.sha256).write_bytes(b"tampered")
    with store.engine.connect() as conn, pytest.raises(CaseError, match="does not match its digest"):
        read_attachment(conn, blobs, first, added.sha256)


def test_empty_and_oversized_files_are_refused_and_nothing_is_recorded(
    store: Store, tmp_path: Path, ingest: Callable[..., Any], new_alert: Callable[..., Any]
) -> None:
    blobs = disk_store(tmp_path)
    case_id = ingest(new_alert(1)).case_id
    with store.engine.begin() as conn:
        with pytest.raises(CaseError, match="empty"):
            add_attachment(conn, blobs, case_id, ANA, "a.txt", b"")
        with pytest.raises(CaseError, match="the limit is"):
            add_attachment(conn, blobs, case_id, ANA, "a.txt", b"x" * (MAX_ATTACHMENT_BYTES + 1))
        assert list_attachments(conn, case_id) == []
    assert not (tmp_path / "attachments").exists()


def test_filenames_are_sanitised() -> None:
    assert sanitise_filename("C:\\Users\\x\\report.pdf") == "report.pdf"
    assert sanitise_filename('a<b>:"c"|?*.txt') == "a_b___c____.txt"
    assert sanitise_filename("...") == "attachment"
    assert sanitise_filename("\x00evil\n.sh") == "_evil_.sh"
    long = sanitise_filename("n" * 300 + ".pdf")
    assert len(long) == 120 and long.endswith(".pdf")

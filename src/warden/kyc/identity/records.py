"""KYC submissions as identity records: the contract's `kyc_submission` events in their linking forms."""

from __future__ import annotations

import glob
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from pydantic import ValidationError

from warden.events.ingest import describe_validation_error
from warden.events.models import EVENT_ADAPTER, KycSubmission
from warden.events.readers import RawRecord, read_records
from warden.kyc.identity import normalise as norm


@dataclass(frozen=True, slots=True)
class IdentityRecord:
    """One submission, normalised. `face` is an embedding when a selfie was matched (optional)."""

    customer_id: str
    event_id: str
    full_name: str
    name: tuple[str, ...]
    date_of_birth: date
    nationality: str
    document: str
    document_country: str
    email: str
    mailbox: str
    email_stem: str
    phone: str
    address: str | None
    device: str | None
    ip: str | None
    ip_prefix: str | None
    face: tuple[float, ...] | None = None
    submitted_at: datetime | None = None  # the submission's event time: when a ring became visible


def from_submission(event: KycSubmission, face: tuple[float, ...] | None = None) -> IdentityRecord:
    address, mailbox, stem = norm.email_parts(event.email)
    return IdentityRecord(
        customer_id=event.customer_id,
        event_id=event.event_id,
        full_name=event.full_name,
        name=norm.name_tokens(event.full_name),
        date_of_birth=event.date_of_birth,
        nationality=event.nationality,
        document=norm.document_key(event.document_number),
        document_country=event.document_country,
        email=address,
        mailbox=mailbox,
        email_stem=stem,
        phone=norm.phone_key(event.phone),
        address=norm.address_key(event.address) if event.address else None,
        device=event.device_id,
        ip=event.ip.strip() if event.ip else None,
        ip_prefix=norm.ip_prefix(event.ip) if event.ip else None,
        face=face,
        submitted_at=event.occurred_at,
    )


@dataclass
class LoadedRecords:
    records: list[IdentityRecord]
    errors: list[str]  # "file:line: reason"


def _is_kyc(raw: RawRecord) -> bool:
    if raw.json_bytes is not None:
        return b'"kyc_submission"' in raw.json_bytes  # cheap pre-filter; validation decides
    return raw.values is not None and raw.values.get("type") == "kyc_submission"


def _validated(path: Path, raws: Iterable[RawRecord], errors: list[str]) -> Iterator[KycSubmission]:
    for raw in raws:
        if not _is_kyc(raw):
            continue
        try:
            event = (
                EVENT_ADAPTER.validate_json(raw.json_bytes)
                if raw.json_bytes is not None
                else EVENT_ADAPTER.validate_python(raw.values)
            )
        except ValidationError as exc:
            errors.append(f"{path}:{raw.line}: {describe_validation_error(exc)}")
            continue
        except ValueError as exc:
            errors.append(f"{path}:{raw.line}: {exc}")
            continue
        if isinstance(event, KycSubmission):
            yield event


def _history_records(root: Path) -> Iterator[RawRecord]:
    """The submissions of an ingested history folder (day-partitioned Parquet). `warden ingest` keeps each
    event as received in `payload`; a history written without it holds the event's fields as columns."""
    import pyarrow.dataset as ds

    from warden.store.history import history_glob

    files = sorted(glob.glob(history_glob(root)))
    if not files:
        return
    dataset = ds.dataset(files, format="parquet")
    table = dataset.to_table(filter=ds.field("type") == "kyc_submission")
    if "payload" in table.column_names:
        for row, payload in enumerate(table.column("payload").to_pylist(), start=1):
            yield RawRecord(line=row, json_bytes=payload.encode("utf-8"))
        return
    for row, values in enumerate(table.to_pylist(), start=1):
        yield RawRecord(line=row, values={k: v for k, v in values.items() if v is not None})


def load_submissions(path: Path) -> LoadedRecords:
    """Every valid `kyc_submission` in an events file (JSON Lines, CSV or Parquet) or an ingested history
    folder; bad ones reported with their line and left out, as ingestion does."""
    errors: list[str] = []
    raws = _history_records(path) if path.is_dir() else read_records(path)
    records = [from_submission(ev) for ev in _validated(path, raws, errors)]
    return LoadedRecords(records, errors)

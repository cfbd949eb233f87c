"""The demo's identity verification: a few simulated customers verified end to end through the session flow
(document check, face match, liveness, decision, review case), with one attack of each kind refused.

The documents are rendered by the KYC evaluation set (`kyc.documents`) with the one face Warden may ship as
their portrait, and the liveness captures are generated from that face (`kyc.liveness.synth`), so every
customer here has the same face: this shows the flow, it measures nothing."""

from __future__ import annotations

import json
import secrets
from collections import Counter
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from warden.cases.kyc_review import submit_session
from warden.events.tables import events
from warden.kyc import repository
from warden.kyc.documents import dataset
from warden.kyc.liveness import synth
from warden.kyc.session_checks import SessionChecks
from warden.store.db import Store

ACTOR = "demo"
GENUINE = 2  # passports only: one page each, the cheaper document check


def _noise() -> int:
    """A fresh seed for a capture's sensor noise each run: frames are remembered as seen (the replay guard keeps
    them in Redis across runs when Redis is configured), so a rerun must not look like a replay."""
    return secrets.randbelow(2**31)


def _declared(sample: dataset.Sample) -> dict[str, Any]:
    i = sample.declared
    return {
        "surname": i.surname,
        "given_names": i.given_names,
        "birth_date": i.birth_date.isoformat(),
        "document_number": i.document_number,
        "nationality": i.nationality,
    }


def verify(
    store: Store,
    data_dir: Path,
    checks: SessionChecks,
    customer_id: str,
    sample: dataset.Sample,
    make_capture: Any,
    *,
    retention_days: int,
) -> dict[str, Any]:
    """One whole session as the exchange's backend drives it: open, upload pages and capture, submit."""
    with store.engine.begin() as conn:
        challenge = checks.new_challenge(customer_id)
        sid = repository.open_session(conn, customer_id, _declared(sample), challenge, actor=ACTOR).session_id
        for side, data in sample.pages.items():
            repository.add_upload(
                conn, data_dir, sid, f"document_{side}", data, "image/jpeg", actor=ACTOR, retention_days=retention_days
            )
        capture = make_capture(challenge)
        body = json.dumps(capture).encode()
        repository.add_upload(
            conn, data_dir, sid, "liveness", body, "application/json", actor=ACTOR, retention_days=retention_days
        )
    with store.engine.begin() as conn:
        result = submit_session(conn, data_dir, sid, checks, actor=ACTOR)
    result["capture"] = capture
    return result


def _customers(store: Store, count: int) -> list[str]:
    with store.engine.connect() as conn:
        found = list(
            conn.execute(
                sa.select(events.c.customer_id)
                .where(events.c.customer_id.is_not(None))
                .distinct()
                .order_by(events.c.customer_id)
                .limit(count)
            ).scalars()
        )
    return found + [f"kyc-demo-{i}" for i in range(len(found), count)]


def run_kyc_demo(
    store: Store, data_dir: Path, checks: SessionChecks, *, seed: int, retention_days: int
) -> list[tuple[str, str, list[str]]]:
    """(what was presented, outcome, reasons) for the genuine customers, then one attack of each kind."""
    customers = iter(_customers(store, GENUINE + 4))
    out: list[tuple[str, str, list[str]]] = []

    def run(label: str, sample: dataset.Sample, make_capture: Any) -> dict[str, Any]:
        result = verify(store, data_dir, checks, next(customers), sample, make_capture, retention_days=retention_days)
        out.append((label, result["outcome"], result["reasons"]))
        return result

    genuine = [dataset.genuine_with_face(seed, 2 * i) for i in range(GENUINE)]
    verified = [run("genuine", s, lambda ch: synth.genuine_capture(ch, _noise())) for s in genuine]
    first = verified[0]
    forged = dataset.attack(seed, 10_000, "viz_tamper", with_face=True)
    run("forged document (surname overwritten)", forged, lambda ch: synth.genuine_capture(ch, _noise()))
    run("someone else's document (its portrait is not the selfie's face)", dataset.genuine(seed, 10_002),
        lambda ch: synth.genuine_capture(ch, _noise()))  # fmt: skip
    run("a photo held to the camera", genuine[0], lambda ch: synth.photo_capture(ch, _noise()))
    run("frames of an earlier capture replayed", genuine[1], lambda ch: {**first["capture"], "nonce": ch["nonce"]})
    return out


def summary(results: list[tuple[str, str, list[str]]]) -> str:
    genuine = Counter(outcome for label, outcome, _ in results if label == "genuine")
    attacks = [(label, outcome) for label, outcome, _ in results if label != "genuine"]
    refused = sum(outcome != "approve" for _, outcome in attacks)
    return (
        f"KYC: {sum(genuine.values())} customers verified end to end ({dict(genuine)}); "
        f"{refused}/{len(attacks)} attacks refused ({', '.join(f'{label}: {o}' for label, o in attacks)})"
    )

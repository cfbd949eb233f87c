"""The demo's identity verification: a few simulated customers verified end to end through the session flow
(document check, face match, liveness, decision, review case), with one attack of each kind refused.

The documents are rendered by the KYC evaluation set (`kyc.documents`) with the one face Warden may ship as
their portrait, and the liveness captures are generated from that face (`kyc.liveness.synth`), so every
customer here has the same face: this shows the flow, it measures nothing. Since the 1:N search inside sessions,
that one face can be verified on one customer only: the second account that presents it is the demo's
shared-face attack (`face_on_other_customer`, sent to review and linked to the first customer)."""

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
SHARED_FACE = "a second account with the first customer's face"


def _noise() -> int:
    """A fresh seed for a capture's sensor noise each run: frames are remembered as seen (the replay guard keeps
    them in Redis across runs when Redis is configured), so a rerun must not look like a replay."""
    return secrets.randbelow(2**31)


def verify(
    store: Store,
    data_dir: Path,
    checks: SessionChecks,
    customer_id: str,
    sample: dataset.Sample | None,
    make_capture: Any,
    *,
    retention_days: int,
    hold_ref: str | None = None,
) -> dict[str, Any]:
    """One whole session as the exchange's backend drives it: open, upload the pages (onboarding) and the
    capture, submit. With `hold_ref` (and no document) it is a step-up session for that held event."""
    kind = "step_up" if hold_ref else "onboarding"
    declared = sample.declared_fields() if sample is not None else {}
    pages = sample.pages if sample is not None and not hold_ref else {}
    with store.engine.begin() as conn:
        challenge = checks.new_challenge(customer_id)
        sid = repository.open_session(
            conn, customer_id, declared, challenge, actor=ACTOR, kind=kind, hold_ref=hold_ref
        ).session_id
        for side, data in pages.items():
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
    """(what was presented, outcome, reasons): the genuine customers' onboarding, a document attack and a face
    attack at onboarding, then step-up verifications of the first two customers (a withdrawal held after a
    takeover signal): the customer themself, a photo held to the camera, and an earlier capture replayed. The
    step-ups carry no document (only the live face is checked), which also keeps the demo short."""
    customers = _customers(store, GENUINE + 2)
    out: list[tuple[str, str, list[str]]] = []

    def run(label: str, customer: str, sample: dataset.Sample | None, make_capture: Any, **kw: Any) -> dict[str, Any]:
        result = verify(store, data_dir, checks, customer, sample, make_capture, retention_days=retention_days, **kw)
        out.append((label, result["outcome"], result["reasons"]))
        return result

    genuine = [dataset.genuine_with_face(seed, 2 * i) for i in range(GENUINE)]
    verified = [run("genuine", customers[0], genuine[0], lambda ch: synth.genuine_capture(ch, _noise()))]
    # another identity's own passport, but the one face again: the 1:N search finds it on the first customer
    verified.append(run(SHARED_FACE, customers[1], genuine[1], lambda ch: synth.genuine_capture(ch, _noise())))
    forged = dataset.attack(seed, 10_000, "viz_tamper", with_face=True)
    run("forged document (surname overwritten)", customers[GENUINE], forged,
        lambda ch: synth.genuine_capture(ch, _noise()))  # fmt: skip
    run("someone else's document (its portrait is not the selfie's face)", customers[GENUINE + 1],
        dataset.genuine(seed, 10_002), lambda ch: synth.genuine_capture(ch, _noise()))  # fmt: skip
    held = [f"demo-held-withdrawal-{c}" for c in customers[:GENUINE]]
    run("step-up: the customer", customers[0], None, lambda ch: synth.genuine_capture(ch, _noise()), hold_ref=held[0])
    run("step-up: a photo held to the camera", customers[0], None, lambda ch: synth.photo_capture(ch, _noise()),
        hold_ref=held[0])  # fmt: skip
    run("step-up: an earlier capture replayed", customers[1], None,
        lambda ch: {**verified[1]["capture"], "nonce": ch["nonce"]}, hold_ref=held[1])  # fmt: skip
    return out


def summary(results: list[tuple[str, str, list[str]]]) -> str:
    customers = Counter(outcome for label, outcome, _ in results if label == "genuine")
    attacks = [(label, outcome) for label, outcome, _ in results if label not in ("genuine", "step-up: the customer")]
    refused = sum(outcome != "approve" for _, outcome in attacks)
    stepped = [outcome for label, outcome, _ in results if label == "step-up: the customer"]
    return (
        f"KYC: {sum(customers.values())} customers verified end to end ({dict(customers)}), step-up by the customer: "
        f"{', '.join(stepped)}; {refused}/{len(attacks)} attacks refused "
        f"({', '.join(f'{label}: {o}' for label, o in attacks)})"
    )

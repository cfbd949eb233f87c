"""The console's KYC review page, server-rendered: a session the checks sent to review (virtual camera label,
a heuristic) shown with its document image, MRZ parse, checks, face score, liveness and ring links; images and
personal data by role; a reviewer's verdict recorded, audited and kept as a label."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.kyc.session_client import PASSWORD, Backend, kyc_app

from warden.audit.log import recent_records
from warden.cases.tables import cases
from warden.kyc.documents import dataset
from warden.kyc.liveness import synth
from warden.kyc.reviews import review_labels
from warden.kyc.tables import kyc_sessions
from warden.settings import Settings
from warden.store.db import Store


def _console(app: Any, user: str) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    r = client.post("/login", data={"username": user, "password": PASSWORD, "next": "/"})
    assert r.status_code == 303, r.text
    return client


def _token(client: TestClient, path: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', client.get(path).text)
    assert match is not None
    return match.group(1)


@pytest.fixture
def reviewed(settings: Settings, store: Store) -> tuple[Any, str, str, dataset.Sample]:
    """A session in review (virtual camera) and another customer's document-only session with the same number."""
    app, key = kyc_app(settings, store)
    backend = Backend(app, key)
    sample = dataset.genuine_with_face(7, 0)
    opened = backend.open(sample, customer_id="cus-a")
    sid = opened["session_id"]
    backend.upload_document(sid, sample)
    backend.upload_capture(sid, synth.virtual_camera_capture(opened["challenge"], seed=11))
    assert backend.submit(sid)["outcome"] == "review"
    other = backend.open(sample, customer_id="cus-b")["session_id"]
    return app, sid, other, sample


def test_reviewer_sees_the_evidence_side_by_side(reviewed: Any, store: Store) -> None:
    app, sid, other, sample = reviewed
    ana = _console(app, "ana")
    queue = ana.get("/kyc")
    assert queue.status_code == 200 and f'href="/kyc/{sid}"' in queue.text
    page = ana.get(f"/kyc/{sid}")
    assert page.status_code == 200
    html = page.text
    number = sample.declared.document_number
    assert re.search(r'data-field="document_number"><td>document number</td><td>' + number, html)
    score = re.search(r'id="face-score">([0-9.]+)<', html)
    assert score is not None and float(score.group(1)) >= 0.4
    assert 'id="liveness-result"><span class="bad">failed' in html
    assert "heuristic_virtual_camera" in html
    assert 'data-code="screen_recapture"' in html  # every tamper signal with its score, fired or not
    assert f'data-session="{other}"' in html and f"same document number: {number}" in html  # ring link
    assert f'src="/kyc/{sid}/images/document_front"' in html
    image = ana.get(f"/kyc/{sid}/images/document_front")
    assert image.status_code == 200 and image.content == sample.pages["front"]
    with store.engine.connect() as conn:
        assert recent_records(conn, 1)[0].action == "kyc.image.read"


def test_roles_limit_images_and_personal_data(reviewed: Any) -> None:
    app, sid, _, sample = reviewed
    mo = _console(app, "mo")  # model-risk officer: the checks, not the person
    page = mo.get(f"/kyc/{sid}")
    assert page.status_code == 200
    assert 'id="images-hidden"' in page.text and "<img" not in page.text
    assert sample.declared.document_number not in page.text and sample.declared.surname not in page.text
    assert 'id="verdict-form"' not in page.text
    assert mo.get(f"/kyc/{sid}/images/document_front").status_code == 403
    token = _token(mo, f"/kyc/{sid}")
    assert (
        mo.post(f"/kyc/{sid}/verdict", data={"verdict": "approve", "reason": "x", "csrf_token": token}).status_code
        == 403
    )
    assert _console(app, "rita").get(f"/kyc/{sid}").status_code == 403  # rule author


def test_verdict_is_recorded_audited_and_kept_as_label(reviewed: Any, store: Store) -> None:
    app, sid, _, _ = reviewed
    ana = _console(app, "ana")
    url = f"/kyc/{sid}/verdict"
    assert ana.post(url, data={"verdict": "approve", "reason": "fine"}).status_code == 403  # no CSRF token
    token = _token(ana, f"/kyc/{sid}")
    refused = ana.post(url, data={"verdict": "approve", "reason": " ", "csrf_token": token})
    assert refused.status_code == 422 and "needs its reason" in refused.text
    done = ana.post(
        url, data={"verdict": "approve", "reason": "camera label is OBS; face and steps fine", "csrf_token": token}
    )
    assert done.status_code == 303 and done.headers["location"] == f"/kyc/{sid}"
    page = ana.get(f"/kyc/{sid}").text
    assert 'id="review-verdict"><b>approve</b> by ana' in page and 'id="verdict-form"' not in page
    again = ana.post(url, data={"verdict": "reject", "reason": "second thoughts", "csrf_token": token})
    assert again.status_code == 409
    with store.engine.connect() as conn:
        labels = review_labels(conn)
        audited = [r for r in recent_records(conn, 20) if r.action == "kyc.session.review"]
    assert [(x["session_id"], x["verdict"], x["machine_outcome"]) for x in labels] == [(sid, "approve", "review")]
    assert "liveness" in labels[0]["versions"] and "heuristic_virtual_camera" in " ".join(labels[0]["machine_reasons"])
    assert len(audited) == 1 and audited[0].actor == "ana"
    assert sid not in ana.get("/kyc").text  # decided by a person: off the review list
    # the verdict closed the session's review case, with the verdict as its reason, on the audit log
    with store.engine.connect() as conn:
        case_id = conn.execute(sa.select(kyc_sessions.c.case_id).where(kyc_sessions.c.session_id == sid)).scalar()
        case = conn.execute(sa.select(cases).where(cases.c.case_id == case_id)).one()
        closed = [r for r in recent_records(conn, 20) if r.action == "case.transition" and r.subject == case_id]
    assert case.state == "closed" and case.disposition == "false_positive"
    assert closed and closed[0].actor == "ana" and "camera label is OBS" in (closed[0].after or "")

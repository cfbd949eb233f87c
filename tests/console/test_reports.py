"""Suspicious-activity reports from a true-positive case: the report record with its deadline and reminder,
the goAML XML (which passes the structural check, and a broken one does not) and the FinCEN-SAR-shaped JSON."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from console_seed import form_token, seed, signed_in

from warden.cases.records import utcnow
from warden.reporting.goaml import validate_goaml
from warden.reporting.sar import list_reports
from warden.settings import Settings
from warden.store.db import Store


@pytest.fixture
def ids(store: Store, settings: Settings, tmp_path: Path) -> dict[str, str]:
    return seed(store, settings, tmp_path)


def test_report_from_a_true_positive_case(store: Store, settings: Settings, ids: dict[str, str]) -> None:
    ana, sam = signed_in(settings, store, "ana"), signed_in(settings, store, "sam")
    case = f"/cases/{ids['main']}"
    token = form_token(ana, case)
    ana.post(f"{case}/claim", data={"csrf_token": token})
    # Not a true positive yet: no report.
    assert ana.post(f"{case}/report", data={"csrf_token": token}).status_code == 422
    narrative = "Funds in from one address and straight out to a new address and another customer."
    ana.post(f"{case}/narrative", data={"text": narrative, "csrf_token": token})
    form = {"to": "closed", "disposition": "true_positive_action_taken", "action": "freeze", "reason": "mule"}
    ana.post(f"{case}/transition", data={**form, "csrf_token": token})
    proposal = re.search(r"/proposals/(prop_[0-9a-f]+)/approve", sam.get(case).text)
    assert proposal is not None
    sam.post(f"{case}/proposals/{proposal.group(1)}/approve", data={"csrf_token": form_token(sam, case)})

    created = ana.post(f"{case}/report", data={"csrf_token": token})
    assert created.status_code == 303
    reference = created.headers["location"].rsplit("/", 1)[1]
    assert ana.post(f"{case}/report", data={"csrf_token": token}).status_code == 409  # one per case
    page = ana.get(f"/reports/{reference}").text
    assert 'id="goaml-ok"' in page and narrative in page and "ana / sam" in page

    xml = ana.get(f"/reports/{reference}.xml")
    assert xml.status_code == 200 and xml.headers["content-type"].startswith("application/xml")
    assert validate_goaml(xml.content) == []
    text = xml.text
    assert "<report_code>STR</report_code>" in text and f"<entity_reference>{reference}<" in text
    assert "<first_name>Anna Maria</first_name>" in text and "<last_name>Schmidt</last_name>" in text
    assert text.count("<transaction>") == 3  # the alerts' deposit, transfer and held withdrawal
    broken = re.sub(r"<amount_local>[^<]*</amount_local>", "", text, count=1).encode()
    assert any("missing <amount_local>" in p for p in validate_goaml(broken))
    wrong = text.replace("<submission_code>E<", "<submission_code>X<").encode()
    assert any("submission_code" in p and "not one of" in p for p in validate_goaml(wrong))

    record = json.loads(ana.get(f"/reports/{reference}.json").text)
    assert record["part_v_narrative"] == narrative
    assert record["part_i_subject"]["last_name"] == "Schmidt"
    assert record["part_iv_filer"] == {"filer": "warden-exchange", "prepared_by": "ana", "approved_by": "sam"}

    # The deadline is 30 days from detection; the reminder comes in the last 7.
    with store.engine.connect() as conn:
        (report,) = list_reports(conn)
        assert report["deadline"] - report["detected_at"] == timedelta(days=30)
        assert not report["due_soon"]
        (later,) = list_reports(conn, now=utcnow() + timedelta(days=25))
        assert later["due_soon"]
    assert ana.post(f"/reports/{reference}/filed", data={"csrf_token": token}).status_code == 403  # seniors file
    assert sam.post(f"/reports/{reference}/filed", data={"csrf_token": form_token(sam, "/reports")}).status_code == 303
    assert "filed by sam" in sam.get("/reports").text

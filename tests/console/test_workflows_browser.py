"""Three walks in a real browser (Debian's chromium via Playwright), each as the role that does it, on a store
of their own (the small console seed): a suspicious-activity report exported from a true-positive case and
validated (goAML); a ruleset edited in the workbench, backtested, published to shadow and then live, each time
approved by a second person; and the audit export (CSV and JSON Lines) holding those actions in the order they
were done. The audit walk runs the other two first when they have not run in this module yet. And a model-risk
officer's approval of a new model version before it serves."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from console_seed import PASSWORD, seed, triage_model
from live_server import live_server
from playwright.sync_api import Browser, Page, expect

from warden.api.app import create_app
from warden.models.approvals import save_for_approval
from warden.models.fraud import FraudModel
from warden.models.registry import DEFAULT_FRAUD_MODEL, active_version
from warden.reporting.goaml import validate_goaml
from warden.settings import Settings
from warden.store.db import open_store
from warden.triage.approval import save_for_approval as save_triage_for_approval

Server = dict[str, Any]
WALKED: dict[str, dict[str, str]] = {}  # what each walk made, for the audit walk
NARRATIVE = "Funds in from one address and straight out to a new address and another customer within a day."


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    WALKED.clear()
    tmp = tmp_path_factory.mktemp("workflows")
    settings = Settings(data_dir=tmp / "data")
    store = open_store(settings)
    ids = seed(store, settings, Path(tmp))
    app = create_app(settings, store)
    try:
        with live_server(app) as base:
            yield {"base": base, "ids": ids, "app": app}
    finally:
        store.dispose()


def _person(browser: Browser, base: str, username: str, path: str) -> Page:
    page = browser.new_context().new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/login?next={path}")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#sign-in")
    expect(page.locator("#signed-in-as")).to_contain_text(username)
    return page


def _report_walk(browser: Browser, server: Server) -> dict[str, str]:
    base, case = server["base"], f"/cases/{server['ids']['main']}"
    ana = _person(browser, base, "ana", case)
    ana.click("#claim-case")
    expect(ana.locator("#case-assignee")).to_have_text("ana")
    ana.fill("#narrative", NARRATIVE)
    ana.click("#save-narrative")
    expect(ana.locator("#narrative-saved")).to_contain_text("Saved by ana")
    ana.select_option("#close-disposition", "true_positive_action_taken")
    ana.select_option("#close-action", "report")
    ana.fill("#close-reason", "mule: in from one address, straight out")
    ana.click("#close-case")
    expect(ana.locator(".proposal")).to_contain_text("proposed by ana")

    sam = _person(browser, base, "sam", case)
    sam.click("button.approve")  # filing a report is a four-eyes action: the senior approves it
    expect(sam.locator(".proposal")).to_have_count(0)  # decided: no longer waiting
    sam.click("#create-report")
    expect(sam.locator("#goaml-ok")).to_have_text("goAML structure checks")
    expect(sam.locator("#report-narrative")).to_have_text(NARRATIVE)
    reference = sam.locator("#report-reference").inner_text()
    # The export as the browser gets it (the page's own session), checked again here.
    xml = sam.request.get(base + str(sam.locator("#download-goaml").get_attribute("href")))
    assert xml.ok and xml.headers["content-type"].startswith("application/xml")
    assert validate_goaml(xml.body()) == []
    assert f"<entity_reference>{reference}</entity_reference>" in xml.text() and NARRATIVE in xml.text()
    fincen = json.loads(sam.request.get(base + str(sam.locator("#download-fincen").get_attribute("href"))).text())
    assert fincen["part_iv_filer"]["prepared_by"] == "ana" and fincen["part_iv_filer"]["approved_by"] == "sam"
    WALKED["report"] = {"case": server["ids"]["main"], "reference": reference}
    return WALKED["report"]


def _ask(page: Page, target: str) -> None:
    page.select_option("#publish-target", target)
    page.click("#request-publication")
    expect(page.locator("#ruleset-requests tr.ruleset-request").first).to_contain_text("yours: someone else approves")


def _ruleset_walk(browser: Browser, server: Server) -> dict[str, str]:
    base, app = server["base"], server["app"]
    rita = _person(browser, base, "rita", "/")  # a rule author lands on the editor
    expect(rita).to_have_url(f"{base}/rules/editor")
    editor = rita.locator("#ruleset-text")
    text = editor.input_value()
    version = "2026.12.7"
    edited = text.replace("score: 15\n", "score: 20\n", 1)
    edited = edited.replace('version: "', f'version: "{version}" # was "', 1)
    assert edited != text
    editor.fill(edited)
    editor.press("End")
    expect(rita.locator("#check-ok")).to_contain_text(f"@{version}")
    rita.click("#run-backtest")
    expect(rita.locator("#backtest-rules tr.backtest-rule").first).to_be_visible()

    _ask(rita, "shadow")
    sam = _person(browser, base, "sam", "/rules/editor")
    sam.click(".approve-ruleset")
    expect(sam.locator("#ruleset-requests tr.ruleset-request").first).to_contain_text("approved by sam")
    engine = app.state.decisions.engine
    assert engine.shadow is not None and engine.shadow.version == version  # the server runs it in shadow
    assert engine.ruleset.version != version

    rita.goto(f"{base}/rules/editor")
    editor.fill(edited)  # the editor opens on the live text; the author asks for the same version live
    _ask(rita, "live")
    sam.reload()
    sam.click(".approve-ruleset")
    expect(sam.locator("#ruleset-requests tr.ruleset-request").first).to_contain_text("approved by sam")
    assert engine.ruleset.version == version  # live in the serving engine now
    WALKED["ruleset"] = {"version": version}
    return WALKED["ruleset"]


def test_a_report_is_exported_from_a_true_positive_case_and_validates(browser: Browser, server: Server) -> None:
    _report_walk(browser, server)


def test_a_ruleset_is_edited_backtested_shadowed_approved_and_live(browser: Browser, server: Server) -> None:
    _ruleset_walk(browser, server)


WALKS: dict[str, Callable[[Browser, Server], dict[str, str]]] = {"report": _report_walk, "ruleset": _ruleset_walk}


def test_the_audit_export_holds_those_actions_in_order(browser: Browser, server: Server) -> None:
    for name, walk in WALKS.items():
        if name not in WALKED:
            walk(browser, server)
    base, case, version = server["base"], WALKED["report"]["case"], WALKED["ruleset"]["version"]
    sam = _person(browser, base, "sam", "/audit")
    expect(sam.locator("#chain-status")).to_contain_text("The chain verifies")
    jsonl = sam.request.get(base + str(sam.locator("#export-jsonl").get_attribute("href")))
    records = [json.loads(line) for line in jsonl.text().splitlines()]
    assert [r["seq"] for r in records] == sorted(r["seq"] for r in records)
    report, ruleset = case, f"starter@{version}"
    people = [(r["actor"], r["action"], r["subject"]) for r in records if not r["actor"].startswith("system:")]
    walked = [p for p in people if p[2] in (case, ruleset, WALKED["report"]["reference"])]
    assert walked == [
        ("ana", "case.assigned", report),
        ("ana", "case.narrative", report),
        ("ana", "case.proposed", report),  # close as true positive, action: report
        ("sam", "case.proposal_approved", report),
        ("sam", "case.report_created", report),
        ("rita", "ruleset.publication_requested", ruleset),
        ("sam", "ruleset.publication_approved", ruleset),
        ("rita, approved by sam", "ruleset.publish.shadow", ruleset),
        ("rita", "ruleset.publication_requested", ruleset),
        ("sam", "ruleset.publication_approved", ruleset),
        ("rita, approved by sam", "ruleset.publish.live", ruleset),
    ]
    # The page's filter, then its CSV export of the selection: the second person's approvals, in order
    # (between their sign-ins, which are audited too).
    sam.fill("input[name=actor]", "sam")
    sam.click("form.filters button[type=submit]")
    expect(sam.locator("#audit tr td:nth-child(3)").first).to_have_text("sam")
    exported = sam.request.get(base + str(sam.locator("#export-csv").get_attribute("href")))
    assert exported.ok and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text())))
    assert [(r["action"], r["subject"]) for r in rows if not r["action"].startswith("session.")] == [
        ("case.proposal_approved", report),
        ("case.report_created", report),
        ("ruleset.publication_approved", ruleset),
        ("ruleset.publication_approved", ruleset),
    ]


def test_a_model_risk_officer_approves_a_new_model_version_before_it_serves(browser: Browser, server: Server) -> None:
    base, app = server["base"], server["app"]
    data_dir = Path(app.state.settings.data_dir)
    packaged = FraudModel.load(DEFAULT_FRAUD_MODEL)
    retrained = FraudModel(packaged.booster, {**packaged.meta, "version": "2026.12.9"})
    save_for_approval(app.state.store.engine, retrained, data_dir, trained_by="mo")
    mo = _person(browser, base, "mo", "/")  # a model-risk officer lands on the models
    expect(mo).to_have_url(f"{base}/models")
    row = mo.locator("#models tr.model").filter(has_text="2026.12.9")
    expect(row.locator(".model-status")).to_contain_text("you trained it")
    expect(row.locator(".approve-model")).to_have_count(0)
    root = _person(browser, base, "root", "/models")
    row = root.locator("#models tr.model").filter(has_text="2026.12.9")
    row.locator(".model-reason").fill("test-month PR-AUC as before, same features")
    row.locator(".approve-model").click()
    row = root.locator("#models tr.model").filter(has_text="2026.12.9")
    expect(row.locator(".model-status")).to_contain_text("approved by root")
    expect(row.locator(".ok")).to_have_text("serving")
    assert app.state.decisions.engine.model.version == "2026.12.9"


def test_a_model_risk_officer_approves_a_new_triage_model_before_it_orders_the_queue(
    browser: Browser, server: Server
) -> None:
    base, app = server["base"], server["app"]
    data_dir = Path(app.state.settings.data_dir)
    version = "triage-20261209T100000Z-browser1"
    save_triage_for_approval(app.state.store.engine, triage_model(version), data_dir, trained_by="mo")
    mo = _person(browser, base, "mo", "/models")
    row = mo.locator("#triage-models tr.model").filter(has_text=version)
    expect(row.locator(".model-status")).to_contain_text("you trained it")
    expect(row.locator(".triage-metrics")).to_contain_text("captured top 20 0.61")
    expect(row.locator(".approve-model")).to_have_count(0)
    root = _person(browser, base, "root", "/models")
    row = root.locator("#triage-models tr.model").filter(has_text=version)
    row.locator(".model-reason").fill("held-out top fifth 0.61 against 0.34 by alert score")
    row.locator(".approve-model").click()
    row = root.locator("#triage-models tr.model").filter(has_text=version)
    expect(row.locator(".model-status")).to_contain_text("approved by root")
    expect(row.locator(".ok")).to_have_text("serving")
    assert active_version(data_dir, "triage") == version

"""The reviewer console's routes without a browser: sign-in gates, CSRF, queue counts, the case list's filters
and paging, case actions and their refusals. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from console_seed import PASSWORD, seed
from fastapi.testclient import TestClient

from warden.access.tables import users
from warden.api.app import create_app
from warden.cases.alerts import CaseAlert, add_alert
from warden.cases.repository import get_case
from warden.cases.tables import cases
from warden.settings import Settings
from warden.store.db import Store


def _client(settings: Settings, store: Store, username: str | None = None) -> TestClient:
    client = TestClient(create_app(settings, store), follow_redirects=False)
    if username is not None:
        response = client.post("/login", data={"username": username, "password": PASSWORD, "next": "/queues"})
        assert response.status_code == 303, response.text
    return client


def _token(client: TestClient, path: str = "/queues") -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', client.get(path).text)
    assert match is not None
    return match.group(1)


@pytest.fixture
def ids(store: Store, settings: Settings, tmp_path: Path) -> dict[str, str]:
    return seed(store, settings, tmp_path)


@pytest.fixture
def sqlite_ids(sqlite_store: Store, settings: Settings, tmp_path: Path) -> dict[str, str]:
    """For what does not depend on the database (sign-in, CSRF): SQLite only."""
    return seed(sqlite_store, settings, tmp_path)


@pytest.mark.parametrize(
    "path", ["/", "/decisions", "/screening?q=x", "/queues", "/cases?state=new", "/cases/case_x", "/admin/users"]
)
def test_every_console_page_needs_sign_in(sqlite_store: Store, settings: Settings, path: str) -> None:
    response = _client(settings, sqlite_store).get(path)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=" + path.replace("?", "%3F").replace("=", "%3D")


def test_sign_in_sends_only_to_local_pages(sqlite_store: Store, settings: Settings, sqlite_ids: dict[str, str]) -> None:
    client = _client(settings, sqlite_store)
    targets = ["https://evil.example/", "//evil.example", "/\\evil.example", "/\tevil", "/cases?q=1"]
    for target, expected in zip(targets, ["/", "/", "/", "/", "/cases?q=1"], strict=True):
        response = client.post("/login", data={"username": "ana", "password": PASSWORD, "next": target})
        assert response.headers["location"] == expected
        assert "httponly" in response.headers["set-cookie"].lower()
        assert "samesite=lax" in response.headers["set-cookie"].lower()
    assert client.post("/login", data={"username": "ana", "password": "nope-nope-nope"}).status_code == 401


def test_state_changes_need_the_sessions_csrf_token(
    sqlite_store: Store, settings: Settings, sqlite_ids: dict[str, str]
) -> None:
    ana, sam = _client(settings, sqlite_store, "ana"), _client(settings, sqlite_store, "sam")
    note = f"/cases/{sqlite_ids['main']}/notes"
    assert ana.post(note, data={"text": "no token"}).status_code == 403
    assert ana.post(note, data={"text": "sam's token", "csrf_token": _token(sam)}).status_code == 403
    forged_origin = {"origin": "https://evil.example"}
    assert ana.post(note, data={"text": "x", "csrf_token": _token(ana)}, headers=forged_origin).status_code == 403
    assert ana.post(note, data={"text": "header token"}, headers={"X-CSRF-Token": _token(ana)}).status_code == 303
    assert ana.post(note, data={"text": "form token", "csrf_token": _token(ana)}).status_code == 303
    with sqlite_store.engine.connect() as conn:
        notes = [t["detail"]["text"] for t in get_case(conn, sqlite_ids["main"])["timeline"] if t["kind"] == "note"]
    assert notes == ["header token", "form token"]  # the refused ones left nothing behind
    # An htmx request after the session ended is told to navigate to the sign-in page, not to swap it in.
    expired = _client(settings, sqlite_store).post(note, data={"text": "x"}, headers={"HX-Request": "true"})
    assert expired.status_code == 303 and expired.headers["HX-Redirect"].startswith("/login?next=")


def test_queue_counts_and_take_next(store: Store, settings: Settings, ids: dict[str, str]) -> None:
    ana = _client(settings, store, "ana")

    def counts() -> dict[str, tuple[str, str, str]]:
        page = ana.get("/queues").text
        rows = re.findall(
            r'data-queue="(\w+)">.*?class="num open">(\d+)<.*?class="num unassigned">(\d+)<.*?class="num overdue">(.*?)</td>',
            page,
            re.S,
        )
        return {q: (o, u, re.sub(r"<[^>]+>", "", late)) for q, o, u, late in rows}

    before = counts()
    assert before["fraud"] == ("1", "1", "0") and before["aml"] == ("1", "1", "0") and before["kyc"] == ("0", "0", "0")
    taken = ana.post("/queues/take-next", data={"csrf_token": _token(ana)})
    assert taken.headers["location"] == f"/cases/{ids['main']}"  # the hold outranks the low structuring alert
    assert counts()["fraud"] == ("1", "0", "0")
    ana.post("/queues/take-next", data={"csrf_token": _token(ana)})
    empty = ana.post("/queues/take-next", data={"csrf_token": _token(ana)})
    assert empty.status_code == 200 and "Nothing to take" in empty.text


def test_case_list_filters_and_pages(store: Store, settings: Settings, ids: dict[str, str]) -> None:
    with store.engine.begin() as conn:
        for n in range(55):
            add_alert(
                conn, CaseAlert(f"test:bulk-{n}", "monitoring", "fan_in", [f"bulk-{n:02d}"], 0.2, "low", Decimal(10))
            )
    sam = _client(settings, store, "sam")
    sam.post(f"/cases/{ids['other']}/tags", data={"tags": "Mule, watch", "csrf_token": _token(sam)})

    def listed(query: str) -> tuple[int, list[str]]:
        page = sam.get("/cases" + query)
        total = re.search(r'id="case-total">([\d,]+) matching', page.text)
        assert total is not None, page.text
        return int(total.group(1).replace(",", "")), re.findall(r'<a href="/cases/(case_\w+)">', page.text)

    total, first = listed("")
    assert total == 57 and len(first) == 50
    _, second = listed("?page=2")
    assert len(second) == 7 and not set(first) & set(second)
    assert listed("?q=CUS-4") == (1, [ids["main"]])  # a case-insensitive substring of the customer id
    assert listed("?tag=mule") == (1, [ids["other"]])
    assert listed("?tag=mul")[0] == 0  # tags match whole
    assert listed("?severity=high&queue=fraud") == (1, [ids["main"]])
    assert listed("?assignee=-&q=bulk-0")[0] == 10
    refused = sam.get("/cases?state=frozen")
    assert refused.status_code == 422 and "state &#39;frozen&#39; is not one of" in refused.text


def test_reassignment_is_for_seniors(store: Store, settings: Settings, ids: dict[str, str]) -> None:
    ana, sam = _client(settings, store, "ana"), _client(settings, store, "sam")
    case = f"/cases/{ids['main']}"
    refused = ana.post(f"{case}/assign", data={"assignee": "ana", "csrf_token": _token(ana)})
    assert refused.status_code == 403 and "cannot assign cases" in refused.text
    assert 'id="assign-form"' not in ana.get(case).text and 'id="assign-form"' in sam.get(case).text
    assert sam.post(f"{case}/assign", data={"assignee": "ana", "csrf_token": _token(sam)}).status_code == 303
    assert 'id="case-assignee">ana<' in ana.get(case).text


def test_escalation_moves_the_case_to_the_senior_queue(store: Store, settings: Settings, ids: dict[str, str]) -> None:
    ana = _client(settings, store, "ana")
    ana.post("/queues/take-next", data={"csrf_token": _token(ana)})
    case = f"/cases/{ids['main']}"
    bad = ana.post(f"{case}/transition", data={"to": "new", "csrf_token": _token(ana)})
    assert bad.status_code == 409 and "cannot move to new" in bad.text
    done = ana.post(f"{case}/transition", data={"to": "escalated", "reason": "ring", "csrf_token": _token(ana)})
    assert done.status_code == 303
    page = ana.get(case).text
    assert 'id="case-state">escalated<' in page and 'id="case-queue">senior<' in page
    assert 'id="escalate"' not in page and 'id="close-case"' not in page  # no longer hers to work


def test_a_proposal_is_decided_on_its_own_case_only(store: Store, settings: Settings, ids: dict[str, str]) -> None:
    ana, sam = _client(settings, store, "ana"), _client(settings, store, "sam")
    ana.post("/queues/take-next", data={"csrf_token": _token(ana)})
    ana.post(
        f"/cases/{ids['main']}/proposals", data={"customer_action": "exit", "reason": "r", "csrf_token": _token(ana)}
    )
    proposal = re.search(r'data-proposal="(prop_\w+)"', sam.get(f"/cases/{ids['main']}").text)
    assert proposal is not None
    assert proposal.group(1) not in ana.get("/queues").text  # not the proposer's to decide ...
    assert f'<a href="/cases/{ids["main"]}">' in sam.get("/queues").text.split('id="waiting"')[1]  # ... a senior's
    elsewhere = f"/cases/{ids['other']}/proposals/{proposal.group(1)}/approve"
    assert sam.post(elsewhere, data={"csrf_token": _token(sam)}).status_code == 404
    with store.engine.connect() as conn:
        assert get_case(conn, ids["main"])["state"] == "in_review"
    rejected = sam.post(
        f"/cases/{ids['main']}/proposals/{proposal.group(1)}/reject", data={"reason": "no", "csrf_token": _token(sam)}
    )
    assert rejected.status_code == 303
    with store.engine.connect() as conn:
        case = get_case(conn, ids["main"])
    assert case["state"] == "in_review" and case["proposals"][0]["status"] == "rejected"


def test_admins_manage_users(sqlite_store: Store, settings: Settings, sqlite_ids: dict[str, str]) -> None:
    root, ana = _client(settings, sqlite_store, "root"), _client(settings, sqlite_store, "ana")
    assert ana.get("/admin/users").status_code == 403
    form = {"username": "ruth", "role": "rule_author", "password": "long-enough-pw", "csrf_token": _token(root)}
    assert root.post("/admin/users", data=form).status_code == 303
    assert "<td>ruth</td><td>rule_author</td>" in root.get("/admin/users").text
    short = root.post("/admin/users", data={**form, "username": "rob", "password": "short"})
    assert short.status_code == 422 and "at least 10 characters" in short.text
    assert root.post("/admin/users", data=form).status_code == 409
    assert ana.post("/admin/users", data={**form, "username": "eve", "csrf_token": _token(ana)}).status_code == 403


def test_narrative_and_attachments(store: Store, settings: Settings, ids: dict[str, str]) -> None:
    ana = _client(settings, store, "ana")
    ana.post("/queues/take-next", data={"csrf_token": _token(ana)})
    case = f"/cases/{ids['main']}"
    page = ana.get(case).text
    draft = re.search(r'<textarea name="text" rows="10" id="narrative" class="wide">(.*?)</textarea>', page, re.S)
    assert draft is not None and "cus-42" in draft.group(1)  # drafted from the case's evidence
    saved = ana.post(f"{case}/narrative", data={"text": "My own words.", "csrf_token": _token(ana)})
    assert saved.status_code == 303
    page = ana.get(case).text
    assert 'id="narrative" class="wide">My own words.</textarea>' in page and "Saved by ana" in page
    assert ana.post(f"{case}/narrative", data={"text": " ", "csrf_token": _token(ana)}).status_code == 422

    upload = ana.post(
        f"{case}/attachments",
        data={"csrf_token": _token(ana)},
        files={"file": ("../statement <1>.csv", b"date,amount\n2026-03-02,2499.75\n", "text/csv")},
    )
    assert upload.status_code == 303, upload.text
    link = re.search(r'<a href="(/v1/cases/[^"]+)" download>([^<]+)</a>', ana.get(case).text)
    assert link is not None and ".." not in link.group(2)
    download = ana.get(link.group(1))
    assert download.content == b"date,amount\n2026-03-02,2499.75\n"
    assert download.headers["content-disposition"].startswith("attachment;")
    no_token = ana.post(f"{case}/attachments", files={"file": ("x.txt", b"x", "text/plain")})
    assert no_token.status_code == 403


def test_related_cases_load_after_the_page(sqlite_store: Store, settings: Settings, sqlite_ids: dict[str, str]) -> None:
    sam = _client(settings, sqlite_store, "sam")
    page = sam.get(f"/cases/{sqlite_ids['main']}").text
    assert f'hx-get="/cases/{sqlite_ids["main"]}/related" hx-trigger="load"' in page
    box = sam.get(f"/cases/{sqlite_ids['main']}/related")
    assert box.status_code == 200 and sqlite_ids["other"] in box.text and ">transfer<" in box.text
    assert sam.get("/cases/case_missing/related").status_code == 404


def test_take_next_at_capacity_says_why(sqlite_store: Store, settings: Settings, sqlite_ids: dict[str, str]) -> None:
    with sqlite_store.engine.begin() as conn:
        conn.execute(sa.update(users).where(users.c.username == "ana").values(capacity=1))
    ana = _client(settings, sqlite_store, "ana")
    assert ana.post("/queues/take-next", data={"csrf_token": _token(ana)}).status_code == 303
    full = ana.post("/queues/take-next", data={"csrf_token": _token(ana)})
    assert full.status_code == 409 and "ana already holds 1 open cases" in full.text


def test_unknown_records_get_a_404_page(sqlite_store: Store, settings: Settings, sqlite_ids: dict[str, str]) -> None:
    ana = _client(settings, sqlite_store, "ana")
    for path in ("/cases/case_missing", "/decisions/evt-missing"):
        page = ana.get(path)
        assert page.status_code == 404 and 'id="refusal-reason"' in page.text and "missing" in page.text


def test_overdue_is_judged_now_not_only_when_swept(
    sqlite_store: Store, settings: Settings, sqlite_ids: dict[str, str]
) -> None:
    past = datetime.now(UTC) - timedelta(hours=1)
    with sqlite_store.engine.begin() as conn:  # past its SLA, but the sweep has not flagged it
        conn.execute(sa.update(cases).where(cases.c.case_id == sqlite_ids["other"]).values(sla_due_at=past))
    sam = _client(settings, sqlite_store, "sam")
    assert 'id="case-overdue"' in sam.get(f"/cases/{sqlite_ids['other']}").text
    assert 'id="case-overdue"' not in sam.get(f"/cases/{sqlite_ids['main']}").text
    assert '<a class="bad" href="/cases?queue=aml&overdue=yes">1</a>' in sam.get("/queues").text
    assert re.findall(r'<a href="/cases/(case_\w+)">', sam.get("/cases?overdue=yes").text) == [sqlite_ids["other"]]

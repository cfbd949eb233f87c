"""The investigator's workspace without a browser: the header's search, the customer view, console error pages,
the self-served API docs and a freeze released through four eyes. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from console_seed import SOURCE_ADDRESS, WITHDRAWAL_ADDRESS, form_token, seed, signed_in
from fastapi.testclient import TestClient

from warden.api.app import create_app
from warden.decisions.freezes import frozen_customers
from warden.events.examples import EXAMPLES
from warden.events.labels import Label, store_labels
from warden.events.search_terms import reindex_all, search_terms
from warden.settings import Settings
from warden.store.db import Store


@pytest.fixture
def ids(store: Store, settings: Settings, tmp_path: Path) -> dict[str, str]:
    return seed(store, settings, tmp_path)


def _customers_found(client: TestClient, query: str) -> set[str]:
    response = client.get("/search", params={"q": query})
    assert response.status_code == 200
    return set(re.findall(r'class="customer-link" href="/customers/([^"]+)"', response.text))


def test_search_finds_a_customer_by_every_identifier(store: Store, settings: Settings, ids: dict[str, str]) -> None:
    client = signed_in(settings, store, "ana")
    kyc = EXAMPLES["kyc_submission"]
    for query in [
        "cus-42",
        kyc["full_name"],
        kyc["full_name"].split()[-1].upper(),  # one part of the name, any case
        kyc["email"],
        kyc["phone"][:3] + " " + kyc["phone"][3:6] + "-" + kyc["phone"][6:],  # typed with spaces and a dash
        SOURCE_ADDRESS,
        WITHDRAWAL_ADDRESS.lower(),
        EXAMPLES["deposit"]["tx_hash"],
        "dev-zz",
    ]:
        assert _customers_found(client, query) == {"cus-42"}, query
    # A device and an IP both customers used find both; a prefix finds what starts with it.
    assert _customers_found(client, EXAMPLES["login"]["device_id"]) == {"cus-42", "cus-77"}
    assert _customers_found(client, EXAMPLES["login"]["ip"]) == {"cus-42", "cus-77"}
    assert "cus-77" in _customers_found(client, "cus-7")
    assert "Nothing found" in client.get("/search", params={"q": "no-such-thing-anywhere"}).text


def test_search_finds_cases_and_events_by_id(store: Store, settings: Settings, ids: dict[str, str]) -> None:
    client = signed_in(settings, store, "ana")
    page = client.get("/search", params={"q": ids["main"]}).text
    assert f'href="/cases/{ids["main"]}"' in page and 'href="/customers/cus-42"' in page
    page = client.get("/search", params={"q": "evt-0003"}).text
    assert 'id="search-event"' in page and "withdrawal" in page
    # An exact customer id jumps straight to the customer when asked to.
    response = client.get("/search", params={"q": "cus-77", "go": "1"})
    assert response.status_code == 303 and response.headers["location"] == "/customers/cus-77"


def test_customer_view_shows_everything_on_one_time_line(store: Store, settings: Settings, ids: dict[str, str]) -> None:
    client = signed_in(settings, store, "ana")
    response = client.get("/customers/cus-42")
    assert response.status_code == 200
    page = response.text
    assert 'class="kyc-full_name">Anna Maria Schmidt<' in page
    # Events, the hold decision (with a link to its drill-down), the cases and their alerts, in event time.
    assert page.count('class="tl tl-event"') == 11
    assert 'class="tl tl-decision"' in page and 'href="/decisions/evt-0003"' in page
    assert f'href="/cases/{ids["main"]}"' in page and 'class="tl tl-alert"' in page
    assert "2026-03-02 09:00:00 UTC" in page
    assert "None" not in page and "0.37777" not in page
    # Linked by device and IP (and the transfer), and every identifier is a link to search.
    linked = page.split('id="customer-linked"')[1].split("</table>")[0]
    assert 'href="/customers/cus-77"' in linked and "device" in linked and "IP" in linked and "sent transfers" in linked
    assert f'href="/search?q={WITHDRAWAL_ADDRESS}"' in page
    assert 'id="customer-flow"' in page  # money moved, so the graph is drawn
    assert 'id="no-holds"' in page
    # cus-77 received the transfer, so the link shows from their side too.
    assert "received transfers from" in client.get("/customers/cus-77").text


def test_the_customer_view_masks_personal_data_for_roles_that_do_not_investigate(
    store: Store, settings: Settings, ids: dict[str, str]
) -> None:
    investigator = signed_in(settings, store, "ana").get("/customers/cus-42").text
    assert "anna.schmidt@example.org" in investigator and "C01X00T47" in investigator
    page = signed_in(settings, store, "rita").get("/customers/cus-42").text
    assert "anna.schmidt@example.org" not in page and "C01X00T47" not in page and "+4915123456789" not in page
    assert "a•••@example.org" in page  # masked, not dropped: the rule author still sees that there is one


def test_console_errors_are_pages_with_a_way_back(store: Store, settings: Settings, ids: dict[str, str]) -> None:
    client = signed_in(settings, store, "ana")
    for path, status in [("/customers/nobody-at-all", 404), ("/no-such-page", 404), ("/search?q=" + "x" * 300, 422)]:
        response = client.get(path)
        assert response.status_code == status, path
        assert response.headers["content-type"].startswith("text/html")
        assert 'id="go-back"' in response.text and 'id="search-box"' in response.text
    assert "<code>q</code>" in client.get("/search?q=" + "x" * 300).text
    api = client.get("/v1/no-such-endpoint")
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}  # the API keeps its JSON


def test_api_docs_serve_their_own_assets(store: Store, settings: Settings) -> None:
    client = TestClient(create_app(settings.model_copy(update={"public_api_docs": True}), store))
    page = client.get("/docs").text
    assert "cdn" not in page.lower()
    for asset in re.findall(r'(?:src|href)="(/static/vendor/swagger-ui[^"]+)"', page):
        assert client.get(asset).status_code == 200
    assert len(re.findall(r"/static/vendor/swagger-ui", page)) >= 2


def test_freeze_holds_the_customer_until_a_second_person_releases_it(
    store: Store, settings: Settings, ids: dict[str, str]
) -> None:
    ana, sam = signed_in(settings, store, "ana"), signed_in(settings, store, "sam")
    case = f"/cases/{ids['main']}"
    token = form_token(ana, case)
    assert ana.post(f"{case}/claim", data={"csrf_token": token}).status_code == 303  # unassigned: ana claims it
    assert 'id="case-assignee">ana<' in ana.get(case).text
    assert sam.post(f"{case}/claim", data={"csrf_token": form_token(sam, case)}).status_code == 409  # taken
    form = {"action": "close_with_action", "customer_action": "freeze", "reason": "mule", "csrf_token": token}
    assert ana.post(f"{case}/proposals", data=form).status_code == 303
    proposal = re.search(r"/proposals/(prop_[0-9a-f]+)/approve", sam.get(case).text)
    assert proposal is not None
    approve = {"reason": "agreed", "csrf_token": form_token(sam, case)}
    assert sam.post(f"{case}/proposals/{proposal.group(1)}/approve", data=approve).status_code == 303
    with store.engine.connect() as conn:
        assert set(frozen_customers(conn)) == {"cus-42"}
    page = ana.get("/customers/cus-42").text
    assert 'id="customer-frozen"' in page
    hold = re.search(r"/holds/(hold_[0-9a-f]+)/release", page)
    assert hold is not None
    release = f"/holds/{hold.group(1)}/release"
    assert ana.post(release, data={"reason": "", "csrf_token": token}).status_code == 422  # a reason is needed
    assert ana.post(release, data={"reason": "cleared by KYC", "csrf_token": token}).status_code == 303
    # The one who asked cannot approve (even as a senior would); an analyst is refused too.
    assert ana.post(f"{release}/approve", data={"csrf_token": token}).status_code == 403
    with store.engine.connect() as conn:
        assert set(frozen_customers(conn)) == {"cus-42"}  # in force until approved
    assert sam.post(f"{release}/approve", data={"csrf_token": form_token(sam, case)}).status_code == 303
    with store.engine.connect() as conn:
        assert frozen_customers(conn) == {}
    page = ana.get("/customers/cus-42").text
    assert 'id="customer-frozen"' not in page and "released" in page
    timeline = ana.get(case).text
    assert "customer_frozen" in timeline and "release_approved" in timeline


def test_reindexing_finds_the_same_terms(store: Store, settings: Settings, ids: dict[str, str]) -> None:
    with store.engine.begin() as conn:
        before = set(conn.execute(sa.select(search_terms)).all())
        conn.execute(sa.delete(search_terms))
        assert reindex_all(conn, batch=5) == 12
        assert set(conn.execute(sa.select(search_terms)).all()) == before


def test_case_list_columns_sorting_my_cases_and_bulk(store: Store, settings: Settings, ids: dict[str, str]) -> None:
    ana, sam = signed_in(settings, store, "ana"), signed_in(settings, store, "sam")
    page = sam.get("/cases").text
    assert "fan out" in page and "$3,671.13" in page and "<th>last activity</th>" in page
    listed = re.findall(r'<a href="/cases/(case_\w+)">', sam.get("/cases?sort=amount").text)
    assert listed == [ids["main"], ids["other"]]  # $3,671.13 (the ring and the hold) before $149.98
    assert sam.get("/cases?sort=loudness").status_code == 422
    assert ana.post(f"/cases/{ids['main']}/claim", data={"csrf_token": form_token(ana, "/cases")}).status_code == 303
    assert re.findall(r'<a href="/cases/(case_\w+)">', ana.get("/cases?mine=yes").text) == [ids["main"]]
    # Seniors only: bulk assign, then bulk close (the closed case leaves the default view).
    token = form_token(sam, "/cases")
    assert (
        ana.post(
            "/cases/bulk", data={"case_ids": [ids["other"]], "bulk_action": "assign", "csrf_token": token}
        ).status_code
        == 403
    )
    form = {
        "case_ids": [ids["other"]],
        "bulk_action": "assign",
        "assignee": "sam",
        "reason": "mine",
        "csrf_token": token,
    }
    assert sam.post("/cases/bulk", data=form).status_code == 303
    sam.post(f"/cases/{ids['other']}/transition", data={"to": "in_review", "csrf_token": token})
    form = {"case_ids": [ids["other"]], "bulk_action": "close", "disposition": "false_positive", "csrf_token": token}
    assert "refused 1" in sam.post("/cases/bulk", data=form, follow_redirects=True).text  # no reason given
    form["reason"] = "salary, known employer"
    assert "close: 1 done" in sam.post("/cases/bulk", data=form, follow_redirects=True).text
    assert ids["other"] not in sam.get("/cases").text
    assert ids["other"] in sam.get("/cases?state=all").text


def test_closed_cases_are_read_only_until_a_senior_reopens_them(
    store: Store, settings: Settings, ids: dict[str, str]
) -> None:
    ana, sam = signed_in(settings, store, "ana"), signed_in(settings, store, "sam")
    case = f"/cases/{ids['main']}"
    token = form_token(ana, case)
    # Before claiming, an analyst edits neither narrative nor tags; the page offers no such forms.
    assert ana.post(f"{case}/tags", data={"tags": "x", "csrf_token": token}).status_code == 403
    assert 'id="narrative-form"' not in ana.get(case).text
    ana.post(f"{case}/claim", data={"csrf_token": token})
    for text in ("first version", "second version"):
        assert ana.post(f"{case}/narrative", data={"text": text, "csrf_token": token}).status_code == 303
    page = ana.get(case).text
    assert 'id="narrative-versions"' in page and "Version 1" in page and "first version" in page
    close = {"to": "closed", "disposition": "true_positive_action_taken", "reason": "", "csrf_token": token}
    assert ana.post(f"{case}/transition", data=close).status_code == 422  # a reason
    close["reason"] = "customer confirmed the scam"
    assert ana.post(f"{case}/transition", data=close).status_code == 422  # and the action
    close["action"] = "no_action"
    assert ana.post(f"{case}/transition", data=close).status_code == 303
    assert ana.post(f"{case}/notes", data={"text": "late", "csrf_token": token}).status_code == 409
    assert ana.post(f"{case}/narrative", data={"text": "third", "csrf_token": token}).status_code == 409
    assert 'id="closed-read-only"' in ana.get(case).text
    assert ana.post(f"{case}/reopen", data={"reason": "new evidence", "csrf_token": token}).status_code == 403
    stoken = form_token(sam, case)
    assert sam.post(f"{case}/reopen", data={"reason": "", "csrf_token": stoken}).status_code == 422
    assert sam.post(f"{case}/reopen", data={"reason": "new evidence", "csrf_token": stoken}).status_code == 303
    page = ana.get(case).text
    assert 'id="case-state">in_review<' in page and "reopened" in page
    assert ana.post(f"{case}/notes", data={"text": "back on it", "csrf_token": token}).status_code == 303


def test_audit_page_filters_exports_in_order_and_verifies_the_chain(
    store: Store, settings: Settings, ids: dict[str, str]
) -> None:
    ana, sam = signed_in(settings, store, "ana"), signed_in(settings, store, "sam")
    case = f"/cases/{ids['main']}"
    token = form_token(ana, case)
    ana.post(f"{case}/claim", data={"csrf_token": token})
    ana.post(f"{case}/notes", data={"text": "looking", "csrf_token": token})
    assert ana.get("/audit").status_code == 403  # seniors, model-risk officers and admins
    page = sam.get("/audit", params={"actor": "ana", "action": "case."}).text
    assert "The chain verifies" in page and f'href="/cases/{ids["main"]}"' in page
    lines = sam.get("/audit.jsonl", params={"subject": ids["main"]}).text.splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["seq"] for r in records] == sorted(r["seq"] for r in records)
    actions = [r["action"] for r in records if r["actor"] == "ana"]
    assert actions == ["case.assigned", "case.note"]  # in the order they happened
    csv_text = sam.get("/audit.csv", params={"actor": "ana", "action": "case."}).text
    assert csv_text.splitlines()[0] == "seq,at,actor,action,subject,before,after,hash" and "case.note" in csv_text
    assert sam.get("/audit", params={"since": "yesterday"}).status_code == 422


def test_reviewer_home_shows_my_cases_approvals_and_queues(
    store: Store, settings: Settings, ids: dict[str, str]
) -> None:
    ana, sam = signed_in(settings, store, "ana"), signed_in(settings, store, "sam")
    case = f"/cases/{ids['main']}"
    token = form_token(ana, case)
    ana.post(f"{case}/claim", data={"csrf_token": token})
    ana.post(f"{case}/transition", data={"to": "closed", "disposition": "true_positive_action_taken",
                                         "action": "freeze", "reason": "mule", "csrf_token": token})  # fmt: skip
    assert ana.get("/home").headers["location"] == "/"  # the old address
    page = ana.get("/").text  # the landing page is the operational home
    assert 'id="home-mine">1<' in page and f'href="/cases/{ids["main"]}"' in page
    assert 'id="home-approvals"' not in page  # an analyst approves nothing
    page = sam.get("/").text
    assert 'id="home-approvals">1<' in page and "close with action (freeze)" in page
    assert 'href="/cases?queue=fraud"' in page  # sam works the fraud queue among others
    assert "Labelled scenarios" not in page and 'id="nav-demo"' not in page  # no simulator labels: not the demo
    assert signed_in(settings, store, "rita").get("/").headers["location"] == "/rules/editor"
    assert signed_in(settings, store, "mo").get("/").headers["location"] == "/models"


def test_the_demo_overview_is_linked_only_on_the_demos_store(
    store: Store, settings: Settings, ids: dict[str, str]
) -> None:
    with store.engine.begin() as conn:
        store_labels(conn, [Label("customer", "cus-42", "fraud", "fan_out", "scn-1")], source="simulator")
    ana = signed_in(settings, store, "ana")
    home = ana.get("/").text
    assert 'id="nav-demo" href="/demo/overview"' in home or '<a href="/demo/overview" id="nav-demo">' in home
    page = ana.get("/demo/overview").text
    assert "Labelled scenarios" in page and "fan_out" in page


def test_models_page_lists_the_serving_model_with_its_metrics(
    store: Store, settings: Settings, ids: dict[str, str]
) -> None:
    page = signed_in(settings, store, "sam").get("/models").text
    assert "(packaged default)" in page and '<span class="ok">serving</span>' in page and "pr auc" in page
    assert signed_in(settings, store, "ana").get("/models").status_code == 403


def test_case_list_customer_filter_takes_names_and_emails(
    store: Store, settings: Settings, ids: dict[str, str]
) -> None:
    sam = signed_in(settings, store, "sam")
    for query in ("anna maria", EXAMPLES["kyc_submission"]["email"], "CUS-4"):
        listed = re.findall(r'<a href="/cases/(case_\w+)">', sam.get("/cases", params={"q": query}).text)
        assert listed == [ids["main"]], query

"""The reviewer console in a real browser: Debian's chromium driven by Playwright against a uvicorn server.

Playwright never downloads a browser here; the tests launch the `chromium` on PATH. Without it they skip,
except under CI=true, where they fail (.ci/run installs chromium first).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from console_seed import PASSWORD, seed
from live_server import live_server
from playwright.sync_api import Page, expect

from warden.api.app import create_app
from warden.settings import Settings
from warden.store.db import open_store


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """A real uvicorn server over a freshly seeded SQLite store; yields its base URL and the case ids."""
    tmp = tmp_path_factory.mktemp("console")
    settings = Settings(data_dir=tmp / "data")
    store = open_store(settings)
    ids = seed(store, settings, Path(tmp))
    try:
        with live_server(create_app(settings, store)) as base:
            yield base, ids
    finally:
        store.dispose()


def _sign_in(page: Page, base: str, username: str, path: str = "/queues") -> None:
    page.goto(f"{base}{path}")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#sign-in")
    expect(page.locator("#signed-in-as")).to_contain_text(username)


def test_anonymous_visitors_are_sent_to_sign_in_and_back(page: Page, server: tuple[str, dict[str, str]]) -> None:
    base, _ = server
    page.goto(f"{base}/cases?state=new")
    expect(page).to_have_url(f"{base}/login?next=/cases%3Fstate%3Dnew")
    page.fill("#username", "ana")
    page.fill("#password", "wrong password!")
    page.click("#sign-in")
    expect(page.locator("#login-error")).to_be_visible()
    page.fill("#password", PASSWORD)
    page.click("#sign-in")
    expect(page).to_have_url(f"{base}/cases?state=new")  # back where they wanted to go


def test_analyst_is_refused_the_admin_page(page: Page, server: tuple[str, dict[str, str]]) -> None:
    base, _ = server
    _sign_in(page, base, "ana")
    expect(page.locator("a[href='/admin/users']")).to_have_count(0)  # not offered ...
    response = page.goto(f"{base}/admin/users")
    assert response is not None and response.status == 403  # ... and refused when asked for
    expect(page.locator("#refusal-reason")).to_contain_text("ana is analyst")


def test_review_walk_with_four_eyes(page: Page, server: tuple[str, dict[str, str]]) -> None:
    base, ids = server
    # The analyst takes the highest-priority case of her queues.
    _sign_in(page, base, "ana")
    page.click("#take-next")
    expect(page).to_have_url(f"{base}/cases/{ids['main']}")
    expect(page.locator("#case-state")).to_have_text("in_review")
    expect(page.locator("#case-assignee")).to_have_text("ana")

    # The evidence: KYC, the hold decision with its rule, the contributions chart and the drawn graph.
    expect(page.locator(".kyc-full_name")).to_have_text("Anna Maria Schmidt")
    expect(page.locator("details.decision")).to_contain_text("new_address_large_withdrawal")
    expect(page.locator("details.decision .contributions-line")).to_contain_text(
        "withdrawal_to_new_address = 1 (+0.310)"
    )
    expect(page.locator("#contributions svg rect")).to_have_count(3)
    nodes = page.locator("#case-flow svg g.flow-node")
    expect(nodes).to_have_count(5)  # cus-42, cus-77, two addresses, the fiat channel
    spots = nodes.evaluate_all("gs => gs.map(g => g.getAttribute('transform'))")
    assert len(set(spots)) == 5, spots  # laid out apart, not on one spot
    page.locator("#case-flow g.flow-node[data-id='customer:cus-77']").click()
    expect(page.locator("#case-flow .flow-info")).to_contain_text("$150")  # its one transfer from cus-42

    # Related cases arrive after the page (htmx): cus-77, who received a transfer from cus-42, has a case.
    expect(page.locator("#related")).to_contain_text(ids["other"])

    # A note through htmx: the timeline is swapped in place, the page is not reloaded.
    page.evaluate("window.__still_here = true")
    page.fill("#note-text", "Deposits from one address, then out to a new address and a customer.")
    page.click("#add-note")
    expect(page.locator("#timeline .note-text").last).to_have_text(
        "Deposits from one address, then out to a new address and a customer."
    )
    assert page.evaluate("window.__still_here") is True

    # Propose closing with a freeze: four eyes, so the proposer gets no approve button ...
    page.select_option("#customer-action", "freeze")
    page.fill("#proposal-reason", "mule pattern")
    page.click("#propose-closure")
    proposal = page.locator(".proposal")
    expect(proposal).to_contain_text("proposed by ana")
    expect(page.locator("button.approve")).to_have_count(0)
    # ... and a forged approval, with her own valid session and CSRF token, is refused by the server.
    proposal_id = proposal.get_attribute("data-proposal")
    token = page.locator("#note-form input[name=csrf_token]").input_value()
    forged = page.request.post(
        f"{base}/cases/{ids['main']}/proposals/{proposal_id}/approve", form={"csrf_token": token, "reason": "me"}
    )
    assert forged.status == 403 and "four eyes need a second person" in forged.text()
    page.click("#logout")
    expect(page).to_have_url(f"{base}/login")

    # A senior analyst approves; the case closes with the disposition and the whole story is on the timeline.
    _sign_in(page, base, "sam", path=f"/cases/{ids['main']}")
    page.locator(f".proposal[data-proposal='{proposal_id}'] input[name=reason]").first.fill("agreed")
    page.click("button.approve")
    expect(page.locator("#case-state")).to_have_text("closed")
    expect(page.locator("#case-disposition")).to_have_text("true_positive_action_taken")
    kinds = page.locator("#timeline li .pill").all_inner_texts()
    for kind in ("opened", "alert_added", "assigned", "note", "proposed", "proposal_approved", "transition"):
        assert kind in kinds, (kind, kinds)
    expect(page.locator("#timeline li.tl-proposal_approved")).to_contain_text("sam")
    expect(page.locator("#actions button.approve")).to_have_count(0)

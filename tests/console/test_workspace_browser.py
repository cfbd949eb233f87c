"""The investigator's workspace in a real browser (Debian's chromium via Playwright): the header's search box
finds a customer by name, e-mail, address, transaction hash and device; the customer view shows their events,
decisions and cases; a case is claimed, closed with reason and action, and the freeze shows on the customer
until a second person approves its release."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from console_seed import PASSWORD, SOURCE_ADDRESS, seed
from live_server import live_server
from playwright.sync_api import Browser, Page, expect

from warden.api.app import create_app
from warden.events.examples import EXAMPLES
from warden.settings import Settings
from warden.store.db import open_store


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    tmp = tmp_path_factory.mktemp("workspace")
    settings = Settings(data_dir=tmp / "data", public_api_docs=True)  # /docs without signing in
    store = open_store(settings)
    ids = seed(store, settings, Path(tmp))
    try:
        with live_server(create_app(settings, store)) as base:
            yield base, ids
    finally:
        store.dispose()


def _sign_in(page: Page, base: str, username: str, path: str = "/") -> None:
    page.goto(f"{base}/login?next={path}")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#sign-in")
    expect(page.locator("#signed-in-as")).to_contain_text(username)


def test_search_box_finds_the_customer_and_the_view_shows_their_story(
    page: Page, server: tuple[str, dict[str, str]]
) -> None:
    base, ids = server
    _sign_in(page, base, "ana")
    kyc = EXAMPLES["kyc_submission"]
    for query in [kyc["full_name"], kyc["email"], SOURCE_ADDRESS, EXAMPLES["deposit"]["tx_hash"], "dev-zz"]:
        page.fill("#search-box", query)
        page.press("#search-box", "Enter")
        expect(page.locator("#search-hits a.customer-link")).to_have_text(["cus-42"])
    page.click("#search-hits a.customer-link")
    expect(page).to_have_url(f"{base}/customers/cus-42")
    expect(page.locator(".kyc-full_name")).to_have_text(kyc["full_name"])
    expect(page.locator("#customer-timeline tr.tl-event")).to_have_count(11)
    expect(page.locator("#customer-timeline tr.tl-decision")).to_contain_text("decision: hold")
    expect(page.locator("#customer-cases")).to_contain_text(ids["main"])
    expect(page.locator("#customer-flow svg g.flow-node").first).to_be_visible()
    # A linked customer is a link to their own view.
    page.click("#customer-linked a[href='/customers/cus-77']")
    expect(page.locator("#customer-id")).to_have_text("cus-77")


def test_claim_close_with_freeze_and_release_through_four_eyes(
    browser: Browser, server: tuple[str, dict[str, str]]
) -> None:
    base, ids = server
    case = f"/cases/{ids['main']}"
    ana, sam = browser.new_context().new_page(), browser.new_context().new_page()
    for who in (ana, sam):
        who.set_default_timeout(10_000)
    _sign_in(ana, base, "ana", case)
    ana.click("#claim-case")
    expect(ana.locator("#case-assignee")).to_have_text("ana")
    # Closing needs a reason, and a true positive its action.
    ana.select_option("#close-disposition", "true_positive_action_taken")
    ana.click("#close-case")
    expect(ana.locator("#action-error")).to_contain_text("needs a reason")
    ana.fill("#close-reason", "mule: in from one address, straight out")
    ana.click("#close-case")
    expect(ana.locator("#action-error")).to_contain_text("needs its action")
    ana.select_option("#close-disposition", "true_positive_action_taken")
    ana.select_option("#close-action", "freeze")
    ana.fill("#close-reason", "mule: in from one address, straight out")
    ana.click("#close-case")
    expect(ana.locator(".proposal")).to_contain_text("proposed by ana")

    _sign_in(sam, base, "sam", case)
    sam.click("button.approve")
    expect(sam.locator("#case-state")).to_have_text("closed")
    expect(sam.locator("#closed-read-only")).to_be_visible()
    sam.click("#case-customer")
    expect(sam.locator("#customer-frozen")).to_be_visible()

    ana.goto(f"{base}/customers/cus-42")
    expect(ana.locator("#customer-frozen")).to_be_visible()
    ana.fill(".release-reason", "source of funds documented")
    ana.click(".ask-release")
    expect(ana.locator(".hold-status")).to_have_text("release pending")
    expect(ana.locator(".approve-release")).to_have_count(0)  # not for the one who asked
    expect(ana.locator("#customer-frozen")).to_be_visible()  # still in force

    sam.reload()
    sam.click(".approve-release")
    expect(sam.locator(".hold-status")).to_have_text("released")
    expect(sam.locator("#customer-frozen")).to_have_count(0)
    sam.goto(f"{base}{case}")
    timeline = sam.locator("#timeline").inner_text()
    assert re.search(r"customer_frozen[\s\S]*release_requested[\s\S]*release_approved", timeline), timeline


def test_rule_editor_checks_as_you_type(page: Page, server: tuple[str, dict[str, str]]) -> None:
    base, _ = server
    _sign_in(page, base, "sam", "/rules/editor")
    expect(page.locator("#check-ok")).to_be_visible()
    editor = page.locator("#ruleset-text")
    text = editor.input_value()
    editor.fill(text.replace("condition: nationality in", "condition: nationalty in", 1))
    editor.press("End")  # a keystroke, as a person types
    expect(page.locator("#check-problems")).to_contain_text("nationalty")
    editor.fill(text)
    editor.press("End")
    expect(page.locator("#check-ok")).to_contain_text("rules")
    page.click("#run-backtest")
    expect(page.locator("#backtest-rules tr.backtest-rule").first).to_be_visible()


def test_api_docs_render_from_their_own_assets(page: Page, server: tuple[str, dict[str, str]]) -> None:
    base, _ = server
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base) else None)
    page.goto(f"{base}/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Warden")
    assert outside == []  # nothing loaded from another host

"""The KYC review page in a real browser (Debian's chromium via Playwright): a reviewer finds the session in
/kyc, sees the document image load beside the zone and the face score, and records a verdict."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from live_server import live_server
from playwright.sync_api import Page, expect
from tests.kyc.session_client import PASSWORD, kyc_app

from warden.demo.kyc import verify
from warden.kyc.documents import dataset
from warden.kyc.liveness import synth
from warden.kyc.session_checks import build_session_checks
from warden.settings import Settings
from warden.store.db import open_store


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    tmp: Path = tmp_path_factory.mktemp("kyc-review")
    settings = Settings(data_dir=tmp / "data")
    store = open_store(settings)
    app, _ = kyc_app(settings, store)
    sample = dataset.genuine_with_face(7, 0)
    result = verify(
        store, settings.data_dir, build_session_checks(app.state.settings), "cus-kyc", sample,
        lambda ch: synth.virtual_camera_capture(ch, 31), retention_days=90,
    )  # fmt: skip
    assert result["outcome"] == "review"
    try:
        with live_server(app) as base:
            yield base, result["session_id"]
    finally:
        store.dispose()


def test_reviewer_records_a_verdict(page: Page, server: tuple[str, str]) -> None:
    base, sid = server
    page.goto(f"{base}/login?next=/kyc")
    page.fill("#username", "ana")
    page.fill("#password", PASSWORD)
    page.click("#sign-in")
    page.click(f'#kyc-sessions a[href="/kyc/{sid}"]')
    expect(page.locator("#session-id")).to_have_text(sid)
    image = page.locator('img[data-part="document_front"]')
    expect(image).to_be_visible()
    page.wait_for_function("() => document.querySelector('img[data-part=document_front]').naturalWidth > 0")
    expect(page.locator("#face-score")).to_have_text(re.compile(r"0\.\d{3}"))
    expect(page.locator("#session-reasons")).to_contain_text("heuristic_virtual_camera")
    page.select_option("#verdict-choice", "reject")
    page.fill("#verdict-reason", "OBS virtual camera: injected stream")
    page.click("#record-verdict")
    expect(page.locator("#review-verdict")).to_contain_text("reject")
    expect(page.locator("#session-state")).to_have_text("reviewed")

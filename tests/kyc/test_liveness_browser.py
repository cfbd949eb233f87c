"""The capture page in Debian's chromium with a fake camera playing a generated clip of the sample face:
the page runs the server's challenge, posts timed frames, and the server verifies what it received.

Chromium's fake camera reports the clip's file path as its label, so the virtual-camera heuristic must fire: the
browser path is exercised end to end and the capture is (rightly) not passed."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright
from tests.conftest import service_unavailable
from tests.kyc.session_client import Backend, kyc_app

from warden.kyc.documents import dataset
from warden.kyc.liveness import synth
from warden.kyc.liveness.replay import MemoryReplayGuard
from warden.kyc.liveness.verifier import ServerLivenessVerifier
from warden.kyc.liveness.web import liveness_app
from warden.settings import Settings
from warden.store.db import Store

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "console"))
from live_server import live_server


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("clip") / "face.y4m"
    synth.write_y4m(str(path), ["neutral", "nod", "move_closer", "blink"])
    return path


@pytest.fixture(scope="module")
def camera_browser(clip: Path) -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        service_unavailable("chromium is not on PATH (apt-get install chromium); the browser tests need it")
    args = [
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={clip}",
    ]
    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=executable, headless=True, args=args)
        yield launched
        launched.close()


def test_capture_page_runs_the_challenge_and_the_server_verifies(camera_browser: Browser) -> None:
    verifier = ServerLivenessVerifier(b"browser-test-secret-0123456789ab", MemoryReplayGuard())
    with live_server(liveness_app(verifier)) as base:
        context = camera_browser.new_context(permissions=["camera"])
        page = context.new_page()
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{base}/capture.html?challenge={base}/challenge&submit={base}/verify")
        page.click("#start")
        page.wait_for_function("document.body.dataset.result || document.body.dataset.error", timeout=90_000)
        error = page.evaluate("document.body.dataset.error")
        assert not error, error
        result = json.loads(page.evaluate("document.body.dataset.result"))
        context.close()
    assert all(url.startswith(base) for url in requests), "the page fetched from outside its own server"
    assert result["version"].startswith("liveness-server-1/")
    assert result["signals"]["frames"] >= 15
    # the server found the face in most of the browser's frames (a loaded host drops and blurs some)
    assert result["signals"]["face_share"] >= 0.5
    assert not result["passed"]
    assert any(r.startswith("heuristic_virtual_camera") for r in result["reasons"])


def test_session_capture_link_in_the_browser(camera_browser: Browser, settings: Settings, sqlite_store: Store) -> None:
    """The same page opened from a verification session's `capture_url`: it takes that session's challenge and
    stores the capture with the link's token; the exchange's backend then submits the session."""
    app, key = kyc_app(settings, sqlite_store)
    backend = Backend(app, key)
    sample = dataset.genuine_with_face(7, 0)
    with live_server(app) as base:
        opened = backend.open(sample)
        context = camera_browser.new_context(permissions=["camera"])
        page = context.new_page()
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(base + opened["capture_url"])
        page.click("#start")
        # selectors, not evaluated script: the page runs under the API's CSP (script-src 'self', no eval)
        page.wait_for_selector("body[data-result], body[data-error]", state="attached", timeout=90_000)
        error = page.get_attribute("body", "data-error")
        assert not error, error
        assert json.loads(page.get_attribute("body", "data-result") or "{}")["received"] is True
        context.close()
        backend.upload_document(opened["session_id"], sample)
        decided = backend.submit(opened["session_id"])
    assert all(url.startswith(base) for url in requests), "the page fetched from outside its own server"
    liveness = decided["evidence"]["liveness"]
    assert liveness["signals"]["frames"] >= 15  # the browser's frames reached the session
    # chromium's fake camera labels itself with the clip's path: the heuristic fires, a person looks at it
    assert any(r.startswith("heuristic_virtual_camera") for r in liveness["reasons"])
    assert decided["outcome"] in ("review", "reject")

"""Screenshots of the investigator's workspace for docs/: the customer view, a case, search results, the rule editor.

Anyone can rerun it: it simulates a small exchange (`warden.sim`), makes its cases as the live flow does
(`warden.demo.pipeline.build_cases`: ingest, decide, monitor, alerts to cases) in a scratch store, serves the
console on a free port and drives headless chromium (Debian's, never a downloaded one) through Playwright.

    PYTHONPATH=src python scripts/screenshots.py [--out docs/screenshots] [--customers 300] [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

import sqlalchemy as sa
import uvicorn
from playwright.sync_api import sync_playwright

from warden.api.app import create_app
from warden.cases.staffing import add_user
from warden.cases.tables import cases
from warden.demo.pipeline import build_cases
from warden.events.tables import events
from warden.settings import Settings
from warden.sim import simulate_to_dir

PASSWORD = "screenshots-password"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--customers", type=int, default=300)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="warden-screenshots-") as tmp:
        root = Path(tmp)
        events_path, labels_path = simulate_to_dir(args.customers, args.days, 7, root / "sim")
        built = build_cases(events_path, root / "data", Settings(data_dir=root / "data"), labels_path)
        store = built.store
        with store.engine.begin() as conn:
            add_user(conn, "sam", "senior_analyst", PASSWORD, actor="screenshots")
            top = conn.execute(
                sa.select(cases.c.case_id, cases.c.subject_customer)
                .where(cases.c.subject_customer.is_not(None))
                .order_by(cases.c.priority.desc())
                .limit(1)
            ).one()
            kyc = conn.execute(
                sa.select(events.c.payload).where(
                    events.c.customer_id == top.subject_customer, events.c.type == "kyc_submission"
                )
            ).scalar()
        query = json.loads(kyc)["email"] if kyc else top.subject_customer
        settings = Settings(data_dir=root / "data", database_url=f"sqlite:///{root / 'data' / 'warden.db'}")
        port = _free_port()
        server = uvicorn.Server(uvicorn.Config(create_app(settings, store), port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        try:
            with sync_playwright() as driver:
                browser = driver.chromium.launch(executable_path=args.chromium, headless=True)
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.goto(f"{base}/login?next=/")
                page.fill("#username", "sam")
                page.fill("#password", PASSWORD)
                page.click("#sign-in")
                page.wait_for_selector("#signed-in-as")
                shots = {
                    "customer-view.png": f"/customers/{top.subject_customer}",
                    "case.png": f"/cases/{top.case_id}",
                    "search-results.png": None,
                    "rule-editor.png": "/rules/editor",
                }
                for name, path in shots.items():
                    if path is None:
                        page.fill("#search-box", query)
                        page.press("#search-box", "Enter")
                    else:
                        page.goto(base + path)
                    page.wait_for_load_state("networkidle")
                    page.wait_for_timeout(1500)  # the fund-flow layout settles
                    page.screenshot(path=str(args.out / name), full_page=name != "case.png")
                    print(args.out / name)
                browser.close()
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            store.dispose()


if __name__ == "__main__":
    main()

"""The drafted SAR narrative, the optional LLM rewrite against a real local HTTP server, and saving the
reviewer's text on the case (timeline + audit)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from warden.access.roles import Actor
from warden.audit.log import recent_records
from warden.cases.alerts import CaseAlert, add_alert
from warden.cases.errors import CaseError
from warden.cases.narrative import draft_narrative, rewrite_narrative, save_narrative, saved_narrative
from warden.cases.repository import get_case
from warden.settings import Settings
from warden.store.db import Store

from .events_helper import add_events

ANA = Actor("ana", "analyst")


def _case(store: Store) -> str:
    with store.engine.begin() as conn:
        add_events(
            conn,
            [
                {
                    "event_id": "k1",
                    "type": "kyc_submission",
                    "customer_id": "cus_1",
                    "minutes": -500000,
                    "full_name": "Maria Lopez",
                    "date_of_birth": "1980-02-03",
                    "nationality": "AR",
                    "document_type": "passport",
                    "document_number": "AB123",
                    "address": "1 Main St, Buenos Aires, AR",
                },
                {"event_id": "l1", "type": "login", "customer_id": "cus_1", "minutes": 50, "device_id": "d1"},
                {
                    "event_id": "w1",
                    "type": "withdrawal",
                    "customer_id": "cus_1",
                    "minutes": 60,
                    "asset": "USDT",
                    "network": "tron",
                    "amount": "9800",
                    "amount_usd": "9800.00",
                    "to_address": "TXYZ123",
                },
            ],
        )
        return add_alert(
            conn,
            CaseAlert(
                alert_id="decision:w1",
                source="decision",
                typology="withdrawal_volume_24h",
                customer_ids=["cus_1"],
                score=0.8,
                severity="high",
                amount_usd=Decimal("9800.00"),
                event_ids=["l1", "w1"],
                evidence={"outcome": "hold", "reasons": ["9800 USD withdrawn in 24 h"], "rule_hits": []},
            ),
        ).case_id


def test_draft_says_who_what_when_how_much_and_why(store: Store) -> None:
    case_id = _case(store)
    with store.engine.connect() as conn:
        text = draft_narrative(conn, case_id)
        assert draft_narrative(conn, case_id) == text  # deterministic
    assert "customer cus_1, Maria Lopez, born 1980-02-03, nationality AR" in text
    assert "2026-01-01 01:00 UTC: withdrawal w1 of 9800 USDT (9,800.00 USD) on tron to TXYZ123" in text
    assert "for a total of 9,800.00 USD" in text
    assert "- 9800 USD withdrawn in 24 h (decision: hold)" in text
    assert "Addresses involved: TXYZ123." in text  # crypto addresses only, not the KYC postal address
    assert "- 1 login in the same period (not listed)" in text and "l1" not in text


def test_saved_narrative_is_on_the_timeline_and_the_audit_log(store: Store) -> None:
    case_id = _case(store)
    with store.engine.begin() as conn:
        assert saved_narrative(conn, case_id) is None
        save_narrative(conn, case_id, ANA, "first version")
        save_narrative(conn, case_id, ANA, "  edited version  ")
        with pytest.raises(CaseError, match="needs some text"):
            save_narrative(conn, case_id, ANA, "   ")
    with store.engine.connect() as conn:
        saved = saved_narrative(conn, case_id)
        kinds = [t["kind"] for t in get_case(conn, case_id)["timeline"]]
        audit = [r for r in recent_records(conn, 10) if r.action == "case.narrative"]
    assert saved is not None and saved["text"] == "edited version" and saved["saved_by"] == "ana"
    assert kinds.count("narrative") == 2
    assert len(audit) == 2


class _ChatServer:
    """A tiny OpenAI-compatible chat-completions server: answers with the user's text upper-cased, or with
    the status it is told to use."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 200
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
                if outer.status != 200:
                    self.send_response(outer.status)
                    self.end_headers()
                    return
                text = body["messages"][-1]["content"].upper()
                answer = {"choices": [{"index": 0, "message": {"role": "assistant", "content": text}}]}
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def chat_server() -> Iterator[_ChatServer]:
    server = _ChatServer()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


def test_llm_rewrite_uses_the_chat_completions_endpoint(chat_server: _ChatServer, settings: Settings) -> None:
    configured = settings.model_copy(update={"llm_url": chat_server.url, "llm_model": "tiny", "llm_api_key": "k"})
    result = rewrite_narrative("draft text", configured)
    assert result.rewritten and result.text == "DRAFT TEXT" and result.model == "tiny" and result.error is None
    sent = chat_server.requests[0]
    assert sent["path"] == "/v1/chat/completions" and sent["auth"] == "Bearer k"
    assert sent["body"]["model"] == "tiny" and sent["body"]["messages"][-1] == {"role": "user", "content": "draft text"}


def test_llm_failure_or_absence_keeps_the_draft_and_says_why(chat_server: _ChatServer, settings: Settings) -> None:
    off = rewrite_narrative("draft text", settings)
    assert not off.rewritten and off.text == "draft text" and "WARDEN_LLM_URL" in (off.error or "")
    chat_server.status = 503
    failed = rewrite_narrative("draft text", settings.model_copy(update={"llm_url": chat_server.url}))
    assert not failed.rewritten and failed.text == "draft text" and "HTTP 503" in (failed.error or "")
    chat_server.server.shutdown()
    chat_server.server.server_close()
    down = rewrite_narrative("draft text", settings.model_copy(update={"llm_url": chat_server.url, "llm_timeout_s": 2}))
    assert not down.rewritten and "draft kept" in (down.error or "")

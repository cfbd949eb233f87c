"""The JSON Schema of the event contract, generated from the models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from warden.events.models import CONTRACT_VERSION, EVENT_ADAPTER

SCHEMA_FILE = f"event.v{CONTRACT_VERSION}.schema.json"


def event_json_schema() -> dict[str, Any]:
    schema = EVENT_ADAPTER.json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://warden.dev/schemas/{SCHEMA_FILE}"
    schema["title"] = f"Warden event, contract version {CONTRACT_VERSION}"
    return schema


def render_schema() -> str:
    return json.dumps(event_json_schema(), indent=2, sort_keys=True) + "\n"


def committed_schema_path(repo_root: Path) -> Path:
    return repo_root / "schemas" / SCHEMA_FILE

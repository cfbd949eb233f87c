"""The event contract in the OpenAPI document: the body of POST /v1/decisions and its answers.

The route is served ahead of FastAPI (api/app.py `WardenApp`), so its documented schema is written here, from the
same models that validate it. The event types go into `components/schemas` as `Event<Type>` (the document has its
own `Login`, the sign-in form), so every `$ref` of the body resolves in the published document.
"""

from __future__ import annotations

from typing import Any

from warden.events.models import EVENT_ADAPTER
from warden.rules.outcome import Outcome

COMPONENT_PREFIX = "Event"
_REF_TEMPLATE = "#/components/schemas/" + COMPONENT_PREFIX + "{model}"

# What every decision record carries (decisions/record.py); the rest of the record is described in docs/decisions.md.
DECISION_RECORD: dict[str, Any] = {
    "type": "object",
    "required": ["event_id", "outcome", "score", "reasons"],
    "properties": {
        "event_id": {"type": "string"},
        "outcome": {"type": "string", "enum": [o.label for o in Outcome]},
        "score": {"type": "number"},
        "reasons": {"type": "array", "items": {"type": "string"}},
    },
    "additionalProperties": True,
}

VALIDATION_ERROR_RESPONSE: dict[str, Any] = {
    "description": "the event breaks the contract: one entry per problem, `loc` is the field path",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}},
}

KEY_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "no API key, or one that is unknown or revoked"},
    403: {"description": "the API key lacks the scope of this route"},
}


def event_body_schema() -> tuple[dict[str, Any], dict[str, Any]]:
    """The request body's schema (a `oneOf` by `type`) and the component schemas it refers to."""
    schema = EVENT_ADAPTER.json_schema(mode="validation", ref_template=_REF_TEMPLATE)
    defs = schema.pop("$defs", {})
    return schema, {COMPONENT_PREFIX + name: body for name, body in defs.items()}


CONFLICT: dict[str, Any] = {
    "type": "object",
    "properties": {"detail": {"type": "string"}, "event_id": {"type": "string"}},
    "required": ["detail", "event_id"],
}


def decision_responses() -> dict[int | str, dict[str, Any]]:
    record = {"application/json": {"schema": DECISION_RECORD}}
    return {
        201: {"description": "decided now: the new decision record", "content": record},
        200: {"description": "decided before (the same event_id): the stored decision record", "content": record},
        409: {
            "description": "the event_id was received before with a different body; nothing was decided",
            "content": {"application/json": {"schema": CONFLICT}},
        },
        422: VALIDATION_ERROR_RESPONSE,
        **KEY_RESPONSES,
    }

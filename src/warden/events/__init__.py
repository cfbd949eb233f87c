"""The event contract: typed models, JSON Schema and ingest."""

from warden.events.models import EVENT_ADAPTER, EVENT_TYPES, AnyEvent, EventBase

__all__ = ["EVENT_ADAPTER", "EVENT_TYPES", "AnyEvent", "EventBase"]

"""The Redis store gives the same values as the in-process one (real Redis at WARDEN_TEST_REDIS_URL)."""

import os
import uuid

import pytest
from tests.simulated import simulated

from warden.features.online import InProcessFeatureStore

pytestmark = pytest.mark.redis


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("WARDEN_TEST_REDIS_URL")
    if not url:
        reason = "WARDEN_TEST_REDIS_URL is not set"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI=true: service tests must run)")
        pytest.skip(reason)
    return url


def test_redis_store_equals_in_process(redis_url: str) -> None:
    from warden.features.redis_store import RedisFeatureStore

    data = simulated(21, days=30)
    local = InProcessFeatureStore()
    shared = RedisFeatureStore(redis_url, prefix=f"warden:test:{uuid.uuid4().hex}:")
    try:
        for event in data.events:
            assert shared.features_for(event) == local.features_for(event), event.event_id
            local.update(event)
            shared.update(event)
        shared.flush()
        # a second process attached to the same Redis sees the same state
        again = RedisFeatureStore(redis_url, prefix=shared.prefix)
        probe = data.events[-1]
        local.flush()
        assert again.features_for(probe) == local.features_for(probe)
    finally:
        assert shared.clear() > 0

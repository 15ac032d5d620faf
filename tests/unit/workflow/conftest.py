from datetime import UTC, datetime

import pytest

from elasticache_autoscaler.models.workflow import Execution
from elasticache_autoscaler.workflow.observe import ObserveDeps
from tests.fakes.adapters import (
    FakeDecisionLog,
    FakeElastiCache,
    FakeMetrics,
    FakeObservationStore,
    FakePolicies,
    FakeState,
    topology,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
ARN = "arn:aws:states:us-east-1:123456789012:execution:ScalingStateMachine:run-1"


@pytest.fixture
def execution() -> Execution:
    return Execution(arn=ARN, started_at=NOW)


@pytest.fixture
def elasticache() -> FakeElastiCache:
    fake = FakeElastiCache()
    fake.add(topology("orders", shards=1, replicas=1))
    fake.add(topology("sessions", shards=1, replicas=1), managed=False)
    return fake


@pytest.fixture
def policies() -> FakePolicies:
    return FakePolicies()


@pytest.fixture
def state() -> FakeState:
    return FakeState()


@pytest.fixture
def log() -> FakeDecisionLog:
    return FakeDecisionLog()


@pytest.fixture
def store() -> FakeObservationStore:
    return FakeObservationStore()


@pytest.fixture
def deps(
    elasticache: FakeElastiCache,
    policies: FakePolicies,
    state: FakeState,
    log: FakeDecisionLog,
    store: FakeObservationStore,
) -> ObserveDeps:
    return ObserveDeps(
        elasticache=elasticache,
        metrics=FakeMetrics(),
        policies=policies,
        state=state,
        log=log,
        managed_tag_key="elasticache-autoscaler:managed",
        paused_tag_key="elasticache-autoscaler:paused",
        store=store,
    )

"""The reconcile handler: its schedule's tick reconciles every group, a succeeded execution reconciles that
execution's group (and may follow up), anything else is an error naming the field."""

import pytest

from elasticache_autoscaler import wiring
from elasticache_autoscaler.errors import InvalidInputError
from elasticache_autoscaler.workflow.follow_up import FollowUpDeps
from elasticache_autoscaler.workflow.reconcile import ReconcileDeps
from tests.fakes.adapters import FakeAlarmStore, FakePolicies, topology
from tests.unit.test_handlers import Context, Fakes, _event, fakes, handler

__all__ = ["fakes"]  # the fixture, imported


@pytest.fixture
def store(fakes: Fakes, monkeypatch: pytest.MonkeyPatch) -> FakeAlarmStore:
    alarms = FakeAlarmStore()
    fakes.elasticache.add(topology("carts"))
    deps = ReconcileDeps(
        fakes.elasticache,
        alarms,
        FakePolicies(),
        "ecas-",
        "stack",
        "elasticache-autoscaler:managed",
        fakes.elasticache,
    )
    monkeypatch.setattr(wiring, "reconcile_deps", lambda: deps)
    monkeypatch.setattr(wiring, "follow_up_deps", lambda: FollowUpDeps(deps, fakes.starter))
    return alarms


def test_the_tick_reconciles_every_group(store: FakeAlarmStore) -> None:
    answer = handler("reconcile").lambda_handler(_event("reconcile_tick.json"), Context())
    assert answer["groups"] == ["carts", "orders"]
    assert {name.split(".")[0] for name in store.alarms} == {"ecas-carts", "ecas-orders"}


def test_a_succeeded_execution_reconciles_its_group_only(store: FakeAlarmStore) -> None:
    answer = handler("reconcile").lambda_handler(_event("execution_succeeded.json"), Context())
    assert answer["cluster"] == "orders"
    assert {name.split(".")[0] for name in store.alarms} == {"ecas-orders"}
    assert answer["why"] == "no alarm of the group in ALARM"


@pytest.mark.parametrize(
    ("event", "named"),
    [({"source": "elasticache-autoscaler.schedule"}, "source"), ({"source": "aws.states"}, "detail")],
)
def test_anything_else_is_an_error_naming_the_field(
    store: FakeAlarmStore, event: dict[str, str], named: str
) -> None:
    with pytest.raises(InvalidInputError, match=named):
        handler("reconcile").lambda_handler(event, Context())
    assert store.alarms == {}

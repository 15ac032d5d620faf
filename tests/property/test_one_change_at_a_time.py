"""Under any interleaving of two executions for the same cluster — including a lock lease that runs out
while a change is still running — at most one mutating ElastiCache call is ever in flight.

Each execution runs the real lock and act steps against an in-memory group whose change stays in flight
until the scheduler decides it finishes; the scheduler (hypothesis) picks who moves next and when time jumps.
"""

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from elasticache_autoscaler.errors import GroupBusyError
from elasticache_autoscaler.models.act import ActRequest
from elasticache_autoscaler.models.actions import Action
from elasticache_autoscaler.models.decision import Capacity, Decision
from elasticache_autoscaler.models.decision_record import DecisionRecord
from elasticache_autoscaler.models.lock import LockRequest
from elasticache_autoscaler.models.policy import Policy
from elasticache_autoscaler.models.record import RecordKey
from elasticache_autoscaler.models.snapshot import Topology
from elasticache_autoscaler.workflow.act_step import ActDeps, act
from elasticache_autoscaler.workflow.lock_step import handle_lock
from tests.fakes.adapters import FakeDecisionLog, FakeState, topology

START = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
LEASE_SECONDS = 600


@dataclass
class OneGroup:
    """A replication group whose change stays in flight until ``finish`` is called."""

    topo: Topology = field(default_factory=lambda: topology("orders", replicas=1))
    in_flight: int = 0
    most_in_flight: int = 0
    calls: int = 0

    def read_topology(self, group_id: str) -> Topology:
        return self.topo.model_copy(update={"status": "modifying" if self.in_flight else "available"})

    def tags(self, group_id: str) -> dict[str, str]:
        return {"elasticache-autoscaler:managed": "true"}

    def read_topology_and_tags(
        self, group_id: str, *, node_types: bool = True
    ) -> tuple[Topology, dict[str, str]]:
        return self.read_topology(group_id), self.tags(group_id)

    def read_topology_tags_and[T](
        self, group_id: str, beside: Callable[[Topology], T]
    ) -> tuple[Topology, dict[str, str], T]:
        topology, tags = self.read_topology_and_tags(group_id)
        return topology, tags, beside(topology)

    def group_of_member(self, cache_cluster_id: str) -> str | None:
        return None

    def list_group_ids(self) -> list[str]:
        return ["orders"]

    def _mutate(self) -> str:
        self.calls += 1
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        return "called"

    def set_replica_count(
        self, group_id: str, replicas_per_shard: int, topology: Topology | None = None
    ) -> str:
        return self._mutate()

    def set_shard_count(
        self, group_id: str, shards: int, shard_memory: Mapping[str, float], topology: Topology | None = None
    ) -> str:
        return self._mutate()

    def set_node_type(self, group_id: str, node_type: str, topology: Topology | None = None) -> str:
        return self._mutate()

    def finish(self) -> None:
        self.in_flight = max(0, self.in_flight - 1)


@dataclass
class World:
    group: OneGroup = field(default_factory=OneGroup)
    state: FakeState = field(default_factory=FakeState)
    log: FakeDecisionLog = field(default_factory=FakeDecisionLog)
    now: datetime = START


def execution(world: World, name: str, replicas: int) -> Iterator[str]:
    """One workflow execution, a step per `next`: acquire the lock, act (retrying while busy), wait until
    the group is available again, release. Yields what it just did."""
    key = RecordKey(cluster="orders", decided_at=f"2026-11-26T12:00:00.00000{ord(name[-1]) % 10}Z")
    current = Capacity(node_type="cache.r7g.large", shards=1, replicas_per_shard=1)
    decision = Decision(
        action=Action.ADD_REPLICAS,
        current=current,
        target=current.model_copy(update={"replicas_per_shard": replicas}),
        reasons=("test",),
        dry_run=False,
    )
    world.log.put(
        DecisionRecord(
            cluster="orders",
            decided_at=key.decided_at,
            action=decision.action,
            current=current,
            target=decision.target,
            reasons=decision.reasons,
            mode="act",
            status="planned",
            trigger="console",
            execution_arn=name,
            expires_at=0,
        )
    )
    lock = handle_lock(
        LockRequest(op="acquire", cluster="orders", owner=name), world.state, world.now, LEASE_SECONDS
    )
    if not lock.acquired:
        yield "skipped: lock held"
        return
    yield "locked"
    for _attempt in range(6):  # the state machine's Retry on GroupBusyError
        try:
            result = act(
                ActRequest(cluster="orders", decision=decision, record=key, owner=name, policy=Policy()),
                ActDeps(
                    elasticache=world.group,
                    log=world.log,
                    state=world.state,
                    managed_tag_key="elasticache-autoscaler:managed",
                    paused_tag_key="elasticache-autoscaler:paused",
                    lease_seconds=LEASE_SECONDS,
                ),
                world.now,
            )
        except GroupBusyError:
            yield "busy"
            continue
        yield f"skipped: {result.skip}" if result.skipped else "acted"
        break
    else:
        yield "gave up"
    while world.group.read_topology("orders").status != "available":
        yield "waiting"
    handle_lock(
        LockRequest(op="release", cluster="orders", owner=name), world.state, world.now, LEASE_SECONDS
    )
    yield "released"


MOVES = st.lists(st.sampled_from(["a", "b", "finish", "jump"]), min_size=1, max_size=60)


@settings(max_examples=300, deadline=None)
@given(moves=MOVES, start_b_at=st.integers(min_value=0, max_value=20))
def test_at_most_one_mutating_call_in_flight(moves: list[str], start_b_at: int) -> None:
    world = World()
    runs: dict[str, Iterator[str]] = {"a": execution(world, "exec-a", replicas=2)}
    for step, move in enumerate(moves):
        if step == start_b_at:
            runs["b"] = execution(world, "exec-b", replicas=3)
        if move == "finish":
            world.group.finish()
        elif move == "jump":
            world.now += timedelta(seconds=LEASE_SECONDS + 1)  # every lease has run out
        elif move in runs:
            next(runs[move], None)
        assert world.group.most_in_flight <= 1


def test_the_model_can_fail_without_the_quiescence_check() -> None:
    """The property above is not vacuous: two calls do overlap when nothing re-reads the group."""
    group = OneGroup()
    group.set_replica_count("orders", 2)
    group.set_replica_count("orders", 3)
    assert group.most_in_flight == 2

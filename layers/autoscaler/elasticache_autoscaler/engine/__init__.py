"""The decision engine: a pure function from (snapshot, policy, history, now, request) to a Decision."""

from elasticache_autoscaler.engine.decide import OperatorRequest, decide

__all__ = ["OperatorRequest", "decide"]

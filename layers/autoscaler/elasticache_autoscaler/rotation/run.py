"""One entry point for the rotation function: run the step the workflow names."""

from datetime import datetime
from typing import assert_never

from elasticache_autoscaler.models.base import WireModel
from elasticache_autoscaler.models.rotation import CredentialStep, PrepareStep
from elasticache_autoscaler.rotation import steps
from elasticache_autoscaler.rotation.steps import RotationDeps


def run_step(  # noqa: PLR0911 - one return per step
    request: PrepareStep | CredentialStep, deps: RotationDeps, now: datetime
) -> WireModel:
    if isinstance(request, PrepareStep):
        return steps.prepare(request.request, request.execution, deps)
    match request.step:
        case "stage":
            return steps.stage(request, deps)
        case "apply":
            return steps.apply(request, deps, now)
        case "check_applied" | "check_finalized":
            return steps.check(request, deps, now)
        case "verify":
            return steps.verify(request, deps)
        case "promote":
            return steps.promote(request, deps)
        case "finalize":
            return steps.finalize(request, deps, now)
        case _:
            assert_never(request.step)

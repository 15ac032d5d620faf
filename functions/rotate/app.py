"""Rotation workflow step: prepare, stage, apply, check, verify, promote or finalize one rotation."""

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from elasticache_autoscaler.models.rotation import RotationStep
from elasticache_autoscaler.observability import logger, trace_lambda_handler
from elasticache_autoscaler.parsing import parse
from elasticache_autoscaler.rotation.run import run_step
from elasticache_autoscaler.rotation.wiring import rotation_deps


@logger.inject_lambda_context(clear_state=True)
@trace_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, object]:
    return run_step(parse(RotationStep, event).root, rotation_deps(), datetime.now(UTC)).to_wire()

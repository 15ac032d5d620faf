"""Typed boto3 clients, created once per process and shared by the adapters."""

from functools import cache
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_elasticache import ElastiCacheClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_resourcegroupstaggingapi import ResourceGroupsTaggingAPIClient
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_stepfunctions import SFNClient

# Standard retry mode: exponential backoff with jitter on throttling and transient errors.
RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 5})


@cache
def elasticache() -> "ElastiCacheClient":
    return boto3.client("elasticache", config=RETRIES)


# Mutating ElastiCache calls have no idempotency token (DESIGN §9): botocore must never re-send one (its
# standard mode retries read timeouts and 5xx answers, which may follow an applied change). One attempt, a
# bounded wait for the answer; the caller maps throttling and lost answers to typed errors and the workflow
# retries the whole Act step, which re-reads the group first.
CHANGES = Config(retries={"mode": "standard", "total_max_attempts": 1}, connect_timeout=5, read_timeout=10)


@cache
def elasticache_changes() -> "ElastiCacheClient":
    return boto3.client("elasticache", config=CHANGES)


@cache
def cloudwatch() -> "CloudWatchClient":
    return boto3.client("cloudwatch", config=RETRIES)


@cache
def dynamodb() -> "DynamoDBClient":
    return boto3.client("dynamodb", config=RETRIES)


@cache
def stepfunctions() -> "SFNClient":
    return boto3.client("stepfunctions", config=RETRIES)


@cache
def sns() -> "SNSClient":
    return boto3.client("sns", config=RETRIES)


@cache
def tagging() -> "ResourceGroupsTaggingAPIClient":
    return boto3.client("resourcegroupstaggingapi", config=RETRIES)


def events() -> "EventBridgeClient":
    return boto3.client("events", config=RETRIES)

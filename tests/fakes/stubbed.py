"""boto3 clients for botocore Stubber contract tests: they never leave the process (dummy keys), retry as
the runtime's reads do (``aws.RETRIES``), and each test's Stubber must use every answer it was given."""

from collections.abc import Iterator
from typing import TYPE_CHECKING

import boto3
from botocore.client import BaseClient
from botocore.stub import Stubber

from elasticache_autoscaler.adapters import aws

if TYPE_CHECKING:
    from mypy_boto3_elasticache import ElastiCacheClient
    from mypy_boto3_resourcegroupstaggingapi import ResourceGroupsTaggingAPIClient

REGION, KEY = "us-east-1", "testing"  # a dummy key: the client never leaves the process


def offline_elasticache() -> "ElastiCacheClient":
    return boto3.client(
        "elasticache",
        region_name=REGION,
        config=aws.RETRIES,
        aws_access_key_id=KEY,
        aws_secret_access_key=KEY,
    )


def offline_tagging() -> "ResourceGroupsTaggingAPIClient":
    return boto3.client(
        "resourcegroupstaggingapi",
        region_name=REGION,
        config=aws.RETRIES,
        aws_access_key_id=KEY,
        aws_secret_access_key=KEY,
    )


def stubbed(client: BaseClient) -> Iterator[Stubber]:
    """A fixture's body: a Stubber active on ``client`` for one test, every response used by its end."""
    with Stubber(client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()

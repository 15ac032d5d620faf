"""The AWS clients one console command uses, from one boto3 session (``--region`` or the default)."""

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import boto3

from elasticache_autoscaler.adapters import aws
from elasticache_autoscaler_cli.console.stack import StackOutputs, resolve_stack

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_elasticache import ElastiCacheClient
    from mypy_boto3_resourcegroupstaggingapi import ResourceGroupsTaggingAPIClient
    from mypy_boto3_ssm import SSMClient


@dataclass
class Clients:
    session: boto3.Session

    @classmethod
    def for_region(cls, region: str | None) -> "Clients":
        return cls(boto3.Session(region_name=region) if region else boto3.Session())

    @cached_property
    def dynamodb(self) -> "DynamoDBClient":
        return self.session.client("dynamodb", config=aws.RETRIES)

    @cached_property
    def elasticache(self) -> "ElastiCacheClient":
        return self.session.client("elasticache", config=aws.RETRIES)

    @cached_property
    def cloudwatch(self) -> "CloudWatchClient":
        return self.session.client("cloudwatch", config=aws.RETRIES)

    @cached_property
    def ssm(self) -> "SSMClient":
        return self.session.client("ssm", config=aws.RETRIES)

    @cached_property
    def tagging(self) -> "ResourceGroupsTaggingAPIClient":
        return self.session.client("resourcegroupstaggingapi", config=aws.RETRIES)

    def stack(self, name: str) -> StackOutputs:
        return resolve_stack(name, self.session.client("cloudformation", config=aws.RETRIES))

"""The policy store's fake: the same merge, parsing and validation as the SSM store, over texts in memory."""

import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from elasticache_autoscaler.adapters.policy_store import (
    cluster_name,
    default_name,
    kind_policy_from,
    parse_document,
    policy_from,
)
from elasticache_autoscaler.models.policy import Policy


@dataclass
class InMemoryPolicyStore:
    """The store's fake: the same merge, parsing and validation over JSON texts held in memory."""

    prefix: str = "/elasticache-autoscaler/test"
    parameters: dict[str, str] = field(default_factory=dict)

    def put_default(self, document: dict[str, Any] | str) -> None:
        self.parameters[default_name(self.prefix)] = (
            document if isinstance(document, str) else json.dumps(document)
        )

    def put_cluster(self, cluster: str, document: dict[str, Any] | str) -> None:
        text = document if isinstance(document, str) else json.dumps(document)
        self.parameters[cluster_name(self.prefix, cluster)] = text

    def _read(self, name: str) -> dict[str, Any]:
        text = self.parameters.get(name)
        return {} if text is None else parse_document(name, text)

    def policy_for(self, cluster: str) -> Policy:
        default, override = default_name(self.prefix), cluster_name(self.prefix, cluster)
        return policy_from(self._read(default), self._read(override), f"policy {default} + {override}")

    def kind_policy_for[P: BaseModel](self, cluster: str, model: type[P]) -> P:
        default, override = default_name(self.prefix), cluster_name(self.prefix, cluster)
        source = f"policy {default} + {override}"
        return kind_policy_from(model, self._read(default), self._read(override), source)

"""The one base class for wire models: camelCase on the wire, snake_case in Python, immutable."""

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class WireModel(BaseModel):
    """A model that crosses a boundary (workflow state, SSM, DynamoDB, the console)."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        frozen=True,
        extra="forbid",
        hide_input_in_errors=True,
        # A model's own validator and serializer are compiled when it is first validated or dumped, not
        # when its class is made: one only ever used inside others (a Capacity inside a Decision) never
        # compiles its own, and a function compiles what it validates, not every model it imports
        # (issue 15, cold starts; measured on import plus the first invocation, not import alone).
        defer_build=True,
    )

    def to_wire(self) -> dict[str, object]:
        return self.model_dump(mode="json", by_alias=True)

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
    )

    def to_wire(self) -> dict[str, object]:
        return self.model_dump(mode="json", by_alias=True)

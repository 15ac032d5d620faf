"""Parse an event into its model at the edge; a bad one is an InvalidInputError naming every bad field."""

from typing import Any

from pydantic import BaseModel, ValidationError

from elasticache_autoscaler.errors import InvalidInputError
from elasticache_autoscaler.validation import name_the_fields


def parse[M: BaseModel](model: type[M], event: Any) -> M:
    try:
        return model.model_validate(event)
    except ValidationError as error:
        raise InvalidInputError(f"invalid {model.__name__}: {name_the_fields(error)}") from None

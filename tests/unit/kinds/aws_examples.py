"""AWS's own published example answers (botocore's ``elasticache`` ``examples-1.json``), for parser tests."""

from typing import Any, cast

import botocore.session


def elasticache_example(operation: str, example_id: str, **input_fields: object) -> dict[str, Any]:
    """The ``output`` of the example of ``operation`` with this id whose input has ``input_fields``."""
    loader = botocore.session.get_session().get_component("data_loader")
    examples = loader.load_service_model("elasticache", "examples-1")["examples"][operation]
    for example in examples:
        wanted = example["id"] == example_id
        if wanted and all(example["input"].get(k) == v for k, v in input_fields.items()):
            return cast("dict[str, Any]", example["output"])
    raise LookupError(f"{operation} example {example_id} with {input_fields} not in botocore")

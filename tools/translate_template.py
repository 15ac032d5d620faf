"""Translate template.yaml with the SAM translator into plain CloudFormation, so cfn-lint checks what SAM
generates (IAM roles, the state machine, event sources), not only what we wrote. No AWS access needed:
the few AWS managed policies SAM attaches are mapped by name here."""

import json
import os
import sys
from pathlib import Path
from typing import Any

from samcli.yamlhelper import yaml_parse
from samtranslator.translator.transform import transform

ROOT = Path(__file__).resolve().parents[1]
MANAGED_POLICIES = {
    name: f"arn:aws:iam::aws:policy/{name}"
    for name in ("AWSXrayWriteOnlyAccess", "AWSXRayDaemonWriteAccess", "AWSLambdaBasicExecutionRole")
}
MANAGED_POLICIES["AWSLambdaBasicExecutionRole"] = (
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
)


def _as_packaged(template: dict[str, Any]) -> None:
    """What `sam package` does: code locations become S3 URIs; the ASL file is inlined."""
    for name, resource in template["Resources"].items():
        props = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if key in props:
                props[key] = f"s3://artifacts/{name}.zip"
        if "DefinitionUri" in props:
            props["Definition"] = json.loads((ROOT / props.pop("DefinitionUri")).read_text())


class _Loader:
    def load(self) -> dict[str, str]:
        return MANAGED_POLICIES


def translate() -> dict[str, Any]:
    """template.yaml as plain CloudFormation: what SAM generates from it."""
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    template = yaml_parse((ROOT / "template.yaml").read_text())
    _as_packaged(template)
    translated: dict[str, Any] = transform(template, {"AWS::Region": "us-east-1"}, _Loader())
    return translated


def main(out: str) -> None:
    translated = translate()
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(translated, indent=1))
    print(f"translated template written to {path}")


if __name__ == "__main__":
    main(sys.argv[1])

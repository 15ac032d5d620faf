"""Each *built* function imports in a clean interpreter that sees only its own code and its layer, as in
Lambda: the emulator would hide a missing dependency, because its own venv's packages are importable."""

import subprocess
from pathlib import Path
from typing import Any

import pytest
from samcli.yamlhelper import yaml_parse

from tests.pins import name, requirements
from tools.local_stack import PYTHON_313_BIN, REPO_ROOT

pytestmark = pytest.mark.emulator

TEMPLATE: dict[str, Any] = yaml_parse((REPO_ROOT / "template.yaml").read_text())
# Every function the template deploys, read from it: a function added to the template is probed too.
FUNCTIONS = sorted(
    name for name, r in TEMPLATE["Resources"].items() if r["Type"] == "AWS::Serverless::Function"
)
PROBE = """
import sys
sys.path[:0] = [sys.argv[1], sys.argv[2]]
import app
assert callable(app.lambda_handler)
leaked = [m for m in ("moto", "pytest", "hypothesis", "samcli", "matplotlib") if m in sys.modules]
assert not leaked, leaked
print("ok", app.__file__)
"""


@pytest.mark.parametrize("function", FUNCTIONS)
def test_built_function_imports_with_only_its_layer(built: Path, function: str) -> None:
    layer = built / "AutoscalerLayer" / "python"
    result = subprocess.run(
        [str(PYTHON_313_BIN / "python3.13"), "-I", "-S", "-c", PROBE, str(built / function), str(layer)],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "AWS_DEFAULT_REGION": "us-east-1"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert str(built / function) in result.stdout


def test_the_layer_ships_the_node_type_catalog(built: Path) -> None:
    data = built / "AutoscalerLayer" / "python" / "elasticache_autoscaler" / "data"
    assert (data / "elasticache_node_types.csv").stat().st_size > 1000


def test_every_function_of_the_template_is_probed_and_built(built: Path) -> None:
    """The probe list is the template's functions, and the build made an artifact for each, from its own
    functions/<name>/ folder (so none is silently left out of the probe above)."""
    code_uris = {TEMPLATE["Resources"][f]["Properties"]["CodeUri"].rstrip("/") for f in FUNCTIONS}
    assert code_uris == {str(p.parent.relative_to(REPO_ROOT)) for p in REPO_ROOT.glob("functions/*/app.py")}
    for function in FUNCTIONS:
        assert (built / function / "app.py").is_file(), f"{function} was not built"


def test_the_built_layer_ships_the_versions_the_tests_run(built: Path) -> None:
    """Every distribution `sam build` put in the layer, its dependencies' included, is at the version
    requirements/dev.txt pins: the functions run what the tests ran."""
    lock = requirements(REPO_ROOT / "requirements" / "dev.txt")
    shipped = sorted((built / "AutoscalerLayer" / "python").glob("*.dist-info"))
    assert len(shipped) >= 5, shipped
    for dist in shipped:
        package, version = dist.name.removesuffix(".dist-info").rsplit("-", 1)
        assert lock.get(name(package)) == f"=={version}", f"the layer ships {package} {version}"

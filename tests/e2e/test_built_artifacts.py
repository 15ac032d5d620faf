"""Each *built* function imports in a clean interpreter that sees only its own code and its layer, as in
Lambda: the emulator would hide a missing dependency, because its own venv's packages are importable."""

import subprocess
from pathlib import Path

import pytest

from tools.local_stack import PYTHON_313_BIN

pytestmark = pytest.mark.emulator

FUNCTIONS = ["OnAlarmFunction", "OnScheduleFunction", "ObserveFunction", "DecideFunction", "LockFunction"]
FUNCTIONS += ["ActFunction", "CheckFunction", "RecordFunction"]
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

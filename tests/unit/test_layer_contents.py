"""Issue 15, a lean layer: SAM ships everything under layers/autoscaler/ (the layer's ContentUri) to every
function. The operator CLI, console and simulator (~1 MB of scenarios) live in cli/elasticache_autoscaler_cli,
which the project installs and no Lambda function needs: none of it may come back into the layer, and nothing
the layer or a handler ships may import it (the import would fail in Lambda)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "layers" / "autoscaler"
RUNTIME = LAYER / "elasticache_autoscaler"
CLI_PACKAGE = "elasticache_autoscaler_cli"
# Names that belong to the CLI package: a file or folder with one of them in the layer is shipped in error.
CLI_ONLY = {"simulator", "console", "cli.py", "operator_switches.py", CLI_PACKAGE}


def _shipped(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if "__pycache__" not in p.parts and ".egg-info" not in str(p)]


def _cli_imports(source: Path) -> list[str]:
    """Every reference to the CLI package in one module: imports, and module names in strings
    (``importlib.import_module``)."""
    found = []
    for node in ast.walk(ast.parse(source.read_text(), filename=str(source))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names = [node.value]
        found += [
            f"{source.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}: {name}"
            for name in names
            if name == CLI_PACKAGE or name.startswith(CLI_PACKAGE + ".")
        ]
    return found


def test_the_layer_holds_no_cli_console_or_simulator() -> None:
    assert RUNTIME.is_dir()
    stray = [str(p.relative_to(ROOT)) for p in _shipped(LAYER) if p.name in CLI_ONLY]
    assert stray == [], f"belongs in cli/{CLI_PACKAGE}, not in the Lambda layer: {stray}"


@pytest.mark.parametrize(
    "root", [RUNTIME, ROOT / "functions"], ids=["layer elasticache_autoscaler", "functions"]
)
def test_nothing_shipped_to_lambda_imports_the_cli_package(root: Path) -> None:
    modules = sorted(root.rglob("*.py"))
    assert modules
    found = [hit for module in modules for hit in _cli_imports(module)]
    assert found == [], f"{CLI_PACKAGE} is not in the Lambda layer: {found}"

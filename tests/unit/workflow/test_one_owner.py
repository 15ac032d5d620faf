"""One owner per concern, read from the code itself: ``workflow.outcomes`` alone chooses a decision's status,
``workflow.lock_step`` alone takes, renews and releases a cluster's lock. A new module that writes a status
or touches the lock directly fails here, naming the file and line."""

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
RUNTIME = ROOT / "layers" / "autoscaler" / "elasticache_autoscaler"
SOURCES = (RUNTIME, ROOT / "functions", ROOT / "cli", ROOT / "tools")
STATUSES = frozenset({"planned", "in_progress", "succeeded", "failed", "skipped"})
LOCK_OPERATIONS = frozenset({"acquire_lock", "release_lock", "force_release_lock"})


def _modules(*exempt: Path) -> Iterator[tuple[Path, ast.Module]]:
    for source in SOURCES:
        for path in sorted(source.rglob("*.py")):
            if path not in exempt and "__pycache__" not in path.parts:
                yield path, ast.parse(path.read_text(), str(path))


def _is_status(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value in STATUSES


def _names_status(node: ast.expr) -> bool:
    """``x.status``, ``status``, ``record.get("status")``, ``record["status"]``."""
    match node:
        case ast.Attribute(attr="status") | ast.Name(id="status"):
            return True
        case ast.Call(func=ast.Attribute(attr="get"), args=[ast.Constant(value="status"), *_]):
            return True
        case ast.Subscript(slice=ast.Constant(value="status")):
            return True
    return False


def status_writes(tree: ast.Module) -> Iterator[int]:
    """Lines that set or test a decision status with a literal of their own."""
    for node in ast.walk(tree):
        match node:
            case ast.keyword(arg="status", value=value) if _is_status(value):
                yield node.lineno
            case ast.Dict(keys=keys, values=values):
                for key, value in zip(keys, values, strict=True):
                    if isinstance(key, ast.Constant) and key.value == "status" and _is_status(value):
                        yield node.lineno
            case ast.Compare(left=left, comparators=comparators):
                sides = (left, *comparators)
                if any(map(_names_status, sides)) and any(map(_is_status, sides)):
                    yield node.lineno


def lock_calls(tree: ast.Module) -> Iterator[int]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) in LOCK_OPERATIONS:
            yield node.lineno


def test_only_the_outcomes_module_chooses_a_decision_status() -> None:
    owner = RUNTIME / "workflow" / "outcomes.py"
    found = [
        f"{path.relative_to(ROOT)}:{line}" for path, tree in _modules(owner) for line in status_writes(tree)
    ]
    assert found == [], f"a status chosen outside workflow/outcomes.py: {found}"


def test_only_the_lock_step_takes_renews_or_releases_the_lock() -> None:
    owner = RUNTIME / "workflow" / "lock_step.py"
    found = [
        f"{path.relative_to(ROOT)}:{line}" for path, tree in _modules(owner) for line in lock_calls(tree)
    ]
    assert found == [], f"the lock touched outside workflow/lock_step.py: {found}"


def test_the_scans_see_what_they_look_for() -> None:
    """The scans themselves: each finds the pattern it exists to forbid."""
    writes = ast.parse(
        'log.advance(k, Outcome(status="failed"))\nd = {"status": "skipped"}\n'
        'if record.get("status") == "in_progress": pass\nif past.status != "planned": pass\n'
        'if r.outcome == "failed": pass\n'
    )
    assert sorted(status_writes(writes)) == [1, 2, 3, 4]
    assert list(lock_calls(ast.parse("deps.state.release_lock(c, o)\nstate.lock_holder(c, now)"))) == [1]

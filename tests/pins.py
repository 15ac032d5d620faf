"""Reading requirements files: the pins the layer, the lock and the built artifacts are compared by."""

import re
from pathlib import Path


def name(raw: str) -> str:
    """The PEP 503 normalised name, without extras: pydantic_core, Pydantic-Core -> pydantic-core."""
    return re.sub(r"[-_.]+", "-", raw.split("[", maxsplit=1)[0]).lower()


def requirements(path: Path) -> dict[str, str]:
    """name -> the rest of each requirement line (its specifier), skipping comments, options and blanks."""
    found: dict[str, str] = {}
    for raw in path.read_text().splitlines():
        line = raw.split("#", maxsplit=1)[0].strip()
        if not line or line.startswith("-"):
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*(?:\[[^\]]*\])?)\s*(.*)", line)
        assert match, f"{path.name}: cannot read {line!r}"
        found[name(match[1])] = match[2].strip()
    return found

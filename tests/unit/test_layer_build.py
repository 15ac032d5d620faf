"""Issue 15: the layer's makefile build (layers/autoscaler/Makefile). SAM gives a makefile build no
architecture, so the template's ContextPath picks arch/<Architecture>/Makefile: every architecture the
template allows has one, and each asks pip for that architecture's wheels and compiles everything it ships.
(`sam build` itself runs in tests/e2e; `make -n` here only prints what it would run.)"""

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from samcli.yamlhelper import yaml_parse

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "layers" / "autoscaler"
TEMPLATE: dict[str, Any] = yaml_parse((ROOT / "template.yaml").read_text())
ARCHITECTURES: list[str] = TEMPLATE["Parameters"]["Architecture"]["AllowedValues"]
PLATFORM = {"arm64": "aarch64", "x86_64": "x86_64"}


def test_the_layer_is_a_makefile_build_whose_context_names_the_architecture() -> None:
    metadata = TEMPLATE["Resources"]["AutoscalerLayer"]["Metadata"]
    assert metadata["BuildMethod"] == "makefile"
    assert metadata["BuildArchitecture"] == {"Ref": "Architecture"}
    assert metadata["ContextPath"] == {"Fn::Sub": "layers/autoscaler/arch/${Architecture}"}


NEEDS_MAKE = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


@NEEDS_MAKE
@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_each_architecture_builds_its_own_wheels_and_compiles_them(architecture: str, tmp_path: Path) -> None:
    makefile = LAYER / "arch" / architecture / "Makefile"
    dry_run = subprocess.run(
        ["make", "-n", "-f", str(makefile), "build-AutoscalerLayer", f"ARTIFACTS_DIR={tmp_path}"],
        cwd=LAYER,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    platforms = set(re.findall(r"--platform (\S+)", dry_run))
    assert platforms, dry_run
    assert all(p.endswith(PLATFORM[architecture]) for p in platforms), platforms
    assert "--only-binary=:all:" in dry_run
    assert "--python-version 3.13" in dry_run
    assert f"compileall -q -j0 --invalidation-mode unchecked-hash -s {tmp_path}/python" in dry_run.replace(
        '"', ""
    )


@NEEDS_MAKE
def test_an_unknown_architecture_is_refused(tmp_path: Path) -> None:
    refused = subprocess.run(
        ["make", "-f", str(LAYER / "Makefile"), "build-AutoscalerLayer", "ARCHITECTURE=ppc64le"],
        cwd=LAYER,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "ARTIFACTS_DIR": str(tmp_path)},
    )
    assert refused.returncode != 0
    assert "ARCHITECTURE must be arm64 or x86_64" in refused.stderr

"""The package works installed, not only from a checkout: the wheel carries marmot/ with its templates and
static files (and neither devtools/ nor tests/), and the installed ``marmot`` finds the project through
MARMOT_PROJECT_DIR or from the current folder, with an error naming the setting when it finds none."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from marmot.settings import PROJECT_DIR_ENV

ROOT = Path(__file__).resolve().parents[1]
NOT_SOURCE_AT_TOP = {".git", ".venv", "var", "build", "dist", "test-artifacts", "bench", ".ruff_cache"}
UV = shutil.which("uv")
pytestmark = pytest.mark.skipif(UV is None, reason="needs uv to build and install the wheel")


def not_source(folder: str, names: list[str]) -> set[str]:
    """What a copy of the checkout to build from leaves out: state, caches and earlier builds."""
    top = NOT_SOURCE_AT_TOP if Path(folder) == ROOT else set()
    return {n for n in names if n in top or n == "__pycache__" or n.endswith(".egg-info")}


def uv(*args: str, cwd: Path) -> str:
    result = subprocess.run([UV, *args], cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, f"uv {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    """(the wheel, a fresh venv with it installed at the lock's pins); built from a copy of the checkout so
    the build leaves nothing behind in it."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    shutil.copytree(ROOT, src, ignore=not_source)
    uv("build", "--wheel", "--offline", "-o", str(tmp / "dist"), str(src), cwd=tmp)
    (wheel,) = (tmp / "dist").glob("*.whl")
    pins = tmp / "pins.txt"
    uv("export", "--frozen", "--no-hashes", "--no-emit-project", "--no-dev", "-q", "-o", str(pins), cwd=src)
    venv = tmp / "venv"
    uv("venv", "-q", "--python", sys.executable, str(venv), cwd=tmp)
    install = ["pip", "install", "-q", "--python", str(venv / "bin" / "python"), "-r", str(pins), str(wheel)]
    try:  # uv's cache normally holds every pinned package; else they come from PyPI
        uv(*install, "--offline", cwd=tmp)
    except AssertionError:
        uv(*install, cwd=tmp)
    return wheel, venv


def test_the_wheel_holds_the_package_and_its_files_and_no_dev_tools(installed):
    wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    package_files = {p.relative_to(ROOT).as_posix() for p in (ROOT / "marmot").rglob("*")
                     if p.is_file() and "__pycache__" not in p.parts}
    assert any(n.endswith(".j2") for n in package_files) and any(n.endswith(".css") for n in package_files)
    assert package_files - names == set(), "files of marmot/ missing from the wheel"
    dist_info = next(n.split("/")[0] for n in names if ".dist-info/" in n)
    assert {n.split("/")[0] for n in names} == {"marmot", dist_info}, "the wheel holds more than the package"


def marmot(venv: Path, cwd: Path, project: Path | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in (PROJECT_DIR_ENV, "PYTHONPATH")}
    if project:
        env[PROJECT_DIR_ENV] = str(project)
    return subprocess.run([str(venv / "bin" / "marmot"), "contracts", "validate"], cwd=cwd, env=env,
                          capture_output=True, text=True)


def test_the_installed_command_finds_the_project(installed, tmp_path):
    _, venv = installed
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import marmot; print(marmot.__file__)"],
                           cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(venv)), where
    count = len(list((ROOT / "ingestion" / "contracts").glob("*.yml")))
    for cwd, project in ((tmp_path, ROOT), (ROOT / "dbt_project", None)):
        result = marmot(venv, cwd, project)
        assert result.returncode == 0, result.stderr
        assert f"{count} contracts valid" in result.stdout

    outside = marmot(venv, tmp_path, None)
    assert outside.returncode == 2 and "Traceback" not in outside.stderr
    assert f"set {PROJECT_DIR_ENV} to the folder holding ingestion/contracts" in outside.stderr

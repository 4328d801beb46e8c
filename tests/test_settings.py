"""marmot/settings.py is the one place the product reads its environment: no other module under marmot/
reads os.environ (a short list of writes is allowed, each with its reason), the README's settings table
lists exactly the MARMOT_* settings it defines, and the project folder is found as documented."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from marmot import settings

ROOT = Path(__file__).resolve().parents[1]
ENVIRON = {"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"}

# (file, line) -> why it may touch os.environ: each writes the environment (of this process or a child)
ALLOWED = {
    ("marmot/cli/__init__.py", "os.environ[HOME_ENV] = str(Path(args.home).resolve())"):
        "--home: the rest of the command (and the processes it starts) use that home",
    ("marmot/build/dbt.py", "os.environ.update(env)"):
        "dbt runs in this process and reads its settings (and MARMOT_HOME in profiles.yml) from the environment",
    ("marmot/build/dbt.py", 'os.environ[DBT_FULL_BUILD_ENV] = "1" if full_refresh else "0"'):
        "the models dbt runs in this process learn whether the build is a full one (settings.dbt_full_build)",
    ("marmot/orchestration/stage_process.py",
     "env={**os.environ, HOME_ENV: str(paths.home)}).returncode"):
        "the stage's child process gets this environment with the home it works on",
    ("marmot/orchestration/stage_server.py", '"env": {**os.environ, HOME_ENV: str(home)}, "cwd": os.getcwd()}'):
        "a stage the server forks runs with the environment of the task that asked for it",
    ("marmot/orchestration/stage_server.py", "os.environ.clear()"):
        "the forked stage drops the server's environment for its task's (next line)",
    ("marmot/orchestration/stage_server.py", 'os.environ.update(request["env"])'):
        "the forked stage runs with the environment of the task that asked for it",
    ("marmot/validate/gx_runner.py", 'os.environ.setdefault(GX_ANALYTICS_ENV, "False")'):
        "Great Expectations reads this switch from the environment: no usage statistics leave the machine",
}


def environment_uses(path: Path, root: Path = ROOT) -> set[tuple[str, str]]:
    """(file, line without its comment) of every use of os.environ, os.getenv and the like in a Python file."""
    source = path.read_text()
    lines = source.splitlines()
    found = set()
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Attribute) and node.attr in ENVIRON and isinstance(node.value, ast.Name)
                and node.value.id == "os") or (isinstance(node, ast.ImportFrom) and node.module == "os"
                                               and ENVIRON & {a.name for a in node.names}):
            found.add((path.relative_to(root).as_posix(), lines[node.lineno - 1].split("  # ")[0].strip()))
    return found


def test_only_settings_reads_the_environment():
    uses = set().union(*(environment_uses(p) for p in sorted((ROOT / "marmot").rglob("*.py"))
                         if p != ROOT / "marmot" / "settings.py"))
    assert uses - ALLOWED.keys() == set(), "read the environment in marmot/settings.py (one function per setting)"
    assert ALLOWED.keys() - uses == set(), "stale entries in ALLOWED"


def test_the_check_sees_every_way_of_reading_the_environment(tmp_path):
    module = tmp_path / "reads.py"
    module.write_text("import os\nfrom os import getenv\na = os.environ.get('X')\nb = os.getenv('Y')\nc = os.sep\n")
    assert environment_uses(module, tmp_path) == {
        ("reads.py", "from os import getenv"), ("reads.py", "a = os.environ.get('X')"),
        ("reads.py", "b = os.getenv('Y')")}


def defined_settings() -> set[str]:
    return {value for name, value in vars(settings).items()
            if name.endswith("_ENV") and isinstance(value, str) and value.startswith("MARMOT_")}


def readme_settings(readme: str) -> set[str]:
    section = readme.split("## Settings (environment)\n", 1)[1].split("\n## ", 1)[0]
    return {name for row in section.splitlines() if row.startswith("| `")
            for name in re.findall(r"`(MARMOT_[A-Z_]+)`", row.split("|")[1])}


def test_readme_lists_exactly_the_settings():
    listed = readme_settings((ROOT / "README.md").read_text())
    assert listed == defined_settings(), (
        f"missing from the README: {sorted(defined_settings() - listed)}; "
        f"not in settings.py: {sorted(listed - defined_settings())}")


def test_the_readme_check_fails_on_a_missing_or_unknown_row():
    readme = (ROOT / "README.md").read_text()
    assert readme_settings(readme.replace("| `MARMOT_KEEP_VERSIONS` |", "| KEEP |")) != defined_settings()
    extra = readme.replace("## Settings (environment)\n", "## Settings (environment)\n| `MARMOT_NOPE` | | |\n")
    assert readme_settings(extra) - defined_settings() == {"MARMOT_NOPE"}


# -- the project folder ---------------------------------------------------------------------------
@pytest.fixture
def project(tmp_path, monkeypatch):
    for env in (settings.PROJECT_DIR_ENV, settings.CONTRACTS_DIR_ENV, settings.DBT_PROJECT_DIR_ENV,
                settings.EXPECTATIONS_DIR_ENV):
        monkeypatch.delenv(env, raising=False)
    root = tmp_path / "project"
    (root / "ingestion" / "contracts").mkdir(parents=True)
    (root / "dbt_project" / "models").mkdir(parents=True)
    return root


def test_the_project_is_found_from_a_folder_inside_it(project, monkeypatch):
    monkeypatch.chdir(project / "dbt_project" / "models")
    assert settings.project_dir() == project
    assert settings.contracts_dir() == project / "ingestion" / "contracts"
    assert settings.dbt_project_dir() == project / "dbt_project"
    assert settings.geography_seeds_dir() == project / "dbt_project" / "seeds" / "geography"


def test_outside_a_project_the_error_names_the_setting(project, monkeypatch):
    monkeypatch.chdir(project.parent)
    with pytest.raises(settings.ProjectNotFound, match=settings.PROJECT_DIR_ENV):
        settings.contracts_dir()


def test_the_settings_win_over_the_current_folder(project, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(settings.PROJECT_DIR_ENV, str(project))
    assert settings.expectations_dir() == project / "expectations"
    monkeypatch.setenv(settings.EXPECTATIONS_DIR_ENV, str(tmp_path / "suites"))
    assert settings.expectations_dir() == tmp_path / "suites"
    monkeypatch.setenv(settings.PROJECT_DIR_ENV, str(tmp_path / "missing"))
    with pytest.raises(settings.ProjectNotFound, match="is not a folder"):
        settings.dags_dir()


def test_a_number_setting_that_does_not_parse_is_named(monkeypatch):
    monkeypatch.setenv(settings.KEEP_VERSIONS_ENV, "five")
    with pytest.raises(ValueError, match="MARMOT_KEEP_VERSIONS='five'"):
        settings.keep_versions()
    monkeypatch.setenv(settings.KEEP_VERSIONS_ENV, "")
    assert settings.keep_versions() == 5


def test_the_restatement_drop_is_a_share(monkeypatch):
    assert settings.restatement_max_drop() == 0.2  # more than a fifth of a period's rows gone: warn
    monkeypatch.setenv(settings.RESTATEMENT_DROP_ENV, "0.8")
    assert settings.restatement_max_drop() == 0.8
    monkeypatch.setenv(settings.RESTATEMENT_DROP_ENV, "50")
    with pytest.raises(ValueError, match="MARMOT_RESTATEMENT_MAX_DROP must be a share from 0 to 1"):
        settings.restatement_max_drop()

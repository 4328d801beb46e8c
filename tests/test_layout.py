"""The package's layout stays what docs/architecture.md says: no import cycles (lazy imports
inside functions count too), stages import only stages before them, the product never imports the
dev tools, and the README's layout table names folders that exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "marmot"

# each stage may import itself, the shared modules and the stages listed before it (docs/architecture.md)
SHARED = {"settings", "atomic", "crash", "templating", "owners", "logs", "contracts", "stats", "csv_safe"}
STAGES = ["land", "ingest", "monitor", "build", "validate", "publish", "orchestration", "portal", "cli"]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def type_checking_only(tree: ast.Module) -> set[ast.AST]:
    """Nodes inside ``if TYPE_CHECKING:`` blocks: annotations only, never run."""
    return {n for block in ast.walk(tree) if isinstance(block, ast.If) and ast.unparse(block.test) == "TYPE_CHECKING"
            for stmt in block.body for n in ast.walk(stmt)}


def imports_of(path: Path, name: str, modules: frozenset[str] = frozenset()) -> set[str]:
    """Every module under marmot/ that ``path`` imports when it runs, at any depth of the file.
    ``from package import submodule`` depends on the submodule, not on the package's ``__init__``."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    tree = ast.parse(path.read_text())
    annotations_only = type_checking_only(tree)
    for node in ast.walk(tree):
        if node in annotations_only:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1]
                                + ([base] if base else []))
            submodules = {f"{base}.{a.name}" for a in node.names} & modules
            found |= submodules
            if len(submodules) < len(node.names):  # some names are attributes of ``base`` itself
                found.add(base)
    return {m for m in found if m.split(".")[0] in ("marmot", "devtools")}


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    known = frozenset(modules)
    return {name: {m for m in imports_of(path, name, known) if m in modules and m != name} | (
        {m for m in imports_of(path, name, known) if m.startswith("devtools")}) for name, path in modules.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in edges:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def stage_of(module: str) -> str:
    return module.split(".")[1] if module.count(".") else ""


def test_no_import_cycles():
    assert cycles(graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_stages_import_only_earlier_stages_and_shared_modules():
    wrong = []
    for module, targets in graph().items():
        here = stage_of(module)
        if here not in STAGES:
            continue
        allowed = SHARED | set(STAGES[: STAGES.index(here) + 1])
        wrong += [f"{module} -> {t}" for t in targets if t.startswith("marmot.") and stage_of(t) not in allowed]
    assert wrong == []


def test_the_product_never_imports_the_dev_tools():
    assert [(m, t) for m, ts in graph().items() for t in ts if t.startswith("devtools")] == []


def test_an_import_against_the_flow_is_caught(tmp_path):
    """A relative import from a late stage into an early one is resolved and seen."""
    f = tmp_path / "probe.py"
    f.write_text("def f():\n    from ..publish import snapshot\n")
    assert "marmot.publish.snapshot" in imports_of(f, "marmot.ingest.probe", frozenset({"marmot.publish.snapshot"}))


@pytest.mark.parametrize("folder", re.findall(r"^\| `([^`]+/)` \|", (ROOT / "README.md").read_text(), re.M))
def test_every_folder_in_the_readme_layout_exists(folder):
    assert (ROOT / folder).is_dir(), f"README layout names {folder}, which does not exist"


def test_the_readme_layout_names_every_stage_package():
    readme = (ROOT / "README.md").read_text()
    packages = sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py"))
    assert [p for p in packages if f"`marmot/{p}/`" not in readme] == []

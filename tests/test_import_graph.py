"""The package's shape, checked over every import in src/rxstretch (inside functions too).

The layout is drawn in docs/architecture.md: no import cycles; the model and render/ never
import a loader; nothing but the command line imports Click or rxstretch.cli; a short top level.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "rxstretch"
# The issue asked for about 18; fhir/ joined as a stage of its own (FHIR in and out).
MAX_TOP_LEVEL = 19
# Packages and modules that read files (YAML, exports): the model and render/ must not need them.
LOADERS = ("rxstretch.loaders", "rxstretch.records", "rxstretch.prescription", "rxstretch.batch")
FRONT = ("rxstretch.cli", "rxstretch.__main__")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _type_checking_only(tree: ast.AST) -> set[int]:
    """The ids of import nodes under ``if TYPE_CHECKING:``, which never run."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(inner) for child in node.body for inner in ast.walk(child))
    return skipped


def _imported(tree: ast.AST, name: str, is_package: bool, *, runtime: bool) -> Iterator[str]:
    skipped = _type_checking_only(tree) if runtime else set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            yield module
            yield from (f"{module}.{alias.name}" for alias in node.names)


def _graph(*, runtime: bool = False) -> dict[str, set[str]]:
    """Module -> the modules and packages it imports, at the top or inside functions.

    With ``runtime``, imports under ``if TYPE_CHECKING:`` are left out (they never run); the
    layering rules count them too, since a type import still ties one layer to another.
    """
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        targets = set(_imported(tree, name, path.name == "__init__.py", runtime=runtime))
        graph[name] = {m for m in targets if m in modules or not m.startswith("rxstretch")} - {name}
    return graph


def _inside(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph.get(node, ()):
            if target not in graph:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles() -> None:
    assert _cycles(_graph(runtime=True)) == []


def test_the_model_imports_only_the_model_and_errors() -> None:
    for name, targets in _graph().items():
        if _inside(name, ("rxstretch.model",)):
            internal = {t for t in targets if t.startswith("rxstretch")}
            assert all(_inside(t, ("rxstretch.model", "rxstretch.errors")) for t in internal), (
                name,
                internal,
            )
            assert "yaml" not in targets, name


def test_render_imports_no_loader() -> None:
    for name, targets in _graph().items():
        if _inside(name, ("rxstretch.render",)):
            assert not [t for t in targets if _inside(t, LOADERS)], name


def test_only_the_command_line_imports_click() -> None:
    for name, targets in _graph().items():
        if not _inside(name, FRONT):
            assert not [t for t in targets if _inside(t, ("click", "rxstretch.cli"))], name


def test_the_top_level_is_short() -> None:
    entries = [p for p in PACKAGE.iterdir() if p.suffix == ".py" or (p / "__init__.py").is_file()]
    assert len(entries) <= MAX_TOP_LEVEL, sorted(p.name for p in entries)


def test_the_graph_sees_imports_inside_functions() -> None:
    # pipeline imports ReportLab's side (render.document) only inside a function.
    assert "rxstretch.render.document" in _graph(runtime=True)["rxstretch.pipeline"]


def test_the_renderer_cache_sits_below_the_api_and_batch() -> None:
    graph = _graph(runtime=True)
    assert "rxstretch.pipeline" in graph["rxstretch.batch"]
    assert not [t for t in graph["rxstretch.batch"] if _inside(t, ("rxstretch.api",))]
    assert not [t for t in graph["rxstretch.pipeline"] if _inside(t, ("rxstretch.api", "rxstretch.batch"))]


def test_the_public_api_is_listed_and_importable() -> None:
    import rxstretch

    names = dir(rxstretch)
    assert {"load_library", "render_handout", "run_batch", "Handout", "Library", "Prescription"} <= set(names)
    assert not [n for n in names if n != "__version__" and n.startswith("_")]
    assert all(getattr(rxstretch, name) is not None for name in names)


def test_all_names_every_lazy_name() -> None:
    import rxstretch

    assert set(rxstretch.__all__) == {"__version__", *rxstretch._LAZY}


def test_render_imports_only_the_model_errors_and_resources() -> None:
    allowed = ("rxstretch.render", "rxstretch.model", "rxstretch.errors", "rxstretch.resources")
    for name, targets in _graph().items():
        if _inside(name, ("rxstretch.render",)):
            internal = {t for t in targets if t.startswith("rxstretch") and t != "rxstretch"}
            assert all(_inside(t, allowed) for t in internal), (name, internal)

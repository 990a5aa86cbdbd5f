"""Imports point down: no app imports one above it, and no modules import each other."""

import ast
from pathlib import Path

from django.conf import settings

BASE = Path(settings.BASE_DIR)
# Lowest first. The demo seeds every app, so it sits above them all; the project's own small
# helpers (emn_conference: storage, site, log safety, admin bases…) sit below every app.
LAYERS = [
    "emn_conference",
    "outbox",
    "history",
    "accounts",
    "events",
    "registrations",
    "privacy",
    "demo",
]
# The project's wiring, which imports the apps to put them together.
WIRING = {
    "emn_conference.settings",
    "emn_conference.urls",
    "emn_conference.wsgi",
    "emn_conference.asgi",
    "emn_conference.celery",
    "emn_conference",
}


def _modules():
    for layer in LAYERS:
        for path in (BASE / layer).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(BASE).with_suffix("").parts)
            yield name.removesuffix(".__init__"), path


def _imports(name: str, path: Path, *, top_level_only: bool) -> set[str]:
    tree = ast.parse(path.read_text())
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    nodes = tree.body if top_level_only else ast.walk(tree)
    found = set()
    for node in nodes:
        if isinstance(node, ast.If) and top_level_only:
            continue  # `if TYPE_CHECKING:` imports never run
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
                found |= {module} | {f"{module}.{alias.name}" for alias in node.names}
            else:
                found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _layer(module: str) -> int | None:
    top = module.split(".")[0]
    return LAYERS.index(top) if top in LAYERS else None


def test_no_app_imports_an_app_above_it():
    upward = []
    for name, path in _modules():
        if name in WIRING:
            continue
        own = _layer(name)
        for imported in _imports(name, path, top_level_only=False):
            if name.startswith(f"{imported}."):
                continue  # `from . import x`: its own package
            layer = _layer(imported)
            if imported in WIRING or (layer is not None and layer > own):
                upward.append(f"{name} imports {imported}")
    assert upward == []


def test_no_modules_import_each_other():
    modules = dict(_modules())
    graph = {
        name: {m for m in _imports(name, path, top_level_only=True) if m in modules and m != name}
        for name, path in modules.items()
    }
    cycles = []

    def visit(node, trail):
        for nxt in graph.get(node, ()):
            if nxt in trail:
                cycles.append(" → ".join([*trail[trail.index(nxt) :], nxt]))
            elif len(trail) < 12:
                visit(nxt, [*trail, nxt])

    for start in graph:
        visit(start, [start])
    # Package __init__ files and the AppConfig's ready() are wiring, not import cycles.
    assert sorted(c for c in cycles if "emn_conference →" not in c) == []

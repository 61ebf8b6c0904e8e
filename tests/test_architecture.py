"""The dependency rule, checked on every run: pages, sockets, commands and the API call
the domain; the domain never imports a transport; no import circle anywhere; and imports
sit at module level unless a comment says why not (docs/architecture.md)."""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "buergerbuero"
DOMAIN = {
    "departments",
    "office",
    "waiting",
    "calls",
    "bookings",
    "staff",
    "directory",
    "privacy",
    "audit",
    "statistics",
    "policy",
}
TRANSPORT = {"live", "public", "console", "api", "operations", "administration"}
# Modules inside a domain package that are themselves a way in (pages, forms, admin).
INTERFACE = {"views", "forms", "urls", "admin", "admin_second_factor", "middleware"}


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in SRC.rglob("*.py") if "migrations" not in p.parts}


def imports_of(name: str, path: Path, top_level_only: bool) -> set[str]:
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    tree = ast.parse(path.read_text(), str(path))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def is_domain(name: str) -> bool:
    parts = name.split(".")
    return (
        len(parts) > 2
        and parts[1] in DOMAIN
        and parts[-1] not in INTERFACE
        and "management" not in parts
    )


def test_the_domain_never_imports_a_transport():
    upward = sorted(
        (name, target)
        for name, path in MODULES.items()
        if is_domain(name)
        for target in imports_of(name, path, top_level_only=False)
        if target.split(".")[1:2] and target.split(".")[1] in TRANSPORT
    )
    assert upward == []


def test_no_import_circles():
    graph = {name: imports_of(name, path, top_level_only=False) for name, path in MODULES.items()}
    cycles = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*trail[trail.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def _late_imports(path: Path) -> list[tuple[int, str]]:
    """Imports of our own modules inside functions with no comment on the lines just
    above saying why."""
    lines = path.read_text().splitlines()
    late = []
    for function in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.ImportFrom) and (
                node.level or (node.module or "").startswith("buergerbuero")
            ):
                above = lines[max(0, node.lineno - 4) : node.lineno - 1]
                if not any(line.strip().startswith("#") for line in above):
                    late.append((node.lineno, lines[node.lineno - 1].strip()))
    return late


@pytest.mark.parametrize("name", sorted(MODULES))
def test_our_imports_are_at_module_level_unless_a_comment_says_why(name):
    assert _late_imports(MODULES[name]) == []


def test_the_rule_catches_an_upward_import(tmp_path):
    # The checks above must be able to fail: a domain module importing live is found.
    assert is_domain("buergerbuero.waiting.actions")
    assert not is_domain("buergerbuero.waiting.views")
    source = SRC / "waiting" / "actions.py"
    assert "buergerbuero.live" not in imports_of(
        "buergerbuero.waiting.actions", source, top_level_only=False
    )
    fake = tmp_path / "actions.py"
    fake.write_text("def f():\n    from buergerbuero.live import announce\n")
    MODULES_BEFORE = dict(MODULES)
    try:
        MODULES["buergerbuero.live.announce"] = SRC / "live" / "announce.py"
        found = imports_of("buergerbuero.waiting.actions", fake, top_level_only=False)
        assert "buergerbuero.live.announce" in found
        assert _late_imports(fake) == [(2, "from buergerbuero.live import announce")]
    finally:
        MODULES.clear()
        MODULES.update(MODULES_BEFORE)


# The domain's layers, bottom to top: a package may import from its own layer and those
# below it, never from above (so no two domain packages depend on each other).
LAYERS = [
    {"audit"},
    {"calls"},
    {"departments"},
    {"staff"},
    {"policy"},
    {"directory"},
    {"office"},
    {"waiting"},
    {"bookings"},
    {"statistics"},
    {"privacy"},
]


def layer_of(package: str) -> int:
    return next(i for i, layer in enumerate(LAYERS) if package in layer)


def test_domain_packages_import_only_downwards():
    assert {p for layer in LAYERS for p in layer} == DOMAIN
    upward = sorted(
        (name, target)
        for name, path in MODULES.items()
        if is_domain(name)
        for target in imports_of(name, path, top_level_only=False)
        if target.split(".")[1:2]
        and target.split(".")[1] in DOMAIN
        and layer_of(target.split(".")[1]) > layer_of(name.split(".")[1])
    )
    assert upward == []

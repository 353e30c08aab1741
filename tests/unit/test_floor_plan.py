"""The floor plan: no two parts of slotbooking/ import each other, and every import goes down.

A part is a subpackage or a top-level module of slotbooking/; the package's own ``__init__`` is
the app factory, the top of the house. Every import counts wherever it is written: at module
level, inside a function (a deferred import hides no cycle), relative, under TYPE_CHECKING, or
``importlib.import_module`` with a literal name. The order is the README's Architecture sketch,
from the top down; ``LAYERS`` says it again, bottom up, and a test checks that the two agree.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "slotbooking"
FACTORY = PACKAGE  # the part that is the package's own __init__: create_app

# Bottom up: a part may import only parts listed before it.
LAYERS = {
    "foundation": [
        "config",
        "clock",
        "db_types",
        "extensions",
        "cache",
        "common",
        "security",
        "error_responses",
        "ops",
        "wording",
    ],
    "domain": ["retailers", "slots", "bookings", "payments", "events", "staff"],
    "use cases": [
        "offers",
        "reservations",
        "booking_sessions",
        "setup",
        "operations",
        "offerlog",
        "routes",
        "dashboards",
        "drafts",
        "whatif",
        "jobs",
    ],
    "web": [
        "request_context",
        "auth",
        "ratelimits",
        "input_guard",
        "health",
        "api",
        "shopper",
        "widget",
        "console",
        "demo",
    ],
    "app factory": [FACTORY],
}
ORDER = [part for layer in LAYERS.values() for part in layer]


# -- the scanner --------------------------------------------------------------------------------


def modules_of(source_root: Path, package: str) -> dict[str, tuple[Path, bool]]:
    """Return every module of the package: dotted name -> (file, whether it is a package's __init__)."""
    found = {}
    for path in sorted((source_root / package).rglob("*.py")):
        parts = list(path.relative_to(source_root).with_suffix("").parts)
        is_init = parts[-1] == "__init__"
        if is_init:
            parts = parts[:-1]
        found[".".join(parts)] = (path, is_init)
    return found


def _literal_imports(node: ast.Call) -> list[str]:
    """Return the module a call such as ``importlib.import_module("x.y")`` imports, if it names one."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name not in ("import_module", "__import__") or not node.args:
        return []
    first = node.args[0]
    return [first.value] if isinstance(first, ast.Constant) and isinstance(first.value, str) else []


def imported_modules(module: str, is_init: bool, tree: ast.AST, known: set[str]) -> set[str]:
    """Return the absolute names a module imports, anywhere in its body, relative imports resolved."""
    targets = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".") if is_init else module.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            for alias in node.names:
                # `from pkg import sub` imports the module pkg.sub; `from pkg import name`, pkg.
                candidate = f"{base}.{alias.name}"
                targets.add(candidate if candidate in known else base)
        elif isinstance(node, ast.Call):
            targets.update(_literal_imports(node))
    return targets


def part_of(module: str, package: str) -> str | None:
    """Return the part a module belongs to (the factory for the package itself), None outside it."""
    names = module.split(".")
    if names[0] != package:
        return None
    return names[1] if len(names) > 1 else package


def part_graph(source_root: Path, package: str) -> dict[str, dict[str, set[str]]]:
    """Return part -> imported part -> the modules that import it (imports within a part left out)."""
    modules = modules_of(source_root, package)
    graph: dict[str, dict[str, set[str]]] = {}
    for module, (path, is_init) in modules.items():
        source = part_of(module, package)
        graph.setdefault(source, {})
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for target in imported_modules(module, is_init, tree, set(modules)):
            imported = part_of(target, package)
            if imported is not None and imported != source:
                graph[source].setdefault(imported, set()).add(module)
    return graph


def mutual_imports(graph) -> list[str]:
    """Return each pair of parts that import each other, with the modules on both sides."""
    pairs = sorted(
        {tuple(sorted((a, b))) for a, targets in graph.items() for b in targets if a in graph.get(b, {})}
    )
    return [f"{a}<->{b}: {sorted(graph[a][b])} | {sorted(graph[b][a])}" for a, b in pairs]


def imports_against(order: list[str], graph) -> list[str]:
    """Return each import of a part by a part below it (or by or of a part the order leaves out)."""
    rank = {part: position for position, part in enumerate(order)}
    wrong = []
    for source, targets in sorted(graph.items()):
        for target, by in sorted(targets.items()):
            if source not in rank or target not in rank or rank[target] >= rank[source]:
                wrong.append(f"{source} -> {target}: {sorted(by)}")
    return wrong


# -- the house ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def graph():
    return part_graph(ROOT, PACKAGE)


def test_every_part_of_the_app_has_its_place_in_the_order(graph):
    parts = {part_of(module, PACKAGE) for module in modules_of(ROOT, PACKAGE)}
    assert sorted(parts - set(ORDER)) == [], "add the new part to LAYERS and the README's sketch"
    assert sorted(set(ORDER) - parts) == [], "a part in the order that no longer exists"
    assert len(ORDER) == len(set(ORDER))


def test_no_two_parts_import_each_other(graph):
    assert mutual_imports(graph) == []


def test_every_import_goes_down_the_documented_order(graph):
    assert imports_against(ORDER, graph) == []


def readme_order(readme: str) -> list[str]:
    """Return the parts the README's Architecture sketch names, from the top down, once each."""
    section = readme.split("## Architecture", 1)[1]
    sketch = section.split("```", 2)[1]
    named = re.findall(r"slotbooking/(\w+)(?:/|\.py)", sketch)
    ordered = [FACTORY if name == "__init__" else name for name in named]
    return list(dict.fromkeys(ordered))


def test_the_readme_sketch_draws_the_same_order():
    drawn = readme_order((ROOT / "README.md").read_text(encoding="utf-8"))
    assert drawn == list(reversed(ORDER))


# -- the scanner on tiny houses -----------------------------------------------------------------


def _house(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_a_cycle_through_a_relative_import_inside_a_function_is_caught(tmp_path):
    root = _house(
        tmp_path,
        {
            "town/__init__.py": "",
            "town/kitchen.py": "from town.cellar import wine\n",
            "town/cellar/__init__.py": "",
            "town/cellar/wine.py": "def pour():\n    from ..kitchen import glass\n    return glass\n",
        },
    )
    graph = part_graph(root, "town")
    assert graph["kitchen"] == {"cellar": {"town.kitchen"}}
    assert graph["cellar"] == {"kitchen": {"town.cellar.wine"}}
    assert mutual_imports(graph) == ["cellar<->kitchen: ['town.cellar.wine'] | ['town.kitchen']"]


def test_a_package_importing_its_factory_is_a_cycle_with_the_factory(tmp_path):
    root = _house(
        tmp_path,
        {
            "town/__init__.py": "from town.jobs import start\n\ndef create_app():\n    pass\n",
            "town/jobs/__init__.py": "def start():\n    pass\n",
            "town/jobs/worker.py": "from town import create_app\n",
        },
    )
    assert mutual_imports(part_graph(root, "town")) == ["jobs<->town: ['town.jobs.worker'] | ['town']"]


def test_an_upward_import_is_caught_even_without_a_cycle(tmp_path):
    root = _house(
        tmp_path,
        {
            "town/__init__.py": "",
            "town/roof.py": "",
            "town/floor.py": "import importlib\n\nroof = importlib.import_module('town.roof')\n",
            "town/wall.py": "from . import floor\n",
        },
    )
    graph = part_graph(root, "town")
    assert mutual_imports(graph) == []
    assert imports_against(["floor", "wall", "roof", "town"], graph) == ["floor -> roof: ['town.floor']"]
    assert imports_against(["roof", "floor", "wall", "town"], graph) == []
    assert imports_against(["floor", "wall", "town"], graph) == ["floor -> roof: ['town.floor']"]


def test_imports_within_a_part_and_of_other_packages_do_not_count(tmp_path):
    root = _house(
        tmp_path,
        {
            "town/__init__.py": "",
            "town/shop/__init__.py": "from .till import ring\nfrom town.shop import till\nimport json\n",
            "town/shop/till.py": "from flask import Flask\n\ndef ring():\n    from town.shop import till\n",
        },
    )
    assert part_graph(root, "town") == {"town": {}, "shop": {}}


def test_the_readme_order_reads_the_sketch_from_the_top_down():
    readme = (
        "# x\n## Architecture\n\n```\n  slotbooking/__init__.py factory\n  slotbooking/api/ views, "
        "slotbooking/api/rest.py\n  slotbooking/clock.py one clock\n```\n\nslotbooking/ignored/\n"
    )
    assert readme_order(readme) == ["slotbooking", "api", "clock"]

"""Counts import cycles between the project's modules (within and across apps), imports inside functions and
private names used across modules, from the source (every import, also those inside functions). `make lint` runs
it: a cycle fails, and so does an import inside a function other than an AppConfig.ready() (where Django apps
register converters and receivers), and a `_private` name of one module imported or used by another (what is
shared is public and named for what it does). import-linter's contract covers the direction between apps; this
covers the modules of one app as well.

    .venv/bin/python scripts/import_cycles.py [-v]
"""

import ast
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["root_packages"]


def modules() -> dict[str, Path]:
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def resolve(name: str, known: dict) -> str:
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name


def imported(node, package: str) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        parts = package.split(".")[: len(package.split(".")) - node.level + 1]
        base = ".".join([*parts, base] if base else parts)
    return [base, *(f"{base}.{alias.name}" for alias in node.names)]


def graph(known: dict) -> tuple[dict[str, set[str]], list[tuple[Path, int]]]:
    edges, inner = {}, []
    for name, path in known.items():
        tree = ast.parse(path.read_text())
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges[name] = {target for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)
                       for imported_name in imported(node, package)
                       if (target := resolve(imported_name, known)) and target != name}
        for function in ast.walk(tree):
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef) and not (
                    path.name == "apps.py" and function.name == "ready"):
                inner += [(path, node.lineno) for node in ast.walk(function) if isinstance(node, ast.ImportFrom)
                          and (node.level or (node.module or "").split(".")[0] in APPS)]
    return edges, inner


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_uses(known: dict) -> list[tuple[Path, int, str]]:
    """`from x import _name` and `module._name` where x and module are other modules of the project."""
    found = []
    for name, path in known.items():
        tree = ast.parse(path.read_text())
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        modules_here = {}  # local name -> project module it stands for
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                base = imported(node, package)[0]
                for alias in node.names:
                    target = resolve(f"{base}.{alias.name}", known)
                    if target == f"{base}.{alias.name}":  # a module imported by name
                        modules_here[alias.asname or alias.name] = target
                    elif _private(alias.name) and resolve(base, known) not in ("", name):
                        found.append((path, node.lineno, f"{base}.{alias.name}"))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if resolve(alias.name, known) == alias.name:
                        modules_here[alias.asname or alias.name] = alias.name
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and _private(node.attr) and isinstance(node.value, ast.Name)
                    and modules_here.get(node.value.id) not in (None, name)):
                found.append((path, node.lineno, f"{modules_here[node.value.id]}.{node.attr}"))
    return found


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for node in edges:
        if node not in index:
            visit(node)
    return found


def main() -> int:
    known = modules()
    edges, inner = graph(known)
    found = cycles(edges)
    private = private_uses(known)
    print(f"import_cycles: {len(known)} modules, {sum(map(len, edges.values()))} imports, "  # noqa: T201
          f"{len(found)} cycles, {len(inner)} imports inside functions, {len(private)} private names across modules")
    for component in found:
        print("  cycle:", " ".join(component))  # noqa: T201
    for path, line in inner:
        print(f"  inside a function: {path.relative_to(ROOT)}:{line}")  # noqa: T201
    for path, line, used in private:
        print(f"  private name of another module: {path.relative_to(ROOT)}:{line} {used}")  # noqa: T201
    return 1 if found or inner or private else 0


if __name__ == "__main__":
    sys.exit(main())

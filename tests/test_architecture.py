"""The package's import graph (GUIDE §2): no cycles, and imports point down the layers only.

Layers, bottom to top: physics (xsec, sources, em, state, couplings, kinematics, propagation,
nuclei, constants, errors and the private helpers) → detector → targets → rates → inference →
application (nujax.app, nujax.cli). Every ``import`` statement is read with ``ast``, including
those inside functions, so a deferred import cannot hide a cycle or an upward dependency.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "nujax"
LAYERS = {"detector": 1, "targets": 2, "rates": 3, "inference": 4, "app": 5, "cli": 5}
NAMES = {0: "physics", 1: "detector", 2: "targets", 3: "rates", 4: "inference", 5: "application"}


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules():
    return {_module_name(p): p for p in ROOT.rglob("*.py")}


def _resolve(name, mods):
    """The longest known module prefix of a dotted import target (None outside nujax)."""
    parts = name.split(".")
    while parts:
        cand = ".".join(parts)
        if cand in mods:
            return cand
        parts = parts[:-1]
    return None


def _imports(mod, path, mods):
    out = set()
    pkg = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = pkg.split(".")[: len(pkg.split(".")) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            names = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        for n in names:
            if n.startswith("nujax"):
                r = _resolve(n, mods)
                if r is not None and r != mod:
                    out.add(r)
    return out


def _graph():
    mods = _modules()
    return {m: _imports(m, p, mods) for m, p in mods.items() if m != "nujax"}


def _layer(mod):
    parts = mod.split(".")
    return LAYERS.get(parts[1], 0) if len(parts) > 1 else 0


def test_no_import_cycles():
    graph = _graph()
    state, stack, cycles = {}, [], []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for d in sorted(graph.get(m, ())):
            if state.get(d) == 1:
                cycles.append(stack[stack.index(d):] + [d])
            elif d not in state:
                visit(d)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)
    assert not cycles, "import cycles:\n" + "\n".join(" → ".join(c) for c in cycles)


def test_imports_point_down_the_layers():
    bad = [f"{m} ({NAMES[_layer(m)]}) imports {d} ({NAMES[_layer(d)]})"
           for m, deps in _graph().items() for d in deps
           if d != "nujax" and _layer(d) > _layer(m)]
    assert not bad, "upward imports:\n" + "\n".join(sorted(bad))


@pytest.mark.parametrize("layer", ["physics", "inference"])
def test_physics_and_inference_never_import_the_application(layer):
    lv = {v: k for k, v in NAMES.items()}[layer]
    bad = [(m, d) for m, deps in _graph().items() if _layer(m) == lv
           for d in deps if _layer(d) == 5]
    assert not bad


def test_the_graph_reader_sees_deferred_imports(tmp_path):
    """A function-local import counts (the checker itself is tested)."""
    src = tmp_path / "x.py"
    src.write_text("def f():\n    from nujax.app import scenarios\n")
    mods = _modules()
    assert _imports("nujax.rates.fake", src, mods) == {"nujax.app", "nujax.app.scenarios"}

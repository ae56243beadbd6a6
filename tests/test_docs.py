"""The documentation sources cover the API contract (cheap: no Sphinx build here; ``make docs``
builds the site with warnings as errors and executes the tutorials)."""

from __future__ import annotations

import pkgutil
import re
from pathlib import Path

import nujax

DOCS = Path(__file__).resolve().parent.parent / "docs"
API = DOCS / "api"


def _api_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(API.glob("*.md")))


def test_every_public_name_is_in_the_api_reference():
    text = (API / "index.md").read_text(encoding="utf-8")
    missing = []
    for name in nujax.__all__:
        if name in ("__version__", "enable_x64") or name in nujax._SUBMODULES:
            pattern = rf"nujax\.{re.escape(name)}\b"
        else:
            pattern = rf"\{{py:obj\}}`nujax\.{re.escape(name)}`"
        if not re.search(pattern, text):
            missing.append(name)
    assert not missing, f"names of nujax.__all__ missing from docs/api/index.md: {missing}"


def test_every_public_module_has_an_automodule_entry():
    text = _api_text()
    documented = set(re.findall(r"\.\. automodule:: (nujax[\w.]*)", text))
    public = {m.name for m in pkgutil.walk_packages(nujax.__path__, "nujax.")
              if not any(part.startswith("_") for part in m.name.split("."))}
    assert public - documented == set(), f"modules without an API page entry: {sorted(public - documented)}"
    assert documented - public - {"nujax"} == set(), f"API pages name unknown modules: {sorted(documented - public)}"


def test_pages_and_tutorials_are_in_a_toctree():
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    for page in ("getting_started", "physics", "architecture", "tutorials/index", "api/index",
                 "gallery", "benchmarks"):
        assert (DOCS / f"{page}.md").is_file(), page
        assert f"\n{page}\n" in index, page
    tutorials = (DOCS / "tutorials" / "index.md").read_text(encoding="utf-8")
    for nb in sorted((DOCS / "tutorials").glob("*.md")):
        if nb.stem != "index":
            assert f"\n{nb.stem}\n" in tutorials, nb.name
            assert "assert " in nb.read_text(encoding="utf-8"), f"{nb.name} asserts no number"


def test_gallery_shows_every_figure():
    gallery = (DOCS / "gallery.md").read_text(encoding="utf-8")
    for png in sorted((DOCS / "figures").glob("*.png")):
        assert f"figures/{png.name}" in gallery, png.name

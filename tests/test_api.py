"""The public API is a contract: README and ``nujax.__all__`` agree, everything public is
documented, and the README's Python examples run."""

import inspect
import re
from pathlib import Path

import pytest

import nujax
from nujax.cli import app

README = Path(__file__).resolve().parents[1] / "README.md"


def _readme() -> str:
    return README.read_text(encoding="utf-8")


def test_readme_api_section_lists_exactly_nujax_all():
    text = _readme()
    m = re.search(r"<!-- api:start -->(.*?)<!-- api:end -->", text, re.S)
    assert m, "README has no API section"
    documented = re.findall(r"`([^`]+)`", m.group(1))
    assert len(documented) == len(set(documented)), "a name is listed twice"
    missing = sorted(set(nujax.__all__) - set(documented))
    extra = sorted(set(documented) - set(nujax.__all__))
    assert not missing, f"public names missing from the README API section: {missing}"
    assert not extra, f"README lists names that nujax does not export: {extra}"


def test_all_names_exist_and_public_callables_have_docstrings():
    undocumented = []
    for name in nujax.__all__:
        assert hasattr(nujax, name), name
        obj = getattr(nujax, name)
        if inspect.isfunction(obj) or inspect.isclass(obj) or inspect.ismodule(obj):
            if not (inspect.getdoc(obj) or "").strip():
                undocumented.append(name)
    assert not undocumented, f"public names without a docstring: {undocumented}"


def test_readme_documents_every_cli_command():
    text = _readme()
    section = text.split("## Command line", 1)[1].split("\n## ", 1)[0]
    names = [c.name or c.callback.__name__ for c in app.registered_commands]
    assert len(names) >= 8
    for name in names:
        assert f"`nujax {name}" in section, f"command {name!r} missing from the README"


def test_readme_points_to_the_gallery_and_its_images_exist():
    """The figure gallery lives in the documentation (docs/gallery.md, checked by test_docs);
    the README links it, and any image the README shows exists."""
    root = README.parent
    text = _readme()
    assert "docs/gallery.md" in text
    images = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", text)
    gallery = re.findall(r"figures/[\w.-]+\.png", (root / "docs" / "gallery.md").read_text())
    assert len(gallery) >= 20
    for rel in images:
        assert (root / rel).is_file() and (root / rel).stat().st_size > 1000, rel


def test_readme_python_examples_run(capsys):
    blocks = re.findall(r"```python\n(.*?)```", _readme(), re.S)
    assert len(blocks) >= 2
    namespace = {"__name__": "readme"}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
    # the fit example recovers the injected μν = 3·10⁻¹¹ μB within a few Fisher-size errors
    assert float(namespace["mle"].params["mu_1e11"]) == pytest.approx(3.0, abs=1.0)
    assert namespace["dn_dmu"].shape == namespace["n"].shape
    assert float(namespace["dn_dmu"].sum()) > 0  # more magnetic events for larger μν
    assert capsys.readouterr().out.strip()


def test_import_nujax_is_light():
    """``import nujax`` (and touching a physics name) loads no optax, numpyro or matplotlib."""
    import subprocess
    import sys

    code = ("import sys, nujax; nujax.dsigma_dT; import nujax.app; "
            "heavy = [m for m in ('optax', 'numpyro', 'matplotlib') if m in sys.modules]; "
            "print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"import nujax pulled in: {out.stdout.strip()}"


def test_app_layer_names_resolve_and_are_documented():
    import nujax.app

    for name in nujax.app.__all__:
        obj = getattr(nujax.app, name)
        assert (inspect.getdoc(obj) or "").strip(), name

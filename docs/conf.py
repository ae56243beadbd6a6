"""Sphinx configuration of the nujax documentation (``make docs`` → docs/_build/html).

Built with warnings as errors and nitpicky cross-references (``-W --keep-going -n``): every
``:func:``/``:mod:``/``{py:obj}`` reference in the pages and in the docstrings must resolve, and
every ``{doc}``/``{ref}`` link between pages too. That is the internal link check; external URLs
are not fetched (the build runs without network).
"""

from __future__ import annotations

import importlib
import os
import re
import sys

sys.path.insert(0, os.path.abspath(".."))
os.environ.setdefault("MPLBACKEND", "Agg")

import nujax  # noqa: E402

project = "nujax"
author = "nujax developers"
copyright = "2026, nujax developers"
release = nujax.__version__
version = release

extensions = [
    "myst_nb",                    # Markdown pages and MyST notebooks (executed at build time)
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",        # numpy-style docstrings
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints"]
root_doc = "index"

# -- MyST and notebook execution ----------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist", "substitution"]
myst_heading_anchors = 3
nb_execution_mode = "force"        # tutorials run on every build; outputs are never committed
nb_execution_timeout = 300         # a tutorial finishes in under a minute; this is a hang guard
nb_execution_raise_on_error = True  # a failing cell (an assertion on a number) fails the build
nb_execution_show_tb = True
nb_merge_streams = True

# -- API reference ------------------------------------------------------------------------------
# Each object is documented once, in the module that defines it: ``ignore-module-all`` makes autodoc
# skip names a module (or package) imports and re-exports through ``__all__``.
autodoc_default_options = {"members": True, "member-order": "bysource", "ignore-module-all": True}
autodoc_typehints = "none"          # types are stated in the numpy-style docstrings
autodoc_preserve_defaults = True
autosummary_generate = False
napoleon_numpy_docstring = True
napoleon_google_docstring = False
napoleon_use_param = False          # parameter types stay text ("(n,) array", "pytree"), no xrefs
napoleon_use_rtype = False
napoleon_use_ivar = True

# Nitpicky cross-references: names outside nujax (numpy, jax, stdlib types) are not linked
# (no intersphinx: the build is offline), so they are ignored here rather than rewritten.
nitpicky = True
# An unqualified attribute name in a docstring (``weak``) may match several NamedTuples; Sphinx
# then links the first, which is the right page section for these short names.
suppress_warnings = ["ref.python"]
nitpick_ignore_regex = [
    (r"py:.*", r"(jax|jnp|np|numpy|numpyro|optax|arviz|scipy|matplotlib|typer|rich|equinox)(\..*)?"),
    (r"py:.*", r"(typing|collections|enum|dataclasses|pathlib|os|io)\..*"),
    # napoleon turns the free-text types of "Attributes"/"Raises" sections ("(n,) array", "MeV",
    # "ValueError if …") into class references; only nujax names are checked there.
    (r"py:(class|exc|obj)", r"(?!nujax\.).*"),
]

# -- HTML -----------------------------------------------------------------------------------------
# furo: a clean, readable theme with a light/dark switch, good typography for long physics
# pages and a compact sidebar that keeps the long API tree navigable.
html_theme = "furo"
html_title = f"nujax {release}"
html_static_path: list[str] = []
html_show_sourcelink = False


# -- cross-references to re-exported names --------------------------------------------------------
# The API is documented once, where each object is defined (``nujax.rates.binned.combine``), but
# docstrings and pages refer to the public spellings (``nujax.combine``, ``nujax.rates.combine``,
# or ``combine`` inside ``nujax.rates``). This resolves such a reference to the canonical entry by
# importing the name; a name that does not import still fails the nitpicky build.
def _lookup(dotted: str):
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except Exception:
            continue
        try:
            for p in parts[i:]:
                obj = getattr(obj, p)
        except AttributeError:
            return None
        return obj
    return None


def _canonical(obj) -> str | None:
    if isinstance(obj, type(sys)):
        return obj.__name__
    mod, qual = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    return f"{mod}.{qual}" if mod and qual else None


def _resolve_reexport(app, env, node, contnode):
    if node.get("refdomain") != "py":
        return None
    from sphinx.util.nodes import make_refnode

    target = node["reftarget"].lstrip(".~")
    mod, cls = node.get("py:module"), node.get("py:class")
    cands = [target]
    if mod:
        cands = [f"{mod}.{cls}.{target}" if cls else None, f"{mod}.{target}", target]
        # a relative name inside a package: try its parents too
        parts = mod.split(".")
        cands += [f"{'.'.join(parts[:i])}.{target}" for i in range(len(parts) - 1, 0, -1)]
    objects = env.get_domain("py").objects
    for cand in filter(None, cands):
        if cand in objects:
            entry = objects[cand]
        else:
            obj = _lookup(cand) if cand.startswith("nujax") else None
            if obj is None:
                continue
            name = _canonical(obj)
            if name not in objects:
                # an undocumented constant or a private helper: link to the defining module
                name = getattr(obj, "__module__", None) or cand.rpartition(".")[0]
                while name and name not in objects:
                    name = name.rpartition(".")[0]
                if not name:
                    continue
            entry = objects[name]
        return make_refnode(app.builder, node["refdoc"], entry.docname, entry.node_id, contnode,
                            cand)
    return None


# Docstrings are written for the terminal: |x| is an absolute value and a lone * a product, which
# reStructuredText would read as substitutions and emphasis. Escape them outside literals/roles.
_LITERAL = re.compile(r"(``.*?``|:?[\w:+-]*`[^`]*`_?)")
_E = r"(?:\\\*|[^*\s])"                       # a non-space character or an escaped star
_KEEP = re.compile(rf"(\\\*|\*\*{_E}(?:\\\*|[^*])*?\*\*|\*{_E}(?:(?:\\\*|[^*])*?{_E})?\*)")


def _escape(text: str) -> str:
    out = []
    for i, part in enumerate(_LITERAL.split(text)):
        if i % 2 == 0:
            part = re.sub(r"(?<!\\)\|", r"\\|", part)
            pieces = _KEEP.split(part)
            part = "".join(p if j % 2 else p.replace("*", r"\*") for j, p in enumerate(pieces))
        out.append(part)
    return "".join(out)


def _indent_literal_blocks(lines):
    """Indent an aligned table written flush left after ``::`` (a literal block needs indenting)."""
    i = 0
    while i < len(lines) - 2:
        line = lines[i]
        if line.rstrip().endswith("::") and not lines[i + 1].strip():
            base = len(line) - len(line.lstrip())
            j = i + 2
            if lines[j].strip() and len(lines[j]) - len(lines[j].lstrip()) <= base:
                while j < len(lines) and lines[j].strip():
                    lines[j] = "    " + lines[j]
                    j += 1
            i = j
        else:
            i += 1


def _escape_docstring(app, what, name, obj, options, lines):
    _indent_literal_blocks(lines)
    literal_indent = None                     # inside a literal block: deeper than this
    for i, line in enumerate(lines):
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if literal_indent is not None:
            if not stripped or indent > literal_indent:
                continue
            literal_indent = None
        if stripped.startswith(">>>") or stripped.startswith("..."):
            continue
        if stripped.endswith("::"):
            literal_indent = indent
        bullet = re.match(r"\s*(:[^:`]+:\s+)?\* ", line)   # keep "* item" bullets (also napoleon's)
        cut = bullet.end() if bullet else 0
        lines[i] = line[:cut] + _escape(line[cut:])


def setup(app):
    app.connect("missing-reference", _resolve_reexport)
    app.connect("autodoc-process-docstring", _escape_docstring)

# nujax — quick start: `make demo` (main job) and `make test` (test suite).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# docs extras (Sphinx, myst-nb …) have their own stamp so that `make test` never installs them
DOCS_STAMP := $(VENV)/.installed-docs
# pytest workers: all cores by default (CI machines have 2)
WORKERS ?= auto

.PHONY: demo test bench figures docs clean venv

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/nujax demo

test: $(STAMP)
	$(PY) -m pytest -n $(WORKERS) -q

bench: $(STAMP)
	$(VENV)/bin/nujax bench

figures: $(STAMP)
	$(VENV)/bin/nujax figures --seed all --out docs/figures --force --no-data

$(DOCS_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[test,docs]"
	touch $(DOCS_STAMP)

# the site in docs/_build/html: warnings are errors, cross-references nitpicky, tutorials executed
docs: $(DOCS_STAMP)
	MPLBACKEND=Agg $(VENV)/bin/sphinx-build -b html -n -W --keep-going -q docs docs/_build/html

clean:
	rm -rf $(VENV) out build *.egg-info

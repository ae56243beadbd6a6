# nujax — quick start: `make demo` (main job) and `make test` (test suite).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# pytest workers: all cores by default (CI machines have 2)
WORKERS ?= auto

.PHONY: demo test bench figures clean venv

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

clean:
	rm -rf $(VENV) out build *.egg-info

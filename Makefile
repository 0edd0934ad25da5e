# Front door. `make` builds build/fluxgate (release); `make demo` and `make test` also
# install what they need (Debian packages, idempotently) first. See README.md.
JOBS ?= 2
BUILD ?= build
ASAN_BUILD ?= build-asan

.PHONY: all build deps test-deps demo test unit-tests e2e-tests asan fuzz-smoke clean format bench

all: build

build:
	@if ! command -v cmake >/dev/null || ! command -v ninja >/dev/null; then ./scripts/install-deps.sh; fi
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD) -j $(JOBS)

deps:
	./scripts/install-deps.sh

# The Node packages the end-to-end tests drive (s3rver, DuckDB, playwright-core), from the
# npm registry, pinned by tests/e2e/node/package-lock.json; skipped when already installed.
test-deps:
	./scripts/install-deps.sh --test
	@if [ ! -f tests/e2e/node/node_modules/.package-lock.json ] || \
	    [ tests/e2e/node/package-lock.json -nt tests/e2e/node/node_modules/.package-lock.json ]; then \
	  cd tests/e2e/node && npm ci --no-audit --no-fund; fi

demo: deps build
	./$(BUILD)/fluxgate demo

# Everything: unit tests and end-to-end tests on the release build, then the unit tests
# again under AddressSanitizer + UndefinedBehaviorSanitizer.
test: test-deps build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L unit
	cd $(BUILD) && ctest --output-on-failure -L e2e
	$(MAKE) asan
	$(MAKE) fuzz-smoke

unit-tests: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L unit

e2e-tests: build
	cd $(BUILD) && ctest --output-on-failure -L e2e

asan:
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DFLUXGATE_SANITIZE=ON -DFLUXGATE_BENCH=OFF
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j $(JOBS) -L unit

# Every libFuzzer harness (fuzz/), built with clang into build-fuzz/, for FUZZ_SECONDS each.
# A longer run: ./fuzz/run.sh --seconds 3600 [name] (docs/design/fuzzing.md).
FUZZ_SECONDS ?= 20
fuzz-smoke:
	JOBS=$(JOBS) ./fuzz/run.sh --seconds $(FUZZ_SECONDS)

bench: build
	./bench/run-ingest.sh

format:
	find src tests bench -name '*.cc' -o -name '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)

# The commands a newcomer needs; see README.md.
#   make serve  build the app and serve it on http://127.0.0.1:8080
#   make test   run every test (format and lints, native engine tests, then browser tests)
#   make dist   write the deployable static folder dist/
#   make bench  print size and speed figures
#   make fuzz   millions of generated inputs per parser, damaged databases

WASM_TARGET := wasm32-unknown-unknown
BINDGEN_OUT := target/wasm-bindgen
PORT ?= 8080

.PHONY: setup dist serve test lint test-native test-e2e bench fuzz clean

setup:
	@tools/setup.sh

# Source paths in the wasm (panic locations) are written relative to the
# repository and the cargo home, so every machine builds the same bytes
# and the content hashes in dist/ do not depend on where it was built.
CARGO_HOME ?= $(HOME)/.cargo
REMAP := --remap-path-prefix=$(CURDIR)=explorer --remap-path-prefix=$(CARGO_HOME)=cargo --remap-path-prefix=$(CARGO_HOME)/registry/src/index.crates.io-1949cf8c6b5b557f=crates

dist: setup
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$(REMAP)" cargo build --release --target $(WASM_TARGET) -p explorer -p worker -p metadata-yaml -p chart-svg -p parquet-json
	wasm-bindgen --target web --no-typescript --out-dir $(BINDGEN_OUT) target/$(WASM_TARGET)/release/explorer.wasm
	wasm-bindgen --target web --no-typescript --out-dir $(BINDGEN_OUT) target/$(WASM_TARGET)/release/worker.wasm
	wasm-bindgen --target web --no-typescript --out-dir $(BINDGEN_OUT) target/$(WASM_TARGET)/release/metadata_yaml.wasm
	wasm-bindgen --target web --no-typescript --out-dir $(BINDGEN_OUT) target/$(WASM_TARGET)/release/chart_svg.wasm
	wasm-bindgen --target web --no-typescript --out-dir $(BINDGEN_OUT) target/$(WASM_TARGET)/release/parquet_json.wasm
	node tools/build-dist.mjs

serve: dist
	node tools/serve.mjs --root dist --port $(PORT)

test: setup lint test-native test-e2e

# Format and lints, natively and for wasm32 (the worker's and the UI's real
# code compiles only there).
lint:
	cargo fmt --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy --target $(WASM_TARGET) -p explorer -p worker -p metadata-yaml -p chart-svg -p parquet-json -- -D warnings

test-native:
	cargo test --workspace

test-e2e: dist
	node --test --test-concurrency=1 tests/e2e/

bench: dist
	@[ -d bench/node_modules/@duckdb ] || npm ci --prefix bench --no-audit --no-fund
	node tools/bench.mjs --runs 5

# FUZZ_ARGS, e.g. --inputs 100000 --only csv,json (defaults: 1,000,000
# inputs per parser, 10,000 databases).
fuzz: setup
	cargo run --profile fuzz -p fuzz -- $(FUZZ_ARGS)

clean:
	rm -rf dist $(BINDGEN_OUT)

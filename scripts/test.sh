#!/usr/bin/env bash
# The one test command: formatting, lints, every Rust test, the sans-IO guard, then the Python
# and Node packages (each script installs its own tools).
# Installs what it needs itself. Usage: ./scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

# Every build of this run names the host triple. `napi build` always passes `--target`, and
# cargo keeps such builds in target/<triple>/, apart from plain ones: without this, the Node
# addon's whole dependency tree (tokio, reqwest, rustls, ...) would be compiled a second time.
# maturin reads CARGO_BUILD_TARGET too.
if [ -z "${CARGO_BUILD_TARGET:-}" ]; then
  CARGO_BUILD_TARGET=$(rustc -vV | sed -n 's/^host: //p')
  export CARGO_BUILD_TARGET
fi

# A one-shot run gains nothing from incremental compilation, whose caches took about
# 2.7 GB of a cold target/ directory.
if [ "${CI:-}" = true ]; then
  export CARGO_INCREMENTAL=0
fi

started=$SECONDS
last=$SECONDS
# Each stage header says how long the previous stage took and the time so far.
step() {
  printf '\n==> %s (previous stage %ss, total %ss, %s free on disk)\n' "$*" "$((SECONDS - last))" \
    "$((SECONDS - started))" "$(df -h . | awk 'NR == 2 { print $4 }')"
  last=$SECONDS
}

step "cargo fmt --check"
cargo fmt --all -- --check

step "sans-IO guard: the core's normal dependency tree has no IO crate"
io=$(cargo tree -p nicepay-snap -e normal --prefix none | grep -E '^(ureq|reqwest|hyper|tokio|async-std|mio|socket2) ' | sort -u || true)
if [ -n "$io" ]; then
  echo "core crate depends on IO crates: $io" >&2
  exit 1
fi
if grep -rnE 'std::net|SystemTime|Instant::now|std::fs|std::env' crates/nicepay-snap/src; then
  echo "core crate touches the network, the clock, the file system or the environment" >&2
  exit 1
fi

# Python TypedDicts, .pyi named methods, TypeScript interfaces and the shape table are generated
# from the Rust payload structs and operation registry: a stale or hand-edited copy fails here.
step "generated declarations are fresh (cargo run -p xtask -- codegen, then git diff)"
cargo run --quiet --locked -p xtask -- codegen
generated="python/src/nicepay_snap/types.py python/src/nicepay_snap/_nicepay_snap.pyi node/payload-types.d.ts node/__test__/payload-shapes.json"
# shellcheck disable=SC2086
if ! git diff --exit-code -- $generated || [ -n "$(git status --porcelain -- $generated)" ]; then
  echo "generated files are stale or uncommitted: run 'cargo run -p xtask -- codegen' and commit them" >&2
  exit 1
fi

step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

# The state-store tests (crates/nicepay-snap-client/tests/store.rs) start their own redis-server
# on free loopback ports; required here, so that a missing one fails instead of skipping.
step "redis-server for the state-store tests (apt-get install when missing)"
if ! command -v redis-server >/dev/null 2>&1; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends redis-server
fi
redis-server --version
export NICEPAY_REQUIRE_REDIS=1

step "cargo test --workspace"
cargo test --workspace --locked

# The binding suites run their clients against the simulator CLI that the workspace test build
# just produced (building it again per package would re-resolve features and recompile).
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
export NICEPAY_SIMULATOR_BIN="$target_dir/$CARGO_BUILD_TARGET/debug/nicepay-snap"
"$NICEPAY_SIMULATOR_BIN" --version

step "Python package (scripts/test-python.sh)"
./scripts/test-python.sh

step "Node package (scripts/test-node.sh)"
./scripts/test-node.sh

step "Extra stages: aws-lc backend vectors, bench and load smoke, rustdoc and the user guide, cargo package, cargo deny, advisories, fuzzing (scripts/test-extra.sh)"
./scripts/test-extra.sh

step "all stages passed"

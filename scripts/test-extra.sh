#!/usr/bin/env bash
# Extra CI stages (issue 7): the golden vectors and core tests under the aws-lc RSA backend,
# bench and load-bench smoke runs, a bounded fuzz run of every cargo-fuzz target, cargo deny, and
# the known-vulnerability checks of scripts/check-advisories.sh (Rust, Python, npm); the docs
# (issue 15): rustdoc with warnings denied and the user guide (mdBook, docs/).
# Installs what it needs itself (cargo install --locked); runs on a fresh machine with only
# crates.io reachable. Usage: ./scripts/test-extra.sh
#
# Measured cold (fresh clone, empty target dir and CARGO_HOME, no tools; 2 cores under load):
# 28 min = aws-lc tests + clippy 12 min, bench smoke 2.5, load smoke 4 (warm after test.sh),
# cargo-deny install 5.5, cargo-fuzz install + fuzz build 1.5, fuzzing 5 x 30 s.
# Docs (issue 15, measured on the shared machine under load): cargo doc after the clippy and test
# builds 0.2-1.2 min (41 s of CPU when dependency metadata had to be re-checked for the
# library-only feature set, 13 s when not); mdbook install 100 s of CPU (about 1-1.5 min alone on
# 2 cores); the book and its link check a few seconds.
#
# Knobs (environment):
#   FUZZ_SECONDS=30        seconds of fuzzing per target (5 targets)
#   SKIP_FUZZ=1            skip the fuzz stage
#   CARGO_FUZZ_VERSION / CARGO_DENY_VERSION / MDBOOK_VERSION   tool versions to install when missing
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
FUZZ_SECONDS="${FUZZ_SECONDS:-30}"
CARGO_FUZZ_VERSION="${CARGO_FUZZ_VERSION:-0.13.2}"
CARGO_DENY_VERSION="${CARGO_DENY_VERSION:-0.20.2}"
MDBOOK_VERSION="${MDBOOK_VERSION:-0.5.4}"
started=$SECONDS

step() { printf '\n==> %s (%ss)\n' "$*" "$((SECONDS - started))"; }

# Installs `cargo <sub>` (sub `-`: the command named like the crate) from crates.io, with any
# further `cargo install` arguments, unless that version is already there.
ensure_tool() {
  local sub=$1 crate=$2 version=$3
  shift 3
  local tool=(cargo "$sub")
  if [ "$sub" = - ]; then tool=("$crate"); fi
  if "${tool[@]}" --version 2>/dev/null | grep -Eq " v?$version( |\$)"; then
    return
  fi
  step "cargo install $crate $version --locked $*"
  cargo install "$crate" --version "$version" --locked "$@"
}

step "core tests and golden vectors with the aws-lc RSA backend (feature aws-lc)"
# aws-lc-sys compiles AWS-LC with the cc crate (no cmake, Go or bindgen needed on x86_64 Linux).
cargo test -p nicepay-snap --features aws-lc --locked
cargo clippy -p nicepay-snap --features aws-lc --all-targets --locked -- -D warnings

step "bench smoke: every criterion bench runs once (cargo bench -- --test)"
cargo bench -p nicepay-snap --bench signing --locked -- --test

step "load bench smoke: 2 async + 2 blocking clients against the simulator on 127.0.0.1"
cargo run -p nicepay-snap-client --example load --locked -- --clients 2 --flows 20 --max-seconds 20

step "state-store bench smoke: journal cost and token sharing, few calls (needs redis-server for its Redis rows)"
cargo run -p nicepay-snap-client --example store_bench --locked -- --refunds 20 --calls 400

# Every public item documented and every intra-doc link resolved (`missing_docs` is denied by
# the clippy stage too). Only the workspace's crates are documented; their dependencies' metadata
# comes from the clippy and test builds.
step "cargo doc --workspace --no-deps with warnings denied"
doc_started=$SECONDS
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked
echo "cargo doc took $((SECONDS - doc_started))s"

# The user guide. Its code comes from files the suites run (the client crate's doctests,
# python/tests/guide.py, node/__test__/guide.mjs); mdbook only logs an include it cannot read,
# so its log must be clean, and scripts/check-book.py checks every link and anchor of the result,
# with the rustdoc output copied under api/ where the Rust reference page links to it.
step "user guide: mdbook build docs, then every link and include checked"
book_started=$SECONDS
# mdbook from crates.io without its `serve`/`watch` features, as a debug build without debug
# info: 100 s of CPU (the optimized build takes 240 s); the unoptimized binary builds this book in
# about 2 s.
CARGO_PROFILE_DEV_DEBUG=0 ensure_tool - mdbook "$MDBOOK_VERSION" --no-default-features --features search --debug
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
book="$target_dir/book"
rm -rf "$book"
mdbook build docs --dest-dir "$book" 2>&1 | tee "$target_dir/mdbook.log"
if grep -Eq 'ERROR|WARN' "$target_dir/mdbook.log"; then
  echo "mdbook reported errors or warnings (see above)" >&2
  exit 1
fi
cp -r "$target_dir/${CARGO_BUILD_TARGET:+$CARGO_BUILD_TARGET/}doc" "$book/api"
python3 scripts/check-book.py "$book" api
echo "user guide built in $((SECONDS - book_started))s: $book/index.html"

step "supply chain: cargo deny (licenses, bans, sources)"
ensure_tool deny cargo-deny "$CARGO_DENY_VERSION"
cargo deny --all-features check licenses bans sources

step "known vulnerabilities: RustSec advisories (live database or ../shared snapshot), pip-audit, npm audit"
advisories_started=$SECONDS
./scripts/check-advisories.sh
echo "advisory checks took $((SECONDS - advisories_started))s"

if [ "${SKIP_FUZZ:-0}" = "1" ]; then
  echo "fuzz stage skipped (SKIP_FUZZ=1)"
else
  step "fuzz: every cargo-fuzz target for ${FUZZ_SECONDS}s from the committed seed corpus"
  ensure_tool fuzz cargo-fuzz "$CARGO_FUZZ_VERSION"
  fuzz_dir=crates/nicepay-snap/fuzz
  # cargo fuzz has no --locked: check the committed lock file is current first.
  cargo metadata --locked --format-version 1 --manifest-path "$fuzz_dir/Cargo.toml" >/dev/null
  # cargo-fuzz needs nightly-only flags; RUSTC_BOOTSTRAP lets the stable toolchain accept them.
  # No sanitizer: the fuzzed code is safe Rust (coverage-guided libFuzzer still runs).
  export RUSTC_BOOTSTRAP=1
  (cd "$fuzz_dir" && cargo fuzz build -s none)
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  for target in minify response notification keys timestamp; do
    mkdir -p "$work/$target"
    # New inputs go to the scratch corpus; the committed seeds are read-only.
    (cd "$fuzz_dir" && cargo fuzz run -s none "$target" "$work/$target" "corpus/$target" -- \
      -max_total_time="$FUZZ_SECONDS" -seed=1 -print_final_stats=1 2>&1 | tail -n 12)
  done
fi

step "test-extra: all stages passed"

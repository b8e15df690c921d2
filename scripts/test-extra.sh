#!/usr/bin/env bash
# Extra CI stages (issue 7): the golden vectors and core tests under the aws-lc RSA backend,
# bench and load-bench smoke runs, a bounded fuzz run of every cargo-fuzz target, cargo deny, and
# the known-vulnerability checks of scripts/check-advisories.sh (Rust, Python, npm); the docs
# (issue 15): rustdoc with warnings denied and the user guide (mdBook, docs/).
# Installs what it needs itself (cargo install --locked); runs on a fresh machine with only
# crates.io reachable. Usage: ./scripts/test-extra.sh
#
# Measured 2026-12-02 after scripts/test.sh on a fresh clone, no tool installed, 2 idle cores
# (8.4 min in all): aws-lc tests + clippy 2.1 min (compiling AWS-LC), bench, load, latency and
# store smoke on the existing dev build a few seconds, cargo doc 21 s, mdbook install 53 s,
# cargo-deny install 68 s, cargo package 34 s, advisories 6 s, cargo-fuzz install + fuzz build +
# fuzzing 5 x 20 s 3.2 min.
#
# Knobs (environment):
#   FUZZ_SECONDS=20        seconds of fuzzing per target (5 targets)
#   SKIP_FUZZ=1            skip the fuzz stage
#   CARGO_FUZZ_VERSION / CARGO_DENY_VERSION / MDBOOK_VERSION   tool versions to install when missing
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
FUZZ_SECONDS="${FUZZ_SECONDS:-20}"
CARGO_FUZZ_VERSION="${CARGO_FUZZ_VERSION:-0.13.2}"
CARGO_DENY_VERSION="${CARGO_DENY_VERSION:-0.20.2}"
MDBOOK_VERSION="${MDBOOK_VERSION:-0.5.4}"
started=$SECONDS

step() { printf '\n==> %s (%ss)\n' "$*" "$((SECONDS - started))"; }

# Installs `cargo <sub>` (sub `-`: the command named like the crate) from crates.io, with any
# further `cargo install` arguments, unless that version is already there. In the dev profile
# without debug info: the tools run for seconds on a graph this size, and an unoptimized build
# compiles in about half the time of a release one (cargo-deny: about 5.5 min released, cold;
# mdbook: 100 s of CPU instead of 240 s).
ensure_tool() {
  local sub=$1 crate=$2 version=$3
  shift 3
  local tool=(cargo "$sub")
  if [ "$sub" = - ]; then tool=("$crate"); fi
  if "${tool[@]}" --version 2>/dev/null | grep -Eq " v?$version( |\$)"; then
    return
  fi
  step "cargo install --debug $crate $version --locked $*"
  CARGO_PROFILE_DEV_DEBUG=0 cargo install --debug "$crate" --version "$version" --locked "$@"
}

step "core tests and golden vectors with the aws-lc RSA backend (feature aws-lc)"
# aws-lc-sys compiles AWS-LC with the cc crate (no cmake, Go or bindgen needed on x86_64 Linux).
cargo test -p nicepay-snap --features aws-lc --locked
cargo clippy -p nicepay-snap --features aws-lc --all-targets --locked -- -D warnings

# The smoke runs use the workspace's dev build (what `cargo test --workspace` compiled; a no-op
# after scripts/test.sh): `cargo test` runs a criterion bench once per benchmark, untimed, and
# the bench examples are run from the binaries that build made. `cargo bench` or
# `cargo run -p ...` would compile the dependency tree again for another profile or feature set.
step "bench smoke: every criterion bench runs once (cargo test --workspace --bench signing)"
cargo test --workspace --locked --bench signing

cargo test --workspace --locked --no-run --quiet
target_dir=$(cargo metadata --format-version 1 --no-deps --locked | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
examples="$target_dir/${CARGO_BUILD_TARGET:+$CARGO_BUILD_TARGET/}debug/examples"

step "load bench smoke: 2 async + 2 blocking clients against the simulator on 127.0.0.1"
"$examples/load" --clients 2 --flows 20 --max-seconds 20
step "latency bench smoke: clients vs raw transports, a few calls per mode (nothing timed)"
"$examples/latency" --smoke

step "state-store bench smoke: journal cost and token sharing, few calls (needs redis-server for its Redis rows)"
"$examples/store_bench" --refunds 20 --calls 400

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
# mdbook from crates.io without its `serve`/`watch` features; the unoptimized binary builds this
# book in about 2 s.
ensure_tool - mdbook "$MDBOOK_VERSION" --no-default-features --features search
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

# Every crate a user can `cargo add` or `cargo install`, packaged as crates.io would receive it
# (the bindings and xtask are publish = false). Path dependencies between them resolve through
# cargo's temporary local registry of the crates being packaged.
step "cargo package: the publishable crates, with complete metadata"
publishable=(nicepay-snap nicepay-snap-ureq nicepay-snap-reqwest nicepay-snap-client nicepay-snap-simulator nicepay-snap-axum nicepay-snap-cli)
package_args=()
for crate in "${publishable[@]}"; do package_args+=(-p "$crate"); done
metadata=$(mktemp)
cargo metadata --locked --format-version 1 --no-deps >"$metadata"
python3 - "$metadata" "${publishable[@]}" <<'PY'
import json, sys
wanted = set(sys.argv[2:])
fields = ("description", "license", "readme", "documentation", "keywords", "categories")
packages = json.load(open(sys.argv[1]))["packages"]
missing = [f"{p['name']}: {f}" for p in packages if p["name"] in wanted for f in fields if not p.get(f)]
if missing:
    sys.exit("crate metadata missing: " + ", ".join(missing))
print(f"metadata complete for {len(wanted)} crates")
PY
cargo package --locked --no-verify "${package_args[@]}" 2>&1 | tee "$metadata.log"
if grep -q '^warning' "$metadata.log"; then
  echo "cargo package warned (missing metadata?): see above" >&2
  exit 1
fi
# Verified (built from the packaged sources alone) where that is cheap: the core, whose
# dependencies the workspace build already compiled.
cargo package --locked -p nicepay-snap

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

#!/usr/bin/env bash
# Python package check: builds the wheel with maturin, installs it into a fresh-enough venv,
# runs mypy.stubtest on the native module and the pytest suite in python/tests.
# Needs only python3 (>= 3.9, with venv + pip) and cargo. Usage: ./scripts/test-python.sh
#
# Environment:
#   PYTHON            interpreter to build the venv from (default: python3.11, else python3)
#   NICEPAY_VENV      venv directory (default: .venv-ci, gitignored; reused when present)
#   MATURIN_PROFILE   cargo profile of the wheel and the sdist install (default: release, the
#                     wheel that ships; `dev` rebuilds faster while working on the binding)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export CARGO_TERM_COLOR=never
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

started=$SECONDS
step() { printf '\n==> [%ss] %s\n' "$((SECONDS - started))" "$*"; }

python=${PYTHON:-}
if [ -z "$python" ]; then
  if command -v python3.11 >/dev/null 2>&1; then python=python3.11; else python=python3; fi
fi
venv=${NICEPAY_VENV:-$root/.venv-ci}
profile=${MATURIN_PROFILE:-release}

step "venv at $venv ($($python --version 2>&1))"
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
vpy="$venv/bin/python"
# `cryptography` is the pure-Python side of python/bench/bench_sign.py, `requests` and `httpx`
# the hand-written peers of python/bench/bench_client.py (both smoke-run below).
"$vpy" -m pip install --quiet --upgrade "maturin>=1.9.4,<2" "pytest>=7" "mypy>=1.10" "hypothesis>=6" typing_extensions \
  "cryptography>=42" "requests>=2.31" "httpx>=0.27"
# The web frameworks of the notification adapters (nicepay_snap.integrations; optional extras
# of the package), each tested under its real server in tests/test_receivers.py.
step "pip install the web frameworks of the adapter tests (fastapi, uvicorn, flask, django)"
"$vpy" -m pip install --quiet "fastapi>=0.110" "uvicorn>=0.29" "flask>=2.3" "django>=4.2"

# The client tests run against `nicepay-snap simulate` on loopback. Build the CLI when the
# workspace has it; once it has the `simulate` subcommand, a simulator that cannot start fails
# the run (NICEPAY_REQUIRE_SIMULATOR=1) instead of skipping those tests.
#
# The CLI is built by `cargo test --workspace --no-run`, the very invocation scripts/test.sh
# makes (it builds the binary for the CLI's integration tests): after test.sh this is a no-op,
# whereas `cargo build -p nicepay-snap-cli` would resolve features for that one package and
# recompile much of the dependency tree.
if [ -z "${NICEPAY_SIMULATOR_BIN:-}" ] && [ -f crates/nicepay-snap-cli/Cargo.toml ]; then
  step "cargo test --workspace --no-run (builds the nicepay-snap CLI: the simulator for the client tests)"
  cargo test --workspace --no-run --quiet
  target_dir=$(cargo metadata --format-version 1 --no-deps | "$vpy" -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
  bin="$target_dir/${CARGO_BUILD_TARGET:+$CARGO_BUILD_TARGET/}debug/nicepay-snap"
  if "$bin" simulate --help >/dev/null 2>&1; then
    export NICEPAY_SIMULATOR_BIN="$bin"
    export NICEPAY_REQUIRE_SIMULATOR=1
  else
    echo "warning: nicepay-snap has no 'simulate' subcommand yet: the client tests will be skipped" >&2
  fi
elif [ -n "${NICEPAY_SIMULATOR_BIN:-}" ]; then
  export NICEPAY_REQUIRE_SIMULATOR=1
fi

# The release artifacts: an abi3 manylinux wheel (one wheel for CPython >= 3.10) and the sdist.
step "maturin build --profile $profile --sdist (abi3 manylinux wheel + sdist)"
wheels="$root/target/wheels-python"
rm -rf "$wheels"
(cd python && "$venv/bin/maturin" build --profile "$profile" --sdist --interpreter "$vpy" --out "$wheels")
wheel=$(ls "$wheels"/nicepay_snap-*.whl)
sdist=$(ls "$wheels"/nicepay_snap-*.tar.gz)
ls -l "$wheels"
case "$(basename "$wheel")" in
  nicepay_snap-*-cp310-abi3-manylinux_*_x86_64.whl | nicepay_snap-*-cp310-abi3-manylinux_*_aarch64.whl) ;;
  *) echo "expected an abi3 manylinux wheel, got $(basename "$wheel")" >&2; exit 1 ;;
esac

# From here on the package is used as a user has it: installed from the wheel, with no cargo or
# rustc on PATH (the simulator the client tests talk to is the packaged one or the CLI binary).
full_path=$PATH
no_rust_path=""
IFS=: read -r -a path_dirs <<<"$PATH"
for dir in "${path_dirs[@]}"; do
  if [ ! -x "$dir/cargo" ] && [ ! -x "$dir/rustc" ]; then no_rust_path="${no_rust_path:+$no_rust_path:}$dir"; fi
done
if PATH=$no_rust_path command -v cargo >/dev/null 2>&1; then
  echo "could not take cargo off PATH" >&2
  exit 1
fi
export PATH="$no_rust_path"

step "pip install the wheel (no cargo on PATH)"
"$vpy" -m pip install --quiet --force-reinstall --no-deps "$wheel"

# Run from outside the source tree so the installed wheel (not python/src) is what is tested.
cd "$root/python/tests"

step "mypy.stubtest nicepay_snap._nicepay_snap"
"$vpy" -m mypy.stubtest nicepay_snap._nicepay_snap

# The stubs and nicepay_snap.types as a user's type checker sees them (typing_usage.py includes
# deliberate mistakes that mypy must keep reporting).
step "mypy --strict typing_usage.py and the user guide's guide.py (against the installed package)"
"$vpy" -m mypy --strict --no-incremental typing_usage.py guide.py

step "pytest python/tests (the browser test runs below, on its own)"
set +e
"$vpy" -m pytest -q -p no:cacheprovider --rootdir "$root/python" -c "$root/python/pyproject.toml" "$root/python/tests" \
  --ignore "$root/python/tests/test_dashboard_browser.py"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: that is a failure" >&2
  exit 1
fi
if [ "$status" -ne 0 ]; then
  exit "$status"
fi

# The simulator's dashboard in headless Chromium, driven through chromedriver's WebDriver API.
# Debian's chromium and chromium-driver are installed when missing (about 30 s with apt-get on
# the CI machine); screenshots land in target/dashboard-screenshots/ (CI artifacts).
if [ -n "${NICEPAY_SIMULATOR_BIN:-}" ]; then
  step "chromium + chromium-driver for the dashboard browser test (apt-get when missing)"
  stage=$SECONDS
  if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    as_root=""
    if [ "$(id -u)" -ne 0 ]; then as_root=sudo; fi
    $as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
  fi
  chromium --version
  echo "browser install check took $((SECONDS - stage))s"

  step "pytest test_dashboard_browser.py (headless Chromium through WebDriver)"
  stage=$SECONDS
  NICEPAY_REQUIRE_BROWSER=1 "$vpy" -m pytest -q -p no:cacheprovider --rootdir "$root/python" \
    -c "$root/python/pyproject.toml" "$root/python/tests/test_dashboard_browser.py"
  echo "browser test took $((SECONDS - stage))s; screenshots in $root/target/dashboard-screenshots/"
fi

# The benchmark is timed by hand only (timings from CI are noise); here it just asserts that the
# binding and its pure-Python reference (hashlib/hmac, `cryptography`) produce the same outputs.
step "bench_sign.py --smoke"
"$vpy" "$root/python/bench/bench_sign.py" --smoke
step "bench_client.py --smoke (Client, AsyncClient, requests and httpx peers against the simulator; nothing timed)"
"$vpy" "$root/python/bench/bench_client.py" --smoke

# What users without a matching wheel run: pip builds the sdist (maturin in pip's isolated build
# environment, cargo back on PATH) into a new venv. CARGO_TARGET_DIR and the same profile let it
# reuse the dependencies compiled for the wheel; only the sdist's own crates are compiled again.
# The check signs a golden vector and takes a token from the packaged simulator.
step "pip install the sdist into a new venv (PEP 517, as users without a wheel install it)"
export PATH="$full_path"
fresh="$root/target/venv-pep517"
rm -rf "$fresh"
"$python" -m venv "$fresh"
CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}" MATURIN_PEP517_ARGS="--profile $profile" "$fresh/bin/python" -m pip install --quiet "$sdist"
(cd / && "$fresh/bin/python" - "$root/tests/vectors/spec-hmac-qris-refund" <<'PY'
import json, pathlib, sys
import nicepay_snap as snap
from nicepay_snap import types
case = pathlib.Path(sys.argv[1])
ctx = json.loads((case / "context.json").read_text())
signature = snap.sign_transaction(
    client_secret=ctx["clientSecret"], method=ctx["method"], path=ctx["path"],
    access_token=ctx["accessToken"], body=(case / "body.json").read_bytes(), timestamp=ctx["timestamp"],
)
assert signature == (case / "signature.txt").read_text().strip(), "PEP 517 install signs differently"
assert "qris.refund" in types.OPERATION_TYPES
from nicepay_snap.testing import Simulator
with Simulator() as sim:
    assert snap.Client(**sim.client_kwargs()).access_token(), "no token from the packaged simulator"
print(f"nicepay_snap {snap.__version__} from the sdist: golden vector ok, packaged simulator ok")
PY
)

printf '\nPython package checks passed in %ss\n' "$((SECONDS - started))"

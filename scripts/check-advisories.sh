#!/usr/bin/env bash
# Known-vulnerability checks of the dependency trees (issue 19), run by scripts/test-extra.sh.
# Usage: ./scripts/check-advisories.sh   (needs `cargo deny` installed; test-extra.sh installs it)
#
# Rust (always checked, fails CI): `cargo deny --all-features check advisories` against the live
#   RustSec database when it can be fetched (a developer's machine), otherwise offline against
#   the snapshot in ../shared/advisory-db (CI: only the package registries are reachable). The
#   snapshot is copied into a temporary git repository under target/ (cargo-deny reads databases
#   only from git) and a copy of deny.toml whose [advisories] db-path points at its parent is
#   used. Any advisory deny.toml does not ignore with a reason fails, and so does a yanked crate
#   (deny.toml: yanked = "deny"; yanks come from cargo's crates.io index cache, not the database).
#   The database date is printed; older than 180 days gives a loud warning.
# Python (pip-audit) and Node (npm audit): a finding without a written exception in
#   scripts/audit-exceptions.txt fails. When the vulnerability service cannot be queried (the
#   registry mirror CI sees serves packages but not PyPI's per-version JSON API nor npm's audit
#   endpoint), the output says "NOT AUDITED" with the reason; that is a warning unless
#   NICEPAY_AUDIT_STRICT=1, which makes it a failure.
#
# Environment:
#   NICEPAY_ADVISORY_DB_SNAPSHOT  snapshot directory (default: <repo parent>/shared/advisory-db)
#   NICEPAY_ADVISORY_DB_LIVE=0    do not try the live RustSec database (always use the snapshot)
#   NICEPAY_AUDIT_STRICT=1        an unreachable Python/npm vulnerability service fails the run
#   NICEPAY_VENV                  Python venv whose packages are audited (default: .venv-ci, as
#                                 scripts/test-python.sh makes; without it the declared
#                                 build/test requirements of python/pyproject.toml are resolved)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export CARGO_TERM_COLOR=never
started=$SECONDS
step() { printf '\n==> %s (%ss)\n' "$*" "$((SECONDS - started))"; }
max_age_days=180
not_audited=()

# Days since a date (YYYY-MM-DD or ISO 8601); warns loudly past $max_age_days.
report_age() {
  local what=$1 date=$2 age
  age=$(( ($(date -u +%s) - $(date -u -d "$date" +%s)) / 86400 ))
  echo "$what: dated $date ($age days old)"
  if [ "$age" -gt "$max_age_days" ]; then
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
    echo "!!! WARNING: $what is $age days old (more than $max_age_days): advisories published"
    echo "!!! since $date are NOT checked. Refresh the snapshot in shared/advisory-db."
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
  fi
}

# Written exceptions: lines `<ecosystem> <id> <reason...>`; an entry without a reason is an error.
exceptions_file=scripts/audit-exceptions.txt
exceptions() {
  local eco=$1
  [ -f "$exceptions_file" ] || return 0
  awk -v eco="$eco" -v f="$exceptions_file" '
    /^[[:space:]]*(#|$)/ { next }
    $1 == eco { if (NF < 3) { printf "%s:%d: exception %s has no written reason\n", f, NR, $2 > "/dev/stderr"; exit 1 } print $2 }
  ' "$exceptions_file"
}

# ---------------------------------------------------------------------------------------------
step "Rust: cargo deny check advisories"
if ! cargo deny --version >/dev/null 2>&1; then
  echo "error: cargo-deny is not installed (scripts/test-extra.sh installs it: cargo install cargo-deny --locked)" >&2
  exit 1
fi
if [ "${NICEPAY_ADVISORY_DB_LIVE:-1}" != "0" ] && timeout 60 cargo deny fetch db >/dev/null 2>&1; then
  echo "RustSec database: live (fetched from GitHub)"
  cargo_home=${CARGO_HOME:-$HOME/.cargo}
  live_db=$(ls -d "$cargo_home"/advisory-dbs/advisory-db-* 2>/dev/null | head -n 1)
  if [ -n "$live_db" ]; then
    report_age "live RustSec database $(git -C "$live_db" rev-parse --short HEAD)" \
      "$(git -C "$live_db" show -s --format=%cs HEAD)"
  fi
  # Just fetched: check without fetching it a second time.
  cargo deny --offline --all-features check advisories
else
  snapshot=${NICEPAY_ADVISORY_DB_SNAPSHOT:-$(dirname "$root")/shared/advisory-db}
  if [ ! -f "$snapshot/SNAPSHOT" ]; then
    echo "error: the live RustSec database is not used ($( [ "${NICEPAY_ADVISORY_DB_LIVE:-1}" = 0 ] && echo NICEPAY_ADVISORY_DB_LIVE=0 || echo cannot be fetched)) and there is no snapshot at $snapshot" >&2
    echo "(set NICEPAY_ADVISORY_DB_SNAPSHOT to a copy of rustsec/advisory-db with a SNAPSHOT file)" >&2
    exit 1
  fi
  # SNAPSHOT reads: "rustsec/advisory-db snapshot at <commit> (<YYYY-MM-DD>)"
  snap_line=$(head -n 1 "$snapshot/SNAPSHOT")
  snap_date=$(sed -n 's/.*(\([0-9]\{4\}-[0-9]\{2\}-[0-9]\{2\}\)).*/\1/p' <<<"$snap_line")
  if [ -z "$snap_date" ]; then
    echo "error: no (YYYY-MM-DD) date in $snapshot/SNAPSHOT: $snap_line" >&2
    exit 1
  fi
  if [ "${NICEPAY_ADVISORY_DB_LIVE:-1}" = "0" ]; then why="NICEPAY_ADVISORY_DB_LIVE=0"; else why="the live one cannot be fetched"; fi
  echo "RustSec database: $why; using the snapshot in $snapshot"
  echo "  $snap_line"
  report_age "RustSec snapshot" "$snap_date"
  # cargo-deny opens <db-path>/<name>-<hash of the URL>; this is the directory it uses for the
  # default https://github.com/rustsec/advisory-db (cargo-deny 0.20: url_to_db_path).
  db_root="$root/target/advisory-dbs"
  db="$db_root/advisory-db-3157b0e258782691"
  rm -rf "$db_root"
  mkdir -p "$db_root"
  cp -R "$snapshot" "$db"
  chmod -R u+w "$db" # the snapshot is read-only
  git -C "$db" -c init.defaultBranch=main init -q
  git -C "$db" add -A
  GIT_AUTHOR_DATE="${snap_date}T00:00:00Z" GIT_COMMITTER_DATE="${snap_date}T00:00:00Z" \
    git -C "$db" -c user.name=snapshot -c user.email=snapshot@localhost -c commit.gpgsign=false \
      commit -q -m "$snap_line"
  # deny.toml with db-path set (cargo-deny has no command-line flag for it).
  awk -v p="$db_root" '{ print } /^\[advisories\]/ { printf "db-path = \"%s\"\n", p }' deny.toml \
    >"$db_root/deny.toml"
  cargo deny --offline --all-features --config "$db_root/deny.toml" check advisories
fi

# ---------------------------------------------------------------------------------------------
step "Python: pip-audit of the Python package's dependency set"
py_ignores=()
for id in $(exceptions pypi); do py_ignores+=(--ignore-vuln "$id"); done
# pip-audit's default service is PyPI's per-version JSON API (/pypi/<name>/<version>/json); when
# it answers 404 for every package, pip-audit reports each as "not found on PyPI" and exits 0.
# Probe it first (cheap), so that case is reported as NOT AUDITED instead of passing.
probe=$(python3 - <<'PY'
import json, urllib.request, urllib.error
try:
    with urllib.request.urlopen("https://pypi.org/pypi/pip/json", timeout=30) as r:
        version = json.load(r)["info"]["version"]
    url = f"https://pypi.org/pypi/pip/{version}/json"
    with urllib.request.urlopen(url, timeout=30) as r:
        json.load(r)["vulnerabilities"]
    print("ok")
except urllib.error.HTTPError as e:
    print(f"{e.url} answered HTTP {e.code}")
except Exception as e:  # network errors, bad JSON, missing field
    print(f"PyPI JSON API unusable: {type(e).__name__}: {e}")
PY
)
if [ "$probe" != "ok" ]; then
  echo "Python dependencies NOT AUDITED: pip-audit's vulnerability service (PyPI JSON API) is not reachable from here: $probe"
  not_audited+=("python (PyPI JSON API: $probe)")
else
  audit_venv="$root/target/venv-audit"
  [ -x "$audit_venv/bin/pip-audit" ] || { python3 -m venv "$audit_venv" && "$audit_venv/bin/pip" install --quiet pip-audit; }
  reqs="$root/target/audit-python-requirements.txt"
  venv=${NICEPAY_VENV:-$root/.venv-ci}
  if [ -x "$venv/bin/python" ]; then
    echo "auditing the packages installed in $venv"
    "$venv/bin/python" -m pip freeze --all --exclude nicepay-snap >"$reqs"
    deps=(--no-deps --disable-pip)
  else
    echo "no venv at $venv: auditing python/pyproject.toml's build and test requirements (resolved)"
    python3 - python/pyproject.toml >"$reqs" <<'PY'
import sys, tomllib
p = tomllib.load(open(sys.argv[1], "rb"))
for r in p["build-system"]["requires"] + [r for v in p["project"].get("optional-dependencies", {}).values() for r in v] + p["project"].get("dependencies", []):
    print(r)
PY
    deps=()
  fi
  report="$root/target/audit-python.json"
  set +e
  "$audit_venv/bin/pip-audit" --progress-spinner off -r "$reqs" "${deps[@]}" "${py_ignores[@]}" -f json -o "$report"
  set -e
  python3 - "$report" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
found, skipped = [], []
for d in report["dependencies"]:
    if d.get("skip_reason"):
        skipped.append(f"{d['name']}: {d['skip_reason']}")
    for v in d.get("vulns", []):
        found.append(f"{d['name']} {d['version']}: {v['id']} (fixed in {', '.join(v['fix_versions']) or 'no release'})")
for s in skipped:
    print(f"NOT AUDITED: {s}")
for f in found:
    print(f"VULNERABLE: {f}")
print(f"pip-audit: {len(report['dependencies'])} packages, {len(found)} findings, {len(skipped)} not audited")
sys.exit(1 if found or skipped else 0)
PY
fi

# ---------------------------------------------------------------------------------------------
step "Node: npm audit of node/package-lock.json"
npm_report="$root/target/audit-npm.json"
mkdir -p "$root/target"
set +e
(cd node && npm audit --package-lock-only --json >"$npm_report" 2>/dev/null)
set -e
if ! npm_out=$(node - "$npm_report" $(exceptions npm) <<'JS'
const fs = require("fs");
const [file, ...allowed] = process.argv.slice(2);
let r;
try { r = JSON.parse(fs.readFileSync(file, "utf8")); } catch (e) { console.log(`UNREACHABLE npm audit gave no report: ${e.message}`); process.exit(0); }
if (r.error || r.statusCode || r.message) {
  console.log(`UNREACHABLE ${r.message || (r.error && r.error.summary) || "npm audit endpoint error"}`);
  process.exit(0);
}
let bad = 0;
for (const [name, v] of Object.entries(r.vulnerabilities || {})) {
  for (const via of v.via) {
    if (typeof via !== "object") continue; // an entry through another vulnerable package
    const id = (via.url || "").split("/").pop() || String(via.source);
    const ok = allowed.includes(id);
    console.log(`${ok ? "excepted" : "VULNERABLE"}: ${name} ${v.range}: ${id} ${via.title} (${via.severity})`);
    if (!ok) bad++;
  }
}
const n = (r.metadata && r.metadata.dependencies && r.metadata.dependencies.total) ?? "?";
console.log(`npm audit: ${n} packages, ${bad} findings without an exception`);
process.exit(bad ? 1 : 0);
JS
); then
  echo "$npm_out"
  exit 1
fi
if [[ "$npm_out" != UNREACHABLE* ]]; then
  echo "$npm_out"
else
  echo "Node dependencies NOT AUDITED: npm's audit endpoint is not usable from here: ${npm_out#UNREACHABLE }"
  not_audited+=("node (npm audit: ${npm_out#UNREACHABLE })")
fi

# ---------------------------------------------------------------------------------------------
step "advisories: Rust checked"
if [ "${#not_audited[@]}" -gt 0 ]; then
  echo "!!! NOT AUDITED (vulnerability service unreachable from this machine):"
  printf '!!!   %s\n' "${not_audited[@]}"
  if [ "${NICEPAY_AUDIT_STRICT:-0}" = "1" ]; then
    echo "NICEPAY_AUDIT_STRICT=1: failing" >&2
    exit 1
  fi
fi

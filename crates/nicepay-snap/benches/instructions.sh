#!/usr/bin/env bash
# Instruction-count ratios of transaction signing vs the floor (SHA-256 + HMAC-SHA512 over the
# same bytes), with valgrind's callgrind: repeatable whatever else the machine is doing.
# Usage: crates/nicepay-snap/benches/instructions.sh [iterations] [extra cargo args, e.g. --features aws-lc]
set -euo pipefail
cd "$(dirname "$0")/../../.."
n="${1:-2000}"
shift || true
cargo bench -p nicepay-snap --bench instructions --no-run "$@" 2>/dev/null
bin=$(cargo bench -p nicepay-snap --bench instructions --no-run --message-format=json "$@" 2>/dev/null |
  python3 -c 'import json,sys
for l in sys.stdin:
    m=json.loads(l)
    if m.get("reason")=="compiler-artifact" and m["target"]["name"]=="instructions" and m.get("executable"): print(m["executable"])')
count() { # mode iterations -> instructions executed
  local out
  out=$(mktemp)
  valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" "$1" "$2" >/dev/null 2>&1
  awk '/^summary:/ {print $2}' "$out"
  rm -f "$out"
}
declare -A per
for mode in floor sign typed json; do
  base=$(count "$mode" 0)
  full=$(count "$mode" "$n")
  per[$mode]=$(( (full - base) / n ))
  printf '%-6s %8d instructions per call\n' "$mode" "${per[$mode]}"
done
for mode in sign typed json; do
  python3 -c "print(f'$mode / floor: {${per[$mode]} / ${per[floor]}:.2f}x')"
done

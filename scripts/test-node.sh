#!/usr/bin/env bash
# The npm package's test command: builds the addon with @napi-rs/cli, checks that the committed
# generated index.js / index.d.ts are fresh, runs the node:test suite (golden vectors, errors,
# the Client against the simulator on loopback) and the TypeScript typecheck, then packs the
# package and uses the tarball from an empty project through both `require` and `import`.
# Needs only Node >= 20, npm and cargo; installs the rest from the npm registry
# (package-lock.json). Non-interactive; safe under CI=true.
#
# Usage: ./scripts/test-node.sh
# Env:   NICEPAY_NODE_RELEASE=1  build with --release (default: debug, which shares compiled
#        dependencies with `cargo test --workspace` in target/).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export CARGO_TERM_COLOR=never
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

step() { printf '\n==> %s\n' "$*"; }
t0=$SECONDS

step "node $(node --version), npm $(npm --version)"
cd node

step "npm ci"
npm ci --no-audit --no-fund

# The payload interfaces and named methods at the top of index.d.ts come from the Rust payload
# structs and operation registry.
step "payload-types.d.ts and payload-shapes.json are fresh (cargo run -p xtask -- codegen --check)"
cargo run --quiet --locked -p xtask -- codegen --check

step "napi build --no-js (generates index.d.ts; index.js is the hand-written loader)"
if [ "${NICEPAY_NODE_RELEASE:-0}" = 1 ]; then npm run build:release; else npm run build; fi

step "generated files are committed and fresh"
if ! git diff --exit-code -- index.d.ts index.js payload-types.d.ts; then
  echo "index.js / index.d.ts differ from the committed ones: run 'cd node && npm run build' and commit them" >&2
  exit 1
fi
if [ -n "$(git status --porcelain -- index.d.ts index.js payload-types.d.ts)" ]; then
  echo "index.js / index.d.ts are not committed" >&2
  exit 1
fi

if [ -z "${NICEPAY_SIMULATOR_BIN:-}" ]; then
  step "simulator for the client tests: cargo build -p nicepay-snap-cli"
  cargo build -p nicepay-snap-cli --locked
  target_dir=$(cargo metadata --format-version 1 --no-deps --locked | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')
  export NICEPAY_SIMULATOR_BIN="$target_dir/${CARGO_BUILD_TARGET:+$CARGO_BUILD_TARGET/}debug/nicepay-snap"
fi
export NICEPAY_REQUIRE_SIMULATOR=1

step "node --test"
node --test __test__/*.spec.mjs
step "bench/client.mjs --smoke (the Client, fetch and undici peers against the simulator; nothing timed)"
node bench/client.mjs --smoke

step "tsc --noEmit (TypeScript usage file)"
npx --no-install tsc --noEmit -p __test__/tsconfig.json

step "npm pack, then install the tarball into an empty project"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
npm pack --pack-destination "$tmp" >/dev/null
tarball=$(ls "$tmp"/nicepay-snap-*.tgz)
tar -tzf "$tarball" | sort
mkdir "$tmp/app"
cd "$tmp/app"
printf '{ "name": "app", "version": "1.0.0", "private": true }\n' >package.json
npm install --no-audit --no-fund --prefer-offline "$tarball"
body="$root/tests/vectors/spec-hmac-qris-refund"
export VECTOR_DIR="$body"
cat >check.cjs <<'JS'
const fs = require('node:fs')
const { signTransaction, version } = require('nicepay-snap')
const dir = process.env.VECTOR_DIR
const ctx = JSON.parse(fs.readFileSync(`${dir}/context.json`, 'utf8'))
const sig = signTransaction({ ...ctx, body: fs.readFileSync(`${dir}/body.json`) })
if (sig !== fs.readFileSync(`${dir}/signature.txt`, 'utf8')) throw new Error(`require: wrong signature ${sig}`)
console.log(`require('nicepay-snap') ${version()}: ok`)
// The framework adapters ship in the package and load without their (optional peer) frameworks.
const { notifications, captureRawBody } = require('nicepay-snap/express')
const fastifyPlugin = require('nicepay-snap/fastify')
const { NotificationHandler } = require('nicepay-snap')
if (typeof notifications !== 'function' || typeof captureRawBody !== 'function' || typeof fastifyPlugin !== 'function' || typeof NotificationHandler !== 'function') {
  throw new Error('nicepay-snap/express, nicepay-snap/fastify or NotificationHandler missing from the package')
}
console.log("require('nicepay-snap/express'), require('nicepay-snap/fastify'): ok")
JS
cat >check.mjs <<'JS'
import fs from 'node:fs'
import snap, { signTransaction, version } from 'nicepay-snap'
const dir = process.env.VECTOR_DIR
const ctx = JSON.parse(fs.readFileSync(`${dir}/context.json`, 'utf8'))
const sig = signTransaction({ ...ctx, body: fs.readFileSync(`${dir}/body.json`, 'utf8') })
if (sig !== fs.readFileSync(`${dir}/signature.txt`, 'utf8')) throw new Error(`import: wrong signature ${sig}`)
if (snap.signTransaction !== signTransaction) throw new Error('default and named exports differ')
console.log(`import 'nicepay-snap' ${version()}: ok`)
const { notifications } = await import('nicepay-snap/express')
const fastify = await import('nicepay-snap/fastify')
if (typeof notifications !== 'function' || typeof fastify.default !== 'function') throw new Error('import of the adapters failed')
console.log("import 'nicepay-snap/express', 'nicepay-snap/fastify': ok")
JS
cat >simulate.cjs <<'JS'
// A payment flow against the simulator inside the installed package (no cargo binary).
const { Client } = require('nicepay-snap')
const { Simulator } = require('nicepay-snap/testing')
;(async () => {
  const sim = await Simulator.start()
  try {
    const token = await new Client(sim.clientOptions()).accessToken()
    if (!token) throw new Error('no token from the packaged simulator')
    console.log(`require('nicepay-snap/testing'): token from the packaged simulator at ${sim.baseUrl}`)
  } finally {
    await sim.stop()
  }
})().catch((e) => { console.error(e); process.exit(1) })
JS
node check.cjs
node check.mjs
node simulate.cjs
cd "$root"

step "node package: all checks passed in $((SECONDS - t0)) s"

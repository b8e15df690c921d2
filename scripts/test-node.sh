#!/usr/bin/env bash
# The npm package's test command: builds the addon with @napi-rs/cli, checks that the committed
# generated index.js / index.d.ts are fresh, runs the node:test suite (golden vectors, errors,
# the Client against the simulator on loopback) and the TypeScript typecheck, then packs the
# package and uses the tarball from an empty project through both `require` and `import`.
# Needs only Node >= 20, npm and cargo; installs the rest from the npm registry
# (package-lock.json). Non-interactive; safe under CI=true.
#
# Usage: ./scripts/test-node.sh
# Env:   NICEPAY_NODE_DEBUG=1  build the addon in the dev profile (quicker to rebuild while
#        working on the binding); the default is the release build that the packages ship.
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
if [ "${NICEPAY_NODE_DEBUG:-0}" = 1 ]; then npm run build; else npm run build:release; fi

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

# The release layout napi-rs packages publish: the main package (JavaScript and types) with one
# optional dependency per platform, and this platform's package holding the addon. Both
# tarballs go into an empty project offline: nothing may come from the registry or the repo.
step "release layout (node release.mjs), npm pack, install both tarballs into an empty project offline"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
node release.mjs "$tmp/release"
for dir in "$tmp"/release/*/; do
  (cd "$dir" && npm pack --pack-destination "$tmp" >/dev/null)
done
tarball=$(ls "$tmp"/nicepay-snap-0*.tgz)
platform_tarball=$(ls "$tmp"/nicepay-snap-linux-x64-gnu-*.tgz)
for t in "$tarball" "$platform_tarball"; do echo "$(basename "$t"):"; tar -tzf "$t" | sort | sed 's/^/  /'; done
if tar -tzf "$tarball" | grep -q '\.node$'; then
  echo "the main package must not carry an addon: it comes from the platform package" >&2
  exit 1
fi
mkdir "$tmp/app"
cd "$tmp/app"
printf '{ "name": "app", "version": "1.0.0", "private": true }\n' >package.json
npm install --offline --no-audit --no-fund "$tarball" "$platform_tarball"
test -f node_modules/nicepay-snap-linux-x64-gnu/nicepay-snap.linux-x64-gnu.node
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
cat >check.ts <<'TS'
// The installed package's types as a user's TypeScript project sees them.
import { Client, signTransaction, type ClientOptions } from 'nicepay-snap'
import { Simulator } from 'nicepay-snap/testing'
import { notifications } from 'nicepay-snap/express'
const signature: string = signTransaction({
  clientSecret: 's', method: 'POST', path: '/api/v1.0/qr/qr-mpm-query', accessToken: 't',
  body: '{}', timestamp: '2024-07-05T10:11:40+07:00',
})
async function flow(options: ClientOptions): Promise<string> {
  const sim = await Simulator.start()
  await sim.stop()
  return (await new Client(options).accessToken()) + signature
}
void flow
void notifications
// @ts-expect-error: signTransaction needs its arguments
signTransaction()
TS
# @types/node from the repository's dev dependencies: the types use Buffer, as any Node project has.
cat >tsconfig.json <<JSON
{ "compilerOptions": { "strict": true, "module": "nodenext", "moduleResolution": "nodenext", "target": "es2022",
  "noEmit": true, "typeRoots": ["$root/node/node_modules/@types"], "types": ["node"] }, "files": ["check.ts"] }
JSON
node check.cjs
node check.mjs
node simulate.cjs
# The repository's TypeScript compiler, on the installed package's declarations.
node "$root/node/node_modules/typescript/bin/tsc" -p tsconfig.json
echo "tsc on the installed package's types: ok"
cd "$root"

step "node package: all checks passed in $((SECONDS - t0)) s"

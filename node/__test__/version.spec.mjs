// One version everywhere: package.json, the addon's version() and the Cargo workspace.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { it } from 'node:test'

import { packageDir, repoRoot, snap } from './helpers.mjs'

const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'))

it('version() is the package.json version', () => {
  assert.equal(snap.version(), pkg.version)
})

it('package.json version is the Cargo version of nicepay-snap-node', () => {
  const meta = JSON.parse(
    execFileSync('cargo', ['metadata', '--format-version', '1', '--no-deps', '--offline'], {
      cwd: repoRoot,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    }),
  )
  const crate = meta.packages.find((p) => p.name === 'nicepay-snap-node')
  assert.ok(crate, 'nicepay-snap-node is a workspace member')
  assert.equal(pkg.version, crate.version)
  const core = meta.packages.find((p) => p.name === 'nicepay-snap')
  assert.equal(pkg.version, core.version)
})

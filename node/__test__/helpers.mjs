// Shared helpers of the Node suite: where the repository's golden vectors and test keys live,
// and checks several specs make.
import assert from 'node:assert/strict'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const here = dirname(fileURLToPath(import.meta.url))
export const packageDir = join(here, '..')
export const repoRoot = join(packageDir, '..')
export const vectorsDir = join(repoRoot, 'tests', 'vectors')

// The package under test, loaded the way CommonJS users load it.
export const snap = createRequire(import.meta.url)('../index.js')

/** Every vector case: `{ name, dir, ctx, text(file), bytes(file) }`, sorted by name. */
export function cases(kind) {
  const out = []
  for (const name of readdirSync(vectorsDir).sort()) {
    const dir = join(vectorsDir, name)
    if (!statSync(dir).isDirectory()) continue
    const ctx = JSON.parse(readFileSync(join(dir, 'context.json'), 'utf8'))
    if (kind && ctx.kind !== kind) continue
    out.push({
      name,
      dir,
      ctx,
      text: (file) => readFileSync(join(dir, file), 'utf8'),
      bytes: (file) => readFileSync(join(dir, file)),
    })
  }
  return out
}

/** A file under the repository root, as text. */
export const repoFile = (path) => readFileSync(join(repoRoot, path), 'utf8')

/**
 * An `assert.rejects` check of an `ERR_NICEPAY_OUTCOME_UNKNOWN` error: an `Error` with every
 * expected property (`identifiers` key by key) and an `externalId`.
 */
export const outcomeUnknown = (expected) => (e) => {
  assert.ok(e instanceof Error)
  assert.equal(e.code, 'ERR_NICEPAY_OUTCOME_UNKNOWN')
  const { identifiers = {}, ...properties } = expected
  for (const [name, value] of Object.entries(properties)) assert.equal(e[name], value, name)
  for (const [name, value] of Object.entries(identifiers)) assert.equal(e.identifiers[name], value, name)
  assert.ok(e.externalId)
  return true
}

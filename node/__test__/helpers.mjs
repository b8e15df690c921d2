// Shared helpers of the Node suite: where the repository's golden vectors and test keys live.
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

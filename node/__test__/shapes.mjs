// Run-time checks that what the addon takes and returns matches the payload interfaces of
// index.d.ts. payload-shapes.json is generated with them from the Rust payload structs
// (`cargo run -p xtask -- codegen`), so a flow test through `checked(client)` shows that the
// TypeScript types describe the objects the addon really hands out, not just what compiles.
//
// Requests are checked strictly (no undeclared key, every required key, declared value types);
// responses leniently (every declared key present with its declared type; keys NICEPAY added
// beyond those are allowed, the addon passes them through).
import { readFileSync } from 'node:fs'

const shapes = JSON.parse(readFileSync(new URL('./payload-shapes.json', import.meta.url), 'utf8'))

export class ShapeError extends Error {}

function fail(path, message) {
  throw new ShapeError(`${path}: ${message}`)
}

function describe(value) {
  if (value === null) return 'null'
  return Array.isArray(value) ? 'array' : typeof value
}

/** Throws a ShapeError (naming the path) unless `value` has the described shape. */
export function conforms(value, shape, { strict, path = '$' }) {
  if (shape === 'any') return
  if (typeof shape === 'string') {
    const ok = shape === 'null' ? value === null : typeof value === shape
    if (!ok) fail(path, `expected ${shape}, got ${describe(value)}`)
    return
  }
  if (shape.union) {
    const errors = []
    for (const option of shape.union) {
      try {
        conforms(value, option, { strict, path })
        return
      } catch (e) {
        if (!(e instanceof ShapeError)) throw e
        errors.push(e.message)
      }
    }
    fail(path, `matches none of its types: ${errors.join('; ')}`)
  }
  if (shape.list) {
    if (!Array.isArray(value)) fail(path, `expected an array, got ${describe(value)}`)
    value.forEach((item, i) => conforms(item, shape.list, { strict, path: `${path}[${i}]` }))
    return
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail(path, `expected an object, got ${describe(value)}`)
  }
  if (shape.map) return
  const type = shapes.types[shape.ref]
  if (!type) fail(path, `unknown type ${shape.ref}`)
  const missing = type.required.filter((key) => !(key in value))
  if (missing.length) fail(path, `${shape.ref} lacks required keys ${missing.join(', ')}`)
  for (const [key, item] of Object.entries(value)) {
    const field = type.fields[key]
    if (field === undefined) {
      if (strict) fail(path, `key ${key} is not declared in ${shape.ref}`)
      continue
    }
    conforms(item, field, { strict, path: `${path}.${key}` })
  }
}

/** The type names of a named Client method: `{ operation, request, response }`. */
export function methodTypes(method) {
  return shapes.methods[method]
}

/**
 * Wraps a Client: its named methods check their request and response against the payload
 * shapes, `verifyAndConfirm` checks its result per product; everything else passes through.
 */
export function checked(client) {
  return new Proxy(client, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target)
      if (typeof value !== 'function') return value
      const types = typeof prop === 'string' ? shapes.methods[prop] : undefined
      if (types) {
        return async (request) => {
          conforms(request, { ref: types.request }, { strict: true, path: `${types.operation} request` })
          const response = await value.call(target, request)
          conforms(response, { ref: types.response }, { strict: false, path: `${types.operation} response` })
          return response
        }
      }
      if (prop === 'verifyAndConfirm') {
        return async (product, headers, body) => {
          const result = await value.call(target, product, headers, body)
          conforms(result, { ref: shapes.confirmations[product] }, { strict: false, path: `verifyAndConfirm(${product})` })
          return result
        }
      }
      return value.bind(target)
    },
  })
}

export const methodNames = Object.keys(shapes.methods)

// The loader of the native addon (hand-written: `napi build --no-js` generates only the addon
// and index.d.ts). It loads `nicepay-snap.<platform>.node` next to this file (what
// `npm run build` produces), else the `nicepay-snap-<platform>` package of this platform, where
// <platform> is napi's name for it: `linux-x64-gnu`, `linux-arm64-musl`, `darwin-arm64`,
// `win32-x64-msvc`, ... `NAPI_RS_NATIVE_LIBRARY_PATH` overrides both.
'use strict'

const { platform, arch } = process

// glibc or musl: what `ldd` is, else what the process report says.
function isMusl() {
  try {
    return require('node:fs').readFileSync('/usr/bin/ldd', 'utf8').includes('musl')
  } catch {}
  const report = typeof process.report?.getReport === 'function' ? process.report.getReport() : null
  if (!report || report.header?.glibcVersionRuntime) return false
  return (report.sharedObjects ?? []).some((f) => f.includes('libc.musl-') || f.includes('ld-musl-'))
}

function abi() {
  if (platform === 'linux') return (isMusl() ? 'musl' : 'gnu') + (arch === 'arm' ? 'eabihf' : '')
  if (platform === 'win32') return 'msvc'
  if (platform === 'android' && arch === 'arm') return 'eabi'
  return ''
}

function load() {
  const triple = [platform, arch, abi()].filter(Boolean).join('-')
  const override = process.env.NAPI_RS_NATIVE_LIBRARY_PATH
  const candidates = override ? [override] : [`./nicepay-snap.${triple}.node`, `nicepay-snap-${triple}`]
  const errors = []
  for (const candidate of candidates) {
    try {
      return require(candidate)
    } catch (err) {
      errors.push(err)
    }
  }
  const error = new Error(`nicepay-snap: cannot load the native addon for ${triple} (tried ${candidates.join(', ')})`)
  error.cause = errors.length === 1 ? errors[0] : new AggregateError(errors)
  throw error
}

const binding = load()
// Named exports assigned one by one, so that Node's CommonJS-to-ESM detection sees them
// (`import { signTransaction } from 'nicepay-snap'`).
module.exports = binding
module.exports.Client = binding.Client
module.exports.PrivateKey = binding.PrivateKey
module.exports.JsPrivateKey = binding.JsPrivateKey
module.exports.PublicKey = binding.PublicKey
module.exports.JsPublicKey = binding.JsPublicKey
module.exports.bodySha256Hex = binding.bodySha256Hex
module.exports.minifyJson = binding.minifyJson
module.exports.signTokenRequest = binding.signTokenRequest
module.exports.signTransaction = binding.signTransaction
module.exports.tokenStringToSign = binding.tokenStringToSign
module.exports.transactionStringToSign = binding.transactionStringToSign
module.exports.verifyNotificationRequest = binding.verifyNotificationRequest
module.exports.nativeCall = binding.nativeCall
module.exports.Native = binding.Native
// The pure-JavaScript facades over the native table (sdk.js, typed in sdk.d.ts).
const sdk = require('./sdk.js')(binding)
module.exports.signedPath = sdk.signedPath
module.exports.normalizeTimestamp = sdk.normalizeTimestamp
module.exports.timestampNow = sdk.timestampNow
module.exports.version = sdk.version
module.exports.verifyNotification = sdk.verifyNotification
module.exports.acknowledgement = sdk.acknowledgement
module.exports.generateKeyPair = sdk.generateKeyPair
module.exports.sourceAllowed = sdk.sourceAllowed
module.exports.RequestBuilder = sdk.RequestBuilder
module.exports.MerchantServer = sdk.MerchantServer

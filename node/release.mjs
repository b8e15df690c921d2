// Lays out the npm release as napi-rs packages are published: the main `nicepay-snap` package
// (JavaScript, types, no binary) naming one optional dependency per platform, and one package per
// platform holding that platform's addon (`npm/<platform>/`). Platform packages whose addon was
// not built on this machine are left out; CI builds the linux-x64-gnu one.
//
// Usage: node release.mjs <out-dir>    (after `npm run build:release`)
// Then `npm pack` each directory under <out-dir>, or `npm publish` them, platform packages first.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const out = process.argv[2]
if (!out) {
  console.error('usage: node release.mjs <out-dir>')
  process.exit(2)
}
const pkg = JSON.parse(fs.readFileSync(path.join(here, 'package.json'), 'utf8'))
const binaryName = pkg.napi.binaryName

function copyLicences(dir) {
  for (const licence of ['LICENSE-MIT', 'LICENSE-APACHE']) {
    fs.copyFileSync(path.join(here, '..', licence), path.join(dir, licence))
  }
}

fs.rmSync(out, { recursive: true, force: true })
const mainDir = path.join(out, pkg.name)
fs.mkdirSync(mainDir, { recursive: true })

// Every platform package, whether built here or not: npm skips those whose os/cpu/libc do not
// match, and index.js loads the one that does.
const platforms = fs.readdirSync(path.join(here, 'npm')).sort()
const optionalDependencies = {}
const built = []
for (const platform of platforms) {
  const platformPkg = JSON.parse(fs.readFileSync(path.join(here, 'npm', platform, 'package.json'), 'utf8'))
  if (platformPkg.version !== pkg.version) {
    throw new Error(`npm/${platform}/package.json is at ${platformPkg.version}, the package at ${pkg.version}`)
  }
  optionalDependencies[platformPkg.name] = pkg.version
  const addon = `${binaryName}.${platform}.node`
  if (!fs.existsSync(path.join(here, addon))) continue
  const dir = path.join(out, platform)
  fs.cpSync(path.join(here, 'npm', platform), dir, { recursive: true })
  fs.copyFileSync(path.join(here, addon), path.join(dir, addon))
  copyLicences(dir)
  built.push(platform)
}
if (built.length === 0) {
  throw new Error(`no ${binaryName}.<platform>.node next to package.json: run \`npm run build:release\` first`)
}

// The main package: what `files` lists, minus the addons, plus the licences.
const files = pkg.files.filter((f) => !f.endsWith('.node'))
for (const entry of files) {
  fs.cpSync(path.join(here, entry), path.join(mainDir, entry), { recursive: true })
}
fs.copyFileSync(path.join(here, 'README.md'), path.join(mainDir, 'README.md'))
copyLicences(mainDir)
const released = { ...pkg, files, optionalDependencies }
delete released.devDependencies
delete released.scripts
fs.writeFileSync(path.join(mainDir, 'package.json'), `${JSON.stringify(released, null, 2)}\n`)
console.log(`${out}: ${pkg.name}@${pkg.version} and ${built.map((p) => `${pkg.name}-${p}`).join(', ')}`)

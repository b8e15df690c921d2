#!/usr/bin/env node
// `npx nicepay-snap simulate [--port N]`: runs the bundled NICEPAY simulator until interrupted,
// printing its connection details (one JSON line, TEST-ONLY credentials) first.
'use strict'

const { Simulator } = require('./testing.js')

async function main(argv) {
  const [command, ...rest] = argv
  if (command !== 'simulate') {
    console.error('usage: nicepay-snap simulate [--port N]')
    return 2
  }
  let port = 8080
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--port' && /^\d+$/.test(rest[i + 1] ?? '')) port = Number(rest[++i])
    else {
      console.error(`nicepay-snap simulate: unexpected argument ${JSON.stringify(rest[i])}`)
      return 2
    }
  }
  const sim = await Simulator.start({ port })
  console.log(JSON.stringify(sim.info))
  console.error(`dashboard and admin API on ${sim.baseUrl} (Ctrl-C stops)`)
  const keepAlive = setInterval(() => {}, 1 << 30)
  await new Promise((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  clearInterval(keepAlive)
  await sim.stop()
  return 0
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`nicepay-snap: ${err.message}`)
    process.exit(1)
  },
)

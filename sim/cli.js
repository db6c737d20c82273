#!/usr/bin/env node
// @ts-check
// `npm run sim -- [flags]`: the WP Engine API simulator as a command, for local use and CI workflows.
// What the flags mean is sim/cli-args.js.
import { writeFileSync } from 'node:fs'
import { CliExit, readFault, readSimArgs } from './cli-args.js'
import { startSimulator } from './server.js'

/** Runs `read`; a CliExit it throws is printed and ends the process with its code. @template T @param {() => T} read @returns {T} */
function orExit(read) {
  try {
    return read()
  } catch (error) {
    if (!(error instanceof CliExit)) throw error
    process.stdout.write(error.stdout)
    process.stderr.write(error.stderr)
    process.exit(error.code)
  }
}

const { options, faults, readyFile, quiet } = orExit(() => readSimArgs(process.argv.slice(2)))

const sim = await startSimulator({
  ...options,
  log: quiet ? undefined : (line) => process.stdout.write(`[sim] ${line}\n`)
})

for (const spec of faults) sim.fault(orExit(() => readFault(spec)))

process.stdout.write(
  `WP Engine API simulator listening on ${sim.url}${options.gateway ? ` (behind the API gateway, as v${options.gateway.version})` : ''}\n  user: ${sim.credentials.userId}  password: ${sim.credentials.password}\n  installs: mysite and mysitestaging (IDs ${sim.installs.at(-2)?.id}, ${sim.installs.at(-1)?.id})\n`
)
if (readyFile) writeFileSync(readyFile, `${sim.url}\n`)

for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.once(signal, () => {
    void sim.close().then(() => process.exit(0))
  })
}

// @ts-check
// `npm run bench`: the performance targets, measured, one section per file in this folder.
// Prints each section's tables, then every target as PASS or FAIL; exits 1 when a target is missed.

import { scratchFolder } from './helpers.js'

scratchFolder()

/** The sections, in the order they run and print. */
const SECTIONS = ['poll-schedule', 'cold-start', 'many-installs', 'offsite-copy', 'bad-api-days', 'retry-budget']

/** @type {string[]} */
const lines = []
/** @type {import('./helpers.js').Target[]} */
const targets = []
for (const name of SECTIONS) {
  /** @type {{ default: import('./helpers.js').Section }} */
  const section = await import(`./${name}.js`)
  const result = await section.default.run()
  if (lines.length > 0) lines.push('')
  lines.push(...result.lines)
  targets.push(...result.targets)
}
lines.push('', '## Targets', '', ...targets.map((t) => `- ${t.line}`))
process.stdout.write(`${lines.join('\n')}\n\nNode ${process.version}\n`)
process.exitCode = targets.every((t) => t.ok) ? 0 : 1

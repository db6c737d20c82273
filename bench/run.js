// @ts-check
// `npm run bench`: the performance targets, measured, one section per file in this folder. Prints each
// section's tables, then every target as PASS or FAIL (the value measured and its limit); exits 1 when a
// target is missed.
//
//   npm run bench                      every section in full: the figures in the README
//   npm run bench -- --quick           what CI runs (npm run bench:quick): fewer samples and no
//                                      256 MiB downloads; the same targets, all deterministic or with wide headroom
//   npm run bench -- retry-budget ...  only the sections named
import { scratchFolder } from './helpers.js'

/** The sections, in the order they run and print. */
const SECTIONS = [
  'poll-schedule',
  'history-fit',
  'cold-start',
  'many-installs',
  'offsite-copy',
  'offsite-encrypt',
  'bad-api-days',
  'retry-budget',
  'fleet',
  'rate-limit'
]

const args = process.argv.slice(2)
const quick = args.includes('--quick')
const named = args.filter((arg) => arg !== '--quick')
const unknown = named.filter((name) => !SECTIONS.includes(name))
if (unknown.length > 0) {
  process.stderr.write(`Unknown: ${unknown.join(', ')}. Usage: node bench/run.js [--quick] [${SECTIONS.join(' | ')} ...]\n`)
  process.exit(2)
}

scratchFolder()
const started = performance.now()
/** @type {string[]} */
const lines = []
/** @type {import('./helpers.js').Target[]} */
const targets = []
for (const name of SECTIONS.filter((section) => named.length === 0 || named.includes(section))) {
  /** @type {{ default: import('./helpers.js').Section }} */
  const section = await import(`./${name}.js`)
  const result = await section.default.run({ quick })
  if (lines.length > 0) lines.push('')
  lines.push(...result.lines)
  targets.push(...result.targets)
}
lines.push('', '## Targets', '', ...targets.map((t) => `- ${t.line}`))
const took = ((performance.now() - started) / 1000).toFixed(0)
process.stdout.write(`${lines.join('\n')}\n\n${quick ? 'Quick run' : 'Full run'}, ${took} s; Node ${process.version}\n`)
process.exitCode = targets.every((t) => t.ok) ? 0 : 1

// @ts-check
// `npm run demo`: starts the WP Engine API simulator, runs the bundled action against it exactly as
// the runner would, and shows its log, its outputs and its job summary. No credentials, no network.
import { existsSync } from 'node:fs'
import { startSimulator } from '../sim/server.js'
import { ACTION, runAction, SAMPLE_RUN_ENV } from './run-action.js'

const dim = (/** @type {string} */ text) => (process.stdout.isTTY ? `\x1b[2m${text}\x1b[0m` : text)
const bold = (/** @type {string} */ text) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text)

if (!existsSync(ACTION)) {
  process.stderr.write('dist/index.js is missing: run `npm run bundle` first.\n')
  process.exit(1)
}

const sim = await startSimulator({ requestedMs: 1_500, durationMs: 5_000 })
// A history to learn from: a backup a day for twelve days, each taking 4.5 to 6 seconds.
const mysite = sim.installs.find((i) => i.name === 'mysite')
for (const [day, ms] of [4_600, 5_200, 4_900, 5_800, 5_100, 4_700, 5_400, 5_000, 5_300, 4_800, 5_600, 5_000].entries()) {
  sim.seedBackup({ installId: mysite?.id ?? '', description: 'Nightly backup', ageMs: (day + 1) * 86_400_000, durationMs: ms })
}
const inputs = {
  install: 'mysite',
  'notification-emails': 'ops@example.com',
  'api-url': sim.url,
  timeout: '2m'
}
process.stdout.write(
  `${bold('WP Engine backup action — demo')}\n` +
    `A local WP Engine API simulator is listening on ${sim.url}; its backups complete after about 5 seconds, and mysite has twelve days of them.\n` +
    `Running node dist/index.js as the GitHub runner would, with these inputs:\n` +
    Object.entries(inputs)
      .map(([k, v]) => `  ${k}: ${v}\n`)
      .join('') +
    `  (credentials from WPENGINE_USER_ID / WPENGINE_PASSWORD, as in the README's example)\n\n` +
    `${bold('── Action log ─────────────────────────────────────────────')}\n`
)
const result = await runAction({
  inputs,
  env: { ...SAMPLE_RUN_ENV, WPENGINE_USER_ID: sim.credentials.userId, WPENGINE_PASSWORD: sim.credentials.password },
  onOutput: (text) => process.stdout.write(text.replace(/^(::[a-z-]+::.*)$/gm, (line) => dim(line)))
})
await sim.close()

process.stdout.write(`\n${bold('── Outputs (GITHUB_OUTPUT) ────────────────────────────────')}\n`)
const width = Math.max(...Object.keys(result.outputs).map((k) => k.length))
for (const [name, value] of Object.entries(result.outputs)) process.stdout.write(`  ${name.padEnd(width)}  ${value}\n`)
process.stdout.write(`\n${bold('── Job summary (GITHUB_STEP_SUMMARY, Markdown) ────────────')}\n${result.summary}\n`)
process.stdout.write(
  `${bold('── Result ─────────────────────────────────────────────────')}\n` +
    `exit code ${result.code}; ${sim.requests.length} API requests; ${(result.durationMs / 1000).toFixed(1)} s\n` +
    `Next: \`npm test\` runs the unit, step and bundle tiers (__tests__/README.md).\n`
)
process.exitCode = result.code === 0 ? 0 : 1

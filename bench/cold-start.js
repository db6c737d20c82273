// @ts-check
// Cold start of the bundled action (wait: false, against the local simulator) beside a bare `node`
// doing one POST with node:http (the aim: at most 150 ms more), and the size of both bundles. Wall
// clock on a machine that may be busy: printed, never a target.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startSimulator } from '../sim/server.js'
import { ACTION, ROOT, SAMPLE_RUN_ENV } from '../scripts/run-action.js'
import { median } from './helpers.js'

/**
 * Wall time of a child process, from spawn to exit, in ms.
 * @param {string[]} args @param {NodeJS.ProcessEnv} env @returns {Promise<number>}
 */
function timeProcess(args, env) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] })
    child.on('error', reject)
    child.on('exit', (code) =>
      code === 0 ? resolve(Number(process.hrtime.bigint() - started) / 1e6) : reject(new Error(`${args.join(' ')} exited ${code}`))
    )
  })
}

/** @param {number} runs @param {number} warmUps */
async function coldStart(runs, warmUps) {
  const sim = await startSimulator({ log: undefined })
  const dir = mkdtempSync(join(tmpdir(), 'wpe-bench-'))
  // CommonJS on purpose: `import 'node:http'` in an ES module costs Node 24 some 20 ms more (it
  // evaluates every export, some of which load more of Node), which would flatter the action.
  const bare = join(dir, 'bare-post.cjs')
  const auth = Buffer.from(`${sim.credentials.userId}:${sim.credentials.password}`).toString('base64')
  const body = JSON.stringify({ description: 'bench', notification_emails: ['ops@example.com'] })
  writeFileSync(
    bare,
    `const http = require('node:http')
const req = http.request(${JSON.stringify(`${sim.url}/installs/294deacc-d8b8-4005-82c4-0727ba8ddde0/backups`)}, { method: 'POST', headers: { authorization: 'Basic ${auth}', 'content-type': 'application/json' } }, (res) => { res.resume(); res.on('end', () => {}) })
req.end(${JSON.stringify(body)})
`
  )
  // The runner creates these files before a step starts; @actions/core appends to them.
  writeFileSync(join(dir, 'output'), '')
  writeFileSync(join(dir, 'summary'), '')
  const actionEnv = {
    PATH: process.env.PATH ?? '',
    ...SAMPLE_RUN_ENV,
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    WPENGINE_USER_ID: sim.credentials.userId,
    WPENGINE_PASSWORD: sim.credentials.password,
    INPUT_INSTALL: '294deacc-d8b8-4005-82c4-0727ba8ddde0',
    'INPUT_NOTIFICATION-EMAILS': 'ops@example.com',
    'INPUT_API-URL': sim.url,
    INPUT_WAIT: 'false'
  }
  /** @type {{ bare: number[], action: number[] }} */
  const samples = { bare: [], action: [] }
  for (let i = 0; i < warmUps; i++) {
    await timeProcess([bare], { PATH: process.env.PATH ?? '' })
    await timeProcess([ACTION], actionEnv)
  }
  // Interleaved, so that both see the same machine load.
  for (let i = 0; i < runs; i++) {
    samples.bare.push(await timeProcess([bare], { PATH: process.env.PATH ?? '' }))
    samples.action.push(await timeProcess([ACTION], actionEnv))
  }
  await sim.close()
  rmSync(dir, { recursive: true, force: true })
  return { bare: median(samples.bare), action: median(samples.action), requestsPerRun: 2 }
}

/** @type {import('./helpers.js').Section} */
export default {
  name: 'cold-start',
  async run({ quick }) {
    const runs = quick ? 5 : Number(process.env.BENCH_RUNS ?? 41)
    const start = await coldStart(runs, quick ? 1 : 3)
    const extra = start.action - start.bare
    const bundleKiB = (/** @type {string} */ file) => `${(statSync(join(ROOT, file)).size / 1024).toFixed(0)} KiB`
    const lines = [
      `## Cold start (median of ${runs} interleaved runs, against the local simulator)`,
      '',
      '| Process | Wall time |',
      '| --- | --- |',
      `| bare \`node\` doing one POST with node:http | ${start.bare.toFixed(1)} ms |`,
      `| this action, \`wait: false\` by install ID (2 requests: install, backup) | ${start.action.toFixed(1)} ms |`,
      `| the action's extra time (aim: at most 150 ms; wall clock, not a target) | ${extra.toFixed(1)} ms |`,
      '',
      '| Bundle | Size |',
      '| --- | --- |',
      `| dist/index.js (backup) | ${bundleKiB('dist/index.js')} |`,
      `| dist/restore/index.js (restore) | ${bundleKiB('dist/restore/index.js')} |`
    ]
    return { lines, targets: [] }
  }
}

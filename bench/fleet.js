// @ts-check
// Bench section fleet: the bundled action, as the runner runs it, backing up every install the API user
// sees (install: '*') against the simulator, whose backups take 2 s: 2,000 installs (and 2,000 listed by
// name), and 10,000. Wall time, peak memory (the peak-memory probe), requests, and the sizes of the job
// summary and of the backups output (with the file backups-file names). Targets: every install
// completed with exactly one backup, memory under its cap, a summary under GitHub's 1 MiB and no
// output over its 1 MB; the full run also holds the wall time to its target. --quick (CI): 2,000
// installs by pattern only, and no wall-clock target.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defaultInstalls, startSimulator } from '../sim/server.js'
import { actionAgainst, runAction } from '../scripts/run-action.js'
import { inSeconds, megabytes, peakMemoryEnv, target } from './helpers.js'

const MB = 1024 * 1024
const SUMMARY_LIMIT = 1024 * 1024
const OUTPUT_LIMIT = 1_000_000

/** @param {number} count @param {'pattern' | 'names'} chosenBy */
async function fleet(count, chosenBy) {
  const installs = defaultInstalls(count).slice(0, count)
  const sim = await startSimulator({ installs, requestedMs: 500, durationMs: 2_000 })
  const dir = mkdtempSync(join(tmpdir(), 'wpe-bench-fleet-'))
  try {
    const install = chosenBy === 'pattern' ? '*' : installs.map((i) => i.name).join(',')
    const result = await runAction(actionAgainst(sim, { install }, { RUNNER_TEMP: dir, ...peakMemoryEnv(join(dir, 'peak')) }))
    const file = result.outputs['backups-file'] ?? ''
    const backups = /** @type {{ status: string }[]} */ (JSON.parse(file ? readFileSync(file, 'utf8') : '[]'))
    return {
      count,
      chosenBy,
      code: result.code,
      wallMs: result.durationMs,
      peakBytes: Number(readFileSync(join(dir, 'peak'), 'utf8')),
      requests: sim.requests.length,
      completed: backups.filter((b) => b.status === 'completed').length,
      made: sim.backups().length,
      summaryBytes: Buffer.byteLength(result.summary),
      folded: result.summary.includes('<details>'),
      outputBytes: Buffer.byteLength(result.outputs.backups ?? ''),
      fileBytes: file ? Buffer.byteLength(readFileSync(file)) : 0
    }
  } finally {
    await sim.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** @typedef {Awaited<ReturnType<typeof fleet>>} Run */

const kB = (/** @type {number} */ bytes) => `${Math.round(bytes / 1024)} KB`
const mb = (/** @type {number} */ bytes) => `${(bytes / MB).toFixed(0)} MB`
const s = (/** @type {number} */ ms) => `${(ms / 1000).toFixed(1)} s`

/** The run's targets: every install completed once, memory under `memoryCap`, the summary and the output within GitHub's limits. @param {Run} run @param {number} memoryCap @param {number | undefined} wallCap */
function targetsOf(run, memoryCap, wallCap) {
  const what = `${run.count} installs${run.chosenBy === 'names' ? ' by name' : ''}`
  return [
    target(`${what}: installs completed`, run.completed, 'exactly', run.count),
    target(`${what}: backups made (one per install)`, run.made, 'exactly', run.count),
    target(`${what}: peak memory`, run.peakBytes, 'under', memoryCap, { unit: megabytes }),
    target(`${what}: job summary`, run.summaryBytes, 'at most', SUMMARY_LIMIT, {
      unit: (bytes, extra) => `${(bytes / 1024).toFixed(extra)} KB`
    }),
    target(`${what}: backups output`, run.outputBytes, 'at most', OUTPUT_LIMIT, {
      unit: (bytes, extra) => `${(bytes / 1e6).toFixed(2 + extra)} MB`
    }),
    ...(wallCap === undefined ? [] : [target(`${what}: wall time`, run.wallMs, 'under', wallCap, { unit: inSeconds })])
  ]
}

/** @type {import('./helpers.js').Section} */
const section = {
  name: 'fleet',
  async run({ quick }) {
    const runs = quick
      ? [{ run: await fleet(2_000, 'pattern'), memoryCap: 250 * MB, wallCap: undefined }]
      : [
          { run: await fleet(2_000, 'pattern'), memoryCap: 250 * MB, wallCap: 30_000 },
          { run: await fleet(2_000, 'names'), memoryCap: 250 * MB, wallCap: 30_000 },
          { run: await fleet(10_000, 'pattern'), memoryCap: 500 * MB, wallCap: 90_000 }
        ]
    for (const { run } of runs) if (run.code !== 0) throw new Error(`the action failed for ${run.count} installs (exit ${run.code})`)
    return {
      lines: [
        "## A fleet (install: '*', max-parallel 5; the bundled action against the simulator, whose backups take 2 s)",
        '',
        '| Installs | Wall time | Peak memory | Requests | Job summary | backups output | backups-file |',
        '| --- | --- | --- | --- | --- | --- | --- |',
        ...runs.map(
          ({ run }) =>
            `| ${run.count}${run.chosenBy === 'names' ? ', listed by name' : ''} | ${s(run.wallMs)} | ${mb(run.peakBytes)} | ${run.requests} | ${kB(run.summaryBytes)}${run.folded ? ', folded' : ''} | ${run.outputBytes > 0 ? kB(run.outputBytes) : 'empty (too large)'} | ${kB(run.fileBytes)} |`
        )
      ],
      targets: runs.flatMap(({ run, memoryCap, wallCap }) => targetsOf(run, memoryCap, wallCap))
    }
  }
}

export default section

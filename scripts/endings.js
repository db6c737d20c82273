// @ts-check
// Every way a step can end, each run as the runner runs it (the bundled action, as a child process)
// against the simulator: what the job summary screenshots show (`npm run screenshots`) and what the
// summary rendering test checks, from the action's own output.
import { clearInterval, setInterval } from 'node:timers'
import { defaultInstalls, startSimulator } from '../sim/server.js'
import { ACTION, RESTORE_ACTION, SAMPLE_RUN_ENV, startAction } from './run-action.js'

/**
 * @typedef {import('../sim/server.js').startSimulator} Start
 * @typedef {Awaited<ReturnType<Start>>} Simulator
 * @typedef {{
 *   name: string,
 *   title: string,
 *   restore?: boolean,
 *   sim?: Parameters<Start>[0],
 *   inputs?: (sim: Simulator) => Record<string, string>,
 *   cancelWhen?: (sim: Simulator) => boolean,
 *   ok: boolean
 * }} Ending
 */

const MYSITE_ID = '294deacc-d8b8-4005-82c4-0727ba8ddde0'
const QUICK = { requestedMs: 300, durationMs: 1_200 }

/**
 * A history for an install: five completed backups, one a day, of 1 to 2 seconds, so that the step
 * says how long its backups usually take. @param {Simulator} sim @param {string} installId
 */
function seedHistory(sim, installId) {
  for (const [day, ms] of [900, 1_300, 1_600, 1_200, 1_400].entries())
    sim.seedBackup({ installId, ageMs: (day + 1) * 86_400_000, durationMs: ms })
}

const HOUR = 3_600_000

/**
 * An agency's account: 24 production shops and blogs, a staging copy of each shop, and two retired
 * sites. @returns {import('../sim/server.js').InstallSeed[]}
 */
function agencyFleet() {
  /** @type {import('../sim/server.js').InstallSeed[]} */
  const installs = []
  const add = (/** @type {string} */ name, /** @type {string} */ environment) =>
    installs.push({ id: `00000000-0000-4000-9000-${String(installs.length + 1).padStart(12, '0')}`, name, environment })
  for (let n = 1; n <= 16; n++) add(`shop${String(n).padStart(2, '0')}`, 'production')
  for (let n = 1; n <= 8; n++) add(`blog${String(n).padStart(2, '0')}`, 'production')
  for (let n = 1; n <= 16; n++) add(`shop${String(n).padStart(2, '0')}stg`, 'staging')
  add('oldshop', 'production')
  add('oldblog', 'production')
  return installs
}

/** @type {Ending[]} */
export const ENDINGS = [
  {
    name: 'completed',
    title: 'A backup that completed, beside how long its install usually takes',
    sim: QUICK,
    inputs: (sim) => {
      seedHistory(sim, MYSITE_ID)
      return {}
    },
    ok: true
  },
  {
    name: 'dry-run',
    title: 'A dry run of two installs: one with a history, one with a backup still running',
    sim: {
      ...QUICK,
      installs: defaultInstalls(3).map((install) => (install.name === 'filler0002' ? { ...install, name: 'shoptwo' } : install))
    },
    inputs: (sim) => {
      seedHistory(sim, MYSITE_ID)
      const shoptwo = sim.installs.find((install) => install.name === 'shoptwo')
      sim.seedBackup({ installId: shoptwo?.id ?? '', description: 'Manual backup', ageMs: 60_000, durationMs: 3_600_000 })
      return { install: 'mysite, shoptwo', 'dry-run': 'true' }
    },
    ok: true
  },
  {
    name: 'dry-run-fleet',
    title: "The scheduled audit of a fleet: install '*' in production with max-age, as a dry run",
    sim: { ...QUICK, installs: agencyFleet() },
    inputs: (sim) => {
      // Most installs have WP Engine's nightly backups, the newest from last night; a few fall short of max-age.
      for (const [n, install] of sim.installs.entries()) {
        if (install.name === 'shop12') continue
        const newest = { shop07: 31, blog03: 40 }[install.name] ?? 6 + (n % 5)
        for (const day of [0, 1, 2, 3])
          sim.seedBackup({ installId: install.id, ageMs: (newest + 24 * day) * HOUR, durationMs: (200 + ((n * 7 + day * 13) % 60)) * 1000 })
        if (install.name === 'shop03') sim.seedBackup({ installId: install.id, ageMs: 2 * HOUR, durationMs: 240_000, outcome: 'aborted' })
      }
      return { install: '*', environment: 'production', exclude: 'old*', 'max-age': '26h', 'dry-run': 'true' }
    },
    ok: false
  },
  {
    name: 'several',
    title: 'Several installs: one completed, one aborted, one misspelt',
    sim: {
      ...QUICK,
      installs: defaultInstalls(3).map((install) =>
        install.name === 'filler0002' ? { ...install, name: 'shoptwo', outcome: 'aborted' } : install
      )
    },
    inputs: () => ({ install: 'mysite, shoptwo, mystie' }),
    ok: false
  },
  { name: 'aborted', title: 'A backup that WP Engine aborted', sim: { ...QUICK, outcome: 'aborted' }, ok: false },
  {
    name: 'timeout',
    title: 'A backup still running when the timeout ran out',
    sim: { requestedMs: 300, durationMs: 600_000 },
    inputs: () => ({ timeout: '4s' }),
    ok: false
  },
  { name: 'not-waited', title: 'wait: false', sim: QUICK, inputs: () => ({ wait: 'false' }), ok: true },
  { name: 'not-found', title: 'An install name that does not exist', sim: QUICK, inputs: () => ({ install: 'mysitee' }), ok: false },
  {
    name: 'input-error',
    title: 'Bad input: nothing is sent',
    inputs: () => ({ timeout: '45', 'notification-emails': 'ops@example' }),
    ok: false
  },
  {
    name: 'cancelled',
    title: 'Cancelled while waiting',
    sim: { requestedMs: 300, durationMs: 600_000 },
    cancelWhen: (sim) => sim.requests.some((r) => r.method === 'GET' && /\/backups\/[^/]+$/.test(r.path)),
    ok: false
  },
  {
    name: 'restore-accepted',
    title: 'A restore that WP Engine accepted',
    restore: true,
    inputs: (sim) => ({ 'backup-id': sim.seedBackup({ installId: MYSITE_ID, ageMs: 600_000 }).id }),
    ok: true
  },
  {
    name: 'restore-several',
    title: "Two installs rolled back from the backup step's backups output; one without a restore point skipped",
    restore: true,
    inputs: (sim) => {
      const idOf = (/** @type {string} */ name) => sim.installs.find((install) => install.name === name)?.id ?? ''
      const entry = (/** @type {string} */ name, /** @type {string} */ backupId, status = 'completed') => ({
        'install-id': idOf(name),
        'install-name': name,
        'backup-id': backupId,
        status
      })
      const backupOf = (/** @type {string} */ name) => sim.seedBackup({ installId: idOf(name), ageMs: 600_000 }).id
      const backups = [entry('mysite', backupOf('mysite')), entry('mysitestaging', backupOf('mysitestaging')), entry('filler0001', '', '')]
      return { install: '', backups: JSON.stringify(backups) }
    },
    ok: true
  },
  {
    name: 'restore-refused',
    title: 'A restore from an aborted backup: nothing is sent',
    restore: true,
    inputs: (sim) => ({ 'backup-id': sim.seedBackup({ installId: MYSITE_ID, ageMs: 600_000, outcome: 'aborted' }).id }),
    ok: false
  }
]

/** Runs one ending against a fresh simulator and returns what the runner would have seen. @param {Ending} ending */
export async function runEnding(ending) {
  const sim = await startSimulator(ending.sim)
  try {
    const { child, result } = startAction({
      script: ending.restore ? RESTORE_ACTION : ACTION,
      inputs: { install: 'mysite', 'notification-emails': 'ops@example.com', 'api-url': sim.url, ...ending.inputs?.(sim) },
      env: { ...SAMPLE_RUN_ENV, WPENGINE_USER_ID: sim.credentials.userId, WPENGINE_PASSWORD: sim.credentials.password }
    })
    const { cancelWhen } = ending
    if (cancelWhen) {
      const watch = setInterval(() => {
        if (!cancelWhen(sim)) return
        clearInterval(watch)
        child.kill('SIGTERM')
      }, 20)
      child.once('exit', () => clearInterval(watch))
    }
    return await result
  } finally {
    await sim.close()
  }
}

import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Simulator } from '../../sim/server.js'
import type { RunContext } from '../../src/step/run-context.js'
import { INSTALL, markerOf, RecordingCore, RUN_CONTEXT, STAGING } from '../support/helpers.js'
import { credentialsOf, expectNoCredentials, expectNoCredentialsIn, requestsTo } from '../support/sim-helpers.js'
import { useTurnBed } from '../support/turns.js'

// dry-run: true, the backup step in process against the simulator on a fake clock: it reads what a
// real run reads, says what a real run would do, fails where a real run would fail before its first
// request, and never sends a POST.

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const bed = useTurnBed({ requestedMs: 300, durationMs: 1_000 })

/** A simulator, and the dry run against it: it may send no POST and log no credential, whatever happens. */
async function setup() {
  const { sim, backup } = await bed()
  const dryRun = async (inputs: Record<string, string> = {}, { env = {}, context = RUN_CONTEXT } = {} as DryRunOptions) => {
    const before = sim.backups()
    // A password from the environment only, as the runner passes a secret that way.
    const credentials: Record<string, string> = env.WPENGINE_PASSWORD === undefined ? {} : { 'api-password': '' }
    const { core } = await backup({ ...credentials, 'dry-run': 'true', ...inputs }, { env, context })
    expect(requestsTo(sim, 'POST')).toEqual([])
    expect(sim.backups().map((b) => b.id)).toEqual(before.map((b) => b.id))
    expectNoCredentialsIn([core.visibleText, ...core.summaries, JSON.stringify(core.outputs)], credentialsOf(sim, env))
    expect(core.text).not.toMatch(/\n\s+at /)
    return { core, summary: core.summaries.join(''), findings: JSON.parse(core.outputs.backups || '[]') as Record<string, unknown>[] }
  }
  return { sim, backup, dryRun }
}

interface DryRunOptions {
  env?: Record<string, string>
  context?: RunContext
}

/** Five completed backups of mysite that took 4m 10s to 5m 30s, the newest three hours old. */
function seedHistory(s: Simulator, installId = INSTALL.id): void {
  for (const [hoursAgo, seconds] of [
    [51, 250],
    [27, 270],
    [20, 300],
    [8, 260],
    [3, 330]
  ] as const)
    s.seedBackup({ installId, ageMs: hoursAgo * HOUR, durationMs: seconds * 1_000 })
}

// The simulator's time is the step's: a backup seeded an hour ago is exactly an hour old when the step reads it.
const old = (base: string) => `${base} old`
const errorLines = (core: RecordingCore) => core.log.filter((line) => line.startsWith('::error::'))
const paths = (s: Simulator) => s.requests.map((r) => `${r.method} ${r.path}`)

describe('dry-run against the simulator', () => {
  it('a good configuration: reads credentials, install and backups; says what a real run would do; sends no POST', async () => {
    const { sim: s, dryRun } = await setup()
    seedHistory(s)
    const { core, summary, findings } = await dryRun()
    expect(core.failed).toBeUndefined()
    expect(paths(s)).toEqual(['GET /user', 'GET /installs', 'GET /installs', `GET /installs/${INSTALL.id}/backups`])
    expect(s.backups()).toHaveLength(5)
    expect(core.text).toContain('Backups of mysite usually take 4m 10s–5m 30s (last 5)')
    expect(core.text).toMatch(
      new RegExp(
        `^Newest completed backup: [0-9a-f-]{36} \\(${old('3h')}, completed \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC\\)$`,
        'm'
      )
    )
    expect(core.text).toMatch(/^✅ Dry run passed: a real run would request a new backup and wait for it\. Nothing was requested\.$/m)
    expect(errorLines(core)).toEqual([])
    // Nothing pretends a backup was made: a step gated on status == 'completed' does not run.
    expect(core.outputs).toMatchObject({
      'dry-run': 'true',
      'backup-id': '',
      status: '',
      'create-time': '',
      'complete-time': '',
      reused: 'false',
      'install-id': INSTALL.id,
      'install-name': 'mysite'
    })
    expect(findings).toEqual([
      {
        'install-id': INSTALL.id,
        'install-name': 'mysite',
        found: true,
        problem: '',
        'real-run': 'request',
        'real-run-backup-id': '',
        'real-run-reason': '',
        'newest-completed': {
          'backup-id': expect.stringMatching(/^[0-9a-f-]{36}$/),
          'create-time': expect.any(String),
          'complete-time': expect.any(String),
          'age-seconds': 3 * 3600
        },
        running: [],
        'usual-duration': { 'typical-seconds': 270, 'low-seconds': 250, 'high-seconds': 330, samples: 5 }
      }
    ])
    expect(summary).toMatch(/^## ✅ WP Engine backup dry run passed: nothing was requested\n/)
    expect(summary).toContain(
      'A dry run only reads from the WP Engine API: no backup, archive or restore was requested. The API credentials work.'
    )
    expect(summary).toContain('| Usually takes | 4m 10s–5m 30s (last 5) |')
    expect(summary).toContain('| Still running | none |')
    expect(summary).toContain('| A real run would | request a new backup and wait for it |')
    expectNoCredentials(core.text, s)
  })

  it('backups that cannot be read fail it only where a real run needs them (to reuse), never for the history alone', async () => {
    const { sim: s, dryRun } = await setup()
    s.fault({ method: 'GET', path: `/installs/${INSTALL.id}/backups`, type: '403', times: 2 })
    const historyOnly = await dryRun()
    expect(historyOnly.core.failed).toBeUndefined()
    expect(historyOnly.core.log).toContainEqual(
      expect.stringMatching(
        /^Could not read the backups of mysite \(.+\); a real run reads them only to learn how long backups take, which never stops it\.$/
      )
    )
    expect(historyOnly.summary).toContain('| Newest completed backup | the backups could not be read |')
    const reusing = await dryRun({ 'reuse-within': '30m' })
    expect(reusing.core.failed).toBeDefined()
    expect(errorLines(reusing.core)).toHaveLength(1)
  })

  it('bad credentials: the same one line as a real run, after one request', async () => {
    const { sim: s, dryRun } = await setup()
    const { core, summary } = await dryRun({}, { env: { WPENGINE_PASSWORD: 'wrong-password' } })
    expect(core.failed).toBeDefined()
    expect(errorLines(core)).toEqual([
      '::error::Dry run: WP Engine did not accept the API credentials (401: Bad Credentials). Check api-user-id and api-password (or WPENGINE_USER_ID and WPENGINE_PASSWORD), and that API access is enabled for the account: https://my.wpengine.com/api_access'
    ])
    expect(paths(s)).toEqual(['GET /user'])
    expect(core.outputs).toMatchObject({ 'dry-run': 'true', 'backup-id': '', status: '' })
    expect(summary).toMatch(/^## ❌ WP Engine backup dry run failed: nothing was requested\n\n> Dry run: WP Engine did not accept/)
    expect(summary).not.toContain('The API credentials work')
    expect(summary).not.toContain('| Install |')
    expect(core.visibleText).not.toContain('wrong-password')
  })

  it('an unknown install: fails naming the closest names, as a real run would', async () => {
    const { dryRun } = await setup()
    const { core, summary, findings } = await dryRun({ install: 'mysitee' })
    expect(core.failed).toBeDefined()
    expect(errorLines(core)).toEqual([
      "::error::Dry run: No install named 'mysitee' is visible to this API user (122 installs searched). Did you mean mysite? Check the install input and that API access is enabled for the account that owns it (https://my.wpengine.com/api_access)."
    ])
    expect(findings).toEqual([
      expect.objectContaining({
        'install-name': 'mysitee',
        found: false,
        'real-run': 'fail',
        problem: expect.stringContaining('Did you mean mysite')
      })
    ])
    expect(summary).toContain('| Found | no |')
    expect(summary).toContain("| A real run would | ❌ fail: No install named 'mysitee'")
    expect(core.outputs['install-name']).toBe('mysitee')
  })

  it('a backup in flight: reported; with reuse-within a real run would wait for it, without it would request a second', async () => {
    const { sim: s, dryRun } = await setup()
    seedHistory(s)
    const running = s.seedBackup({ installId: INSTALL.id, ageMs: 2 * MINUTE, durationMs: HOUR })
    const queued = s.seedBackup({ installId: INSTALL.id, ageMs: MINUTE, requestedMs: HOUR, durationMs: 2 * HOUR })
    expect([running.status, queued.status]).toEqual(['in_progress', 'requested'])

    const attaching = await dryRun({ 'reuse-within': '30m' })
    expect(attaching.core.failed).toBeUndefined()
    expect(attaching.findings[0]).toMatchObject({
      'real-run': 'wait',
      'real-run-backup-id': queued.id,
      'real-run-reason': 'in-flight',
      running: [
        { 'backup-id': queued.id, status: 'requested', 'age-seconds': 60 },
        { 'backup-id': running.id, status: 'in_progress', 'age-seconds': 120 }
      ]
    })
    expect(attaching.core.text).toMatch(new RegExp(`Still running: backup ${running.id} is in_progress \\(${old('2m')}\\)`))
    expect(attaching.core.text).toMatch(
      new RegExp(
        `✅ Dry run passed: a real run would wait for backup ${queued.id}, already requested, ${old('1m')}, instead of requesting a second one\\. Nothing was requested\\.`
      )
    )
    expect(attaching.summary).toMatch(
      new RegExp(
        `\\| Still running \\| \`${queued.id}\` \\(\\*\\*requested\\*\\*, ${old('1m')}\\), \`${running.id}\` \\(\\*\\*in\\\\_progress\\*\\*, ${old('2m')}\\) \\|`
      )
    )

    const beside = await dryRun()
    expect(beside.core.failed).toBeUndefined()
    expect(beside.findings[0]).toMatchObject({ 'real-run': 'request', 'real-run-backup-id': '' })
    const hint = `Backup ${queued.id} is requested already: a real run would request a second one next to it. With reuse-within set, it would wait for that one instead, as WP Engine advises.`
    expect(beside.core.text).toContain(hint)
    expect(beside.summary).toContain(`| A real run would | request a new backup and wait for it. ${hint} |`)
  })

  it('reuse-within with a recent completed backup, and a re-run with an earlier attempt’s backup: a real run would use them', async () => {
    const { sim: s, dryRun } = await setup()
    seedHistory(s)
    const recent = await dryRun({ 'reuse-within': '4h' })
    expect(recent.findings[0]).toMatchObject({ 'real-run': 'use', 'real-run-reason': 'recent' })
    expect(recent.core.text).toMatch(
      new RegExp(
        `A real run would use backup [0-9a-f-]{36}, completed, ${old('3h')}, within reuse-within \\(4h\\), instead of requesting one\\.`
      )
    )

    const earlier = s.seedBackup({ installId: INSTALL.id, ageMs: 10 * MINUTE, description: `Pre-deploy ${markerOf({ attempt: 1 })}` })
    const rerun = await dryRun({}, { context: { ...RUN_CONTEXT, runAttempt: 2 } })
    expect(rerun.findings[0]).toMatchObject({ 'real-run': 'use', 'real-run-backup-id': earlier.id, 'real-run-reason': 'rerun' })
    expect(rerun.core.text).toMatch(
      new RegExp(`A real run would use backup ${earlier.id}, requested by attempt 1 of this run \\(completed, ${old('10m')}\\)\\.`)
    )
  })

  it('backup-id: checks that the backup is on the install; a real run would wait for it, or fail', async () => {
    const { sim: s, dryRun } = await setup()
    const waiting = s.seedBackup({ installId: INSTALL.id, ageMs: MINUTE, durationMs: HOUR })
    const ok = await dryRun({ 'backup-id': waiting.id, 'notification-emails': '' })
    expect(ok.core.failed).toBeUndefined()
    expect(ok.findings[0]).toMatchObject({ 'real-run': 'wait', 'real-run-backup-id': waiting.id, 'real-run-reason': 'backup-id' })
    expect(ok.core.text).toMatch(
      new RegExp(`A real run would wait for backup ${waiting.id}, named by backup-id \\(in_progress, ${old('1m')}\\)\\.`)
    )
    expect(requestsTo(s, 'GET', `/installs/${INSTALL.id}/backups/${waiting.id}`)).toHaveLength(1)

    const elsewhere = await dryRun({ install: STAGING.name, 'backup-id': waiting.id, 'notification-emails': '' })
    expect(elsewhere.core.failed).toBeDefined()
    expect(errorLines(elsewhere.core)).toEqual([
      `::error::Dry run: Backup ${waiting.id} was not found on install mysitestaging. Check backup-id, and that the backup belongs to this install.`
    ])

    const aborted = s.seedBackup({ installId: INSTALL.id, ageMs: HOUR, outcome: 'aborted' })
    const dead = await dryRun({ 'backup-id': aborted.id, 'notification-emails': '' })
    expect(dead.core.failed).toBeDefined()
    expect(errorLines(dead.core)).toEqual([
      `::error::Dry run: Backup ${aborted.id} of install mysite (backup-id) was aborted by WP Engine, so a real run would fail at once. Leave backup-id out to request a new backup, or name one that is not aborted.`
    ])
  })

  it('archive-path: says a real run would also archive and download, and neither asks for an archive nor writes a file', async () => {
    const { sim: s, dryRun } = await setup()
    const dir = mkdtempSync(join(tmpdir(), 'wpe-dry-'))
    try {
      const { core } = await dryRun({ 'archive-path': `${dir}/` })
      expect(core.failed).toBeUndefined()
      expect(core.text).toContain(
        `A real run would request a new backup and wait for it, then have WP Engine archive it as a zip and download the zip to ${dir}/.`
      )
      expect(s.archives()).toEqual([])
      expect(requestsTo(s, 'GET', /archives/)).toEqual([])
      expect(core.outputs['archive-file']).toBe('')
      const encrypted = await dryRun({
        'archive-path': `${dir}/`,
        'archive-recipients': 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p'
      })
      expect(encrypted.core.text).toContain(`download the zip to ${dir}/, keeping it only encrypted to 1 age recipient.`)
      expect(readdirSync(dir)).toEqual([])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('several installs, one unknown: one row each, and one line naming the one that would fail', async () => {
    const { sim: s, dryRun } = await setup()
    seedHistory(s)
    const { core, summary, findings } = await dryRun({ install: `mysite, ${STAGING.id}, mystie` })
    expect(core.failed).toBeDefined()
    expect(errorLines(core)).toEqual([
      '::error::Dry run: 1 of 3 installs would fail in a real run: mystie (not found; did you mean mysite?). The job summary says why for each.'
    ])
    expect(findings.map((f) => [f['install-name'], f['real-run']])).toEqual([
      ['mysite', 'request'],
      ['mysitestaging', 'request'],
      ['mystie', 'fail']
    ])
    expect(core.text).toContain('[mysite] Backups of mysite usually take 4m 10s–5m 30s (last 5)')
    expect(core.text).toContain('[mysitestaging] Too few completed backups of mysitestaging to say how long one usually takes')
    expect(core.outputs).toMatchObject({ 'dry-run': 'true', 'install-name': '', 'backup-id': '' })
    expect(summary).toMatch(/^## ❌ WP Engine backup dry run failed: nothing was requested\n/)
    expect(summary).toContain('| Install | Newest completed backup | Still running | Usually takes | A real run would |')
    expect(summary).toMatch(
      /^\| mysite \| `[0-9a-f]{8}` \(3h old, .*\| none \| 4m 10s–5m 30s \(last 5\) \| request a new backup and wait for it \|$/m
    )
    expect(summary).toContain(
      '| mysitestaging | none yet | none | too few completed backups to say | request a new backup and wait for it |'
    )
    expect(summary).toMatch(/^\| mystie \| — \| — \| — \| ❌ fail: No install named 'mystie'/m)
  })
})

describe('a pull request from a fork, which GitHub gives no secrets', () => {
  const fork: RunContext = { ...RUN_CONTEXT, ref: 'refs/pull/7/merge', pullRequest: 7, forkPullRequest: true }

  it.each([
    ['a dry run', { 'dry-run': 'true' }],
    ['a real run', {}]
  ])('%s says so in one line, with the if: that skips the step, and sends nothing', async (_name, inputs) => {
    const { sim: s, backup } = await setup()
    const { core } = await backup({ ...inputs, 'api-user-id': '', 'api-password': '' }, { context: fork })
    expect(core.failed).toBeDefined()
    expect(errorLines(core)).toEqual([
      "::error::Invalid input: Missing WP Engine API credentials: this run is for a pull request from a fork, and GitHub gives those no secrets. Skip this step for forks with if: github.event_name != 'pull_request' || github.event.pull_request.head.repo.full_name == github.repository"
    ])
    expect(s.requests).toEqual([])
  })

  it('a pull request from a branch of the repository itself is no fork', async () => {
    const { backup } = await setup()
    const own: RunContext = { ...RUN_CONTEXT, ref: 'refs/pull/8/merge', pullRequest: 8 }
    const { core } = await backup({ 'dry-run': 'true', 'api-password': '' }, { context: own })
    expect(core.text).toContain('::error::Invalid input: Missing WP Engine API credentials: set api-password (or WPENGINE_PASSWORD)')
  })
})

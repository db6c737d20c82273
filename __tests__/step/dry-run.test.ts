import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Simulator } from '../../sim/server.js'
import { ACTION, runAction, SAMPLE_RUN_ENV } from '../../scripts/run-action.js'
import { INSTALL, markerOf, STAGING, visible } from '../support/helpers.js'
import {
  actionAgainst,
  credentialsOf,
  expectNoCredentials,
  expectNoCredentialsIn,
  requestsTo,
  useSimulators
} from '../support/sim-helpers.js'

// dry-run: true, the bundled action run as the runner runs it, against the simulator: it reads what a
// real run reads, says what a real run would do, fails where a real run would fail before its first
// request, and never sends a POST.

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const freshSim = useSimulators({ requestedMs: 300, durationMs: 1_000 })

/** Runs the bundled action with dry-run; it may send no POST and log no credential, whatever happens. */
async function dryRun(s: Simulator, inputs: Record<string, string> = {}, env: Record<string, string> = {}) {
  const before = s.backups()
  const result = await runAction(actionAgainst(s, { 'dry-run': 'true', ...inputs }, env))
  expect(requestsTo(s, 'POST')).toEqual([])
  expect(s.backups().map((b) => b.id)).toEqual(before.map((b) => b.id))
  expectNoCredentialsIn([visible(result.stdout), result.stderr, result.summary, JSON.stringify(result.outputs)], credentialsOf(s, env))
  expect(result.stdout + result.stderr).not.toMatch(/\n\s+at /)
  return { ...result, findings: JSON.parse(result.outputs.backups || '[]') as Record<string, unknown>[] }
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

// Real time passes between seeding a backup and the action reading it: an age may gain a few seconds.
const old = (base: string) => `${base}(?: \\d+s)? old`
const aged = (seconds: number) => ({
  asymmetricMatch: (value: unknown) => typeof value === 'number' && value >= seconds && value <= seconds + 30,
  toAsymmetricMatcher: () => `${seconds} to ${seconds + 30}`
})
const errorLines = (stdout: string) => stdout.split('\n').filter((line) => line.startsWith('::error::'))
const paths = (s: Simulator) => s.requests.map((r) => `${r.method} ${r.path}`)

beforeAll(() => {
  if (!existsSync(ACTION)) throw new Error('dist/index.js is missing: run npm run bundle')
})

describe('dry-run against the simulator', () => {
  it.concurrent('a good configuration: reads credentials, install and backups; says what a real run would do; sends no POST', async () => {
    const s = await freshSim()
    seedHistory(s)
    const result = await dryRun(s)
    expect(result.code).toBe(0)
    expect(paths(s)).toEqual(['GET /user', 'GET /installs', 'GET /installs', `GET /installs/${INSTALL.id}/backups`])
    expect(s.backups()).toHaveLength(5)
    expect(result.stdout).toContain('Backups of mysite usually take 4m 10s–5m 30s (last 5)')
    expect(result.stdout).toMatch(
      new RegExp(
        `^Newest completed backup: [0-9a-f-]{36} \\(${old('3h')}, completed \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC\\)$`,
        'm'
      )
    )
    expect(result.stdout).toMatch(/^✅ Dry run passed: a real run would request a new backup and wait for it\. Nothing was requested\.$/m)
    expect(errorLines(result.stdout)).toEqual([])
    // Nothing pretends a backup was made: a step gated on status == 'completed' does not run.
    expect(result.outputs).toMatchObject({
      'dry-run': 'true',
      'backup-id': '',
      status: '',
      'create-time': '',
      'complete-time': '',
      reused: 'false',
      'install-id': INSTALL.id,
      'install-name': 'mysite'
    })
    expect(result.findings).toEqual([
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
          'age-seconds': aged(3 * 3600)
        },
        running: [],
        'usual-duration': { 'typical-seconds': 270, 'low-seconds': 250, 'high-seconds': 330, samples: 5 }
      }
    ])
    expect(result.summary).toMatch(/^## ✅ WP Engine backup dry run passed: nothing was requested\n/)
    expect(result.summary).toContain(
      'A dry run only reads from the WP Engine API: no backup, archive or restore was requested. The API credentials work.'
    )
    expect(result.summary).toContain('| Usually takes | 4m 10s–5m 30s (last 5) |')
    expect(result.summary).toContain('| Still running | none |')
    expect(result.summary).toContain('| A real run would | request a new backup and wait for it |')
    expectNoCredentials(result.stdout, s)
  })

  it.concurrent(
    'backups that cannot be read fail it only where a real run needs them (to reuse), never for the history alone',
    async () => {
      const s = await freshSim()
      s.fault({ method: 'GET', path: `/installs/${INSTALL.id}/backups`, type: '403', times: 2 })
      const historyOnly = await dryRun(s)
      expect(historyOnly.code).toBe(0)
      expect(historyOnly.stdout).toMatch(
        /\nCould not read the backups of mysite \(.+\); a real run reads them only to learn how long backups take, which never stops it\.\n/
      )
      expect(historyOnly.summary).toContain('| Newest completed backup | the backups could not be read |')
      const reusing = await dryRun(s, { 'reuse-within': '30m' })
      expect(reusing.code).toBe(1)
      expect(errorLines(reusing.stdout)).toHaveLength(1)
    }
  )

  it.concurrent('a real run (dry-run unset) says it was none', async () => {
    const s = await freshSim()
    const result = await runAction(actionAgainst(s, { install: INSTALL.id, wait: 'false' }))
    expect(result.code).toBe(0)
    expect(result.outputs['dry-run']).toBe('false')
    expect(requestsTo(s, 'POST')).toHaveLength(1)
  })

  it.concurrent('bad credentials: the same one line as a real run, after one request', async () => {
    const s = await freshSim()
    const result = await dryRun(s, {}, { WPENGINE_PASSWORD: 'wrong-password' })
    expect(result.code).toBe(1)
    expect(errorLines(result.stdout)).toEqual([
      '::error::Dry run: WP Engine did not accept the API credentials (401: Bad Credentials). Check api-user-id and api-password (or WPENGINE_USER_ID and WPENGINE_PASSWORD), and that API access is enabled for the account: https://my.wpengine.com/api_access'
    ])
    expect(paths(s)).toEqual(['GET /user'])
    expect(result.outputs).toMatchObject({ 'dry-run': 'true', 'backup-id': '', status: '' })
    expect(result.summary).toMatch(/^## ❌ WP Engine backup dry run failed: nothing was requested\n\n> Dry run: WP Engine did not accept/)
    expect(result.summary).not.toContain('The API credentials work')
    expect(result.summary).not.toContain('| Install |')
    expect(visible(result.stdout)).not.toContain('wrong-password')
  })

  it.concurrent('an unknown install: fails naming the closest names, as a real run would', async () => {
    const s = await freshSim()
    const result = await dryRun(s, { install: 'mysitee' })
    expect(result.code).toBe(1)
    expect(errorLines(result.stdout)).toEqual([
      "::error::Dry run: No install named 'mysitee' is visible to this API user (122 installs searched). Did you mean mysite? Check the install input and that API access is enabled for the account that owns it (https://my.wpengine.com/api_access)."
    ])
    expect(result.findings).toEqual([
      expect.objectContaining({
        'install-name': 'mysitee',
        found: false,
        'real-run': 'fail',
        problem: expect.stringContaining('Did you mean mysite')
      })
    ])
    expect(result.summary).toContain('| Found | no |')
    expect(result.summary).toContain("| A real run would | ❌ fail: No install named 'mysitee'")
    expect(result.outputs['install-name']).toBe('mysitee')
  })

  it.concurrent(
    'a backup in flight: reported; with reuse-within a real run would wait for it, without it would request a second',
    async () => {
      const s = await freshSim()
      seedHistory(s)
      const running = s.seedBackup({ installId: INSTALL.id, ageMs: 2 * MINUTE, durationMs: HOUR })
      const queued = s.seedBackup({ installId: INSTALL.id, ageMs: MINUTE, requestedMs: HOUR, durationMs: 2 * HOUR })
      expect([running.status, queued.status]).toEqual(['in_progress', 'requested'])

      const attaching = await dryRun(s, { 'reuse-within': '30m' })
      expect(attaching.code).toBe(0)
      expect(attaching.findings[0]).toMatchObject({
        'real-run': 'wait',
        'real-run-backup-id': queued.id,
        'real-run-reason': 'in-flight',
        running: [
          { 'backup-id': queued.id, status: 'requested', 'age-seconds': aged(60) },
          { 'backup-id': running.id, status: 'in_progress', 'age-seconds': aged(120) }
        ]
      })
      expect(attaching.stdout).toMatch(new RegExp(`Still running: backup ${running.id} is in_progress \\(${old('2m')}\\)`))
      expect(attaching.stdout).toMatch(
        new RegExp(
          `✅ Dry run passed: a real run would wait for backup ${queued.id}, already requested, ${old('1m')}, instead of requesting a second one\\. Nothing was requested\\.`
        )
      )
      expect(attaching.summary).toMatch(
        new RegExp(
          `\\| Still running \\| \`${queued.id}\` \\(\\*\\*requested\\*\\*, ${old('1m')}\\), \`${running.id}\` \\(\\*\\*in\\\\_progress\\*\\*, ${old('2m')}\\) \\|`
        )
      )

      const beside = await dryRun(s)
      expect(beside.code).toBe(0)
      expect(beside.findings[0]).toMatchObject({ 'real-run': 'request', 'real-run-backup-id': '' })
      const hint = `Backup ${queued.id} is requested already: a real run would request a second one next to it. With reuse-within set, it would wait for that one instead, as WP Engine advises.`
      expect(beside.stdout).toContain(hint)
      expect(beside.summary).toContain(`| A real run would | request a new backup and wait for it. ${hint} |`)
    }
  )

  it.concurrent(
    'reuse-within with a recent completed backup, and a re-run with an earlier attempt’s backup: a real run would use them',
    async () => {
      const s = await freshSim()
      seedHistory(s)
      const recent = await dryRun(s, { 'reuse-within': '4h' })
      expect(recent.findings[0]).toMatchObject({ 'real-run': 'use', 'real-run-reason': 'recent' })
      expect(recent.stdout).toMatch(
        new RegExp(
          `A real run would use backup [0-9a-f-]{36}, completed, ${old('3h')}, within reuse-within \\(4h\\), instead of requesting one\\.`
        )
      )

      const earlier = s.seedBackup({ installId: INSTALL.id, ageMs: 10 * MINUTE, description: `Pre-deploy ${markerOf({ attempt: 1 })}` })
      const rerun = await dryRun(s, {}, { GITHUB_RUN_ATTEMPT: '2' })
      expect(rerun.findings[0]).toMatchObject({ 'real-run': 'use', 'real-run-backup-id': earlier.id, 'real-run-reason': 'rerun' })
      expect(rerun.stdout).toMatch(
        new RegExp(`A real run would use backup ${earlier.id}, requested by attempt 1 of this run \\(completed, ${old('10m')}\\)\\.`)
      )
    }
  )

  it.concurrent('backup-id: checks that the backup is on the install; a real run would wait for it, or fail', async () => {
    const s = await freshSim()
    const waiting = s.seedBackup({ installId: INSTALL.id, ageMs: MINUTE, durationMs: HOUR })
    const ok = await dryRun(s, { 'backup-id': waiting.id, 'notification-emails': '' })
    expect(ok.code).toBe(0)
    expect(ok.findings[0]).toMatchObject({ 'real-run': 'wait', 'real-run-backup-id': waiting.id, 'real-run-reason': 'backup-id' })
    expect(ok.stdout).toMatch(
      new RegExp(`A real run would wait for backup ${waiting.id}, named by backup-id \\(in_progress, ${old('1m')}\\)\\.`)
    )
    expect(requestsTo(s, 'GET', `/installs/${INSTALL.id}/backups/${waiting.id}`)).toHaveLength(1)

    const elsewhere = await dryRun(s, { install: STAGING.name, 'backup-id': waiting.id, 'notification-emails': '' })
    expect(elsewhere.code).toBe(1)
    expect(errorLines(elsewhere.stdout)).toEqual([
      `::error::Dry run: Backup ${waiting.id} was not found on install mysitestaging. Check backup-id, and that the backup belongs to this install.`
    ])

    const aborted = s.seedBackup({ installId: INSTALL.id, ageMs: HOUR, outcome: 'aborted' })
    const dead = await dryRun(s, { 'backup-id': aborted.id, 'notification-emails': '' })
    expect(dead.code).toBe(1)
    expect(errorLines(dead.stdout)).toEqual([
      `::error::Dry run: Backup ${aborted.id} of install mysite (backup-id) was aborted by WP Engine, so a real run would fail at once. Leave backup-id out to request a new backup, or name one that is not aborted.`
    ])
  })

  it.concurrent(
    'archive-path: says a real run would also archive and download, and neither asks for an archive nor writes a file',
    async () => {
      const s = await freshSim()
      const dir = mkdtempSync(join(tmpdir(), 'wpe-dry-'))
      try {
        const result = await dryRun(s, { 'archive-path': `${dir}/` })
        expect(result.code).toBe(0)
        expect(result.stdout).toContain(
          `A real run would request a new backup and wait for it, then have WP Engine archive it as a zip and download the zip to ${dir}/.`
        )
        expect(s.archives()).toEqual([])
        expect(requestsTo(s, 'GET', /archives/)).toEqual([])
        expect(result.outputs['archive-file']).toBe('')
        const encrypted = await dryRun(s, {
          'archive-path': `${dir}/`,
          'archive-recipients': 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p'
        })
        expect(encrypted.stdout).toContain(`download the zip to ${dir}/, keeping it only encrypted to 1 age recipient.`)
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    }
  )

  it.concurrent('several installs, one unknown: one row each, and one line naming the one that would fail', async () => {
    const s = await freshSim()
    seedHistory(s)
    const result = await dryRun(s, { install: `mysite, ${STAGING.id}, mystie` })
    expect(result.code).toBe(1)
    expect(errorLines(result.stdout)).toEqual([
      '::error::Dry run: 1 of 3 installs would fail in a real run: mystie (not found; did you mean mysite?). The job summary says why for each.'
    ])
    expect(result.findings.map((f) => [f['install-name'], f['real-run']])).toEqual([
      ['mysite', 'request'],
      ['mysitestaging', 'request'],
      ['mystie', 'fail']
    ])
    expect(result.stdout).toContain('[mysite] Backups of mysite usually take 4m 10s–5m 30s (last 5)')
    expect(result.stdout).toContain('[mysitestaging] Too few completed backups of mysitestaging to say how long one usually takes')
    expect(result.outputs).toMatchObject({ 'dry-run': 'true', 'install-name': '', 'backup-id': '' })
    expect(result.summary).toMatch(/^## ❌ WP Engine backup dry run failed: nothing was requested\n/)
    expect(result.summary).toContain('| Install | Newest completed backup | Still running | Usually takes | A real run would |')
    expect(result.summary).toMatch(
      /^\| mysite \| `[0-9a-f]{8}` \(3h(?: \d+s)? old, .*\| none \| 4m 10s–5m 30s \(last 5\) \| request a new backup and wait for it \|$/m
    )
    expect(result.summary).toContain(
      '| mysitestaging | none yet | none | too few completed backups to say | request a new backup and wait for it |'
    )
    expect(result.summary).toMatch(/^\| mystie \| — \| — \| — \| ❌ fail: No install named 'mystie'/m)
  })

  it.concurrent('bad input: every problem a real run would refuse, at once, and nothing sent', async () => {
    const s = await freshSim()
    const result = await dryRun(s, { 'dry-run': 'maybe', 'notification-emails': '', timeout: '45' })
    expect(result.code).toBe(1)
    expect(errorLines(result.stdout)).toEqual([
      "::error::Invalid input: notification-emails is required to request a backup: WP Engine emails these addresses when the backup completes; timeout '45' has no unit: write 45m for 45 minutes or 45s for 45 seconds; dry-run 'maybe' is not true or false"
    ])
    expect(s.requests).toEqual([])
  })
})

describe('a pull request from a fork, which GitHub gives no secrets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wpe-fork-'))
  const event = join(dir, 'event.json')
  writeFileSync(
    event,
    JSON.stringify({
      pull_request: { number: 7, head: { repo: { full_name: 'someone/shop' } }, base: { repo: { full_name: 'acme/shop' } } }
    })
  )
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const forkEnv = { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: event, GITHUB_REF: 'refs/pull/7/merge' }

  it.concurrent.each([
    ['a dry run', { 'dry-run': 'true' }],
    ['a real run', {}]
  ])('%s says so in one line, with the if: that skips the step, and sends nothing', async (_name, inputs) => {
    const s = await freshSim()
    const { env, inputs: all } = actionAgainst(s, inputs, forkEnv)
    const result = await runAction({ inputs: all, env: { ...env, WPENGINE_USER_ID: '', WPENGINE_PASSWORD: '' } })
    expect(result.code).toBe(1)
    expect(errorLines(result.stdout)).toEqual([
      "::error::Invalid input: Missing WP Engine API credentials: this run is for a pull request from a fork, and GitHub gives those no secrets. Skip this step for forks with if: github.event_name != 'pull_request' || github.event.pull_request.head.repo.full_name == github.repository"
    ])
    expect(s.requests).toEqual([])
  })

  it.concurrent('a pull request from a branch of the repository itself is no fork', async () => {
    const s = await freshSim()
    const own = join(dir, 'own.json')
    writeFileSync(
      own,
      JSON.stringify({
        pull_request: { number: 8, head: { repo: { full_name: 'acme/shop' } }, base: { repo: { full_name: 'acme/shop' } } }
      })
    )
    const { env, inputs } = actionAgainst(s, { 'dry-run': 'true' }, { ...forkEnv, GITHUB_EVENT_PATH: own })
    const result = await runAction({
      inputs,
      env: { ...env, ...SAMPLE_RUN_ENV, GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: own, WPENGINE_PASSWORD: '' }
    })
    expect(result.stdout).toContain('::error::Invalid input: Missing WP Engine API credentials: set api-password (or WPENGINE_PASSWORD)')
  })
})

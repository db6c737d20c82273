import { beforeAll, describe, expect, it } from '@jest/globals'
import type { Simulator } from '../../sim/server.js'
import { ACTION, ROOT, runAction, SAMPLE_RUN_ENV, startAction } from '../../scripts/run-action.js'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { BACKUP_ID, INSTALL, markerOf, STAGING, visible } from '../support/helpers.js'
import { actionAgainst, count, credentialsOf, expectNoCredentials, expectNoCredentialsIn, useSimulators } from '../support/sim-helpers.js'

// The bundled action, run as a child process exactly as the runner runs it, against the simulator.

let sim: Simulator
const freshSim = useSimulators({ requestedMs: 300, durationMs: 1_000 })

/** Runs the bundled action; whatever happens, neither the password nor the Basic token may be logged. */
async function run(s: Simulator, inputs: Record<string, string> = {}, env: Record<string, string> = {}) {
  const result = await runAction(actionAgainst(s, inputs, env))
  expectNoCredentialsIn([visible(result.stdout), result.stderr, result.summary, JSON.stringify(result.outputs)], credentialsOf(s, env))
  return result
}

beforeAll(async () => {
  if (!existsSync(ACTION)) throw new Error('dist/index.js is missing: run npm run bundle')
  sim = await freshSim()
})

describe('bundled action against the simulator', () => {
  it.concurrent('by name, found on the second page: completes, with outputs and summary', async () => {
    const s = await freshSim()
    const result = await run(s)
    expect(result.code).toBe(0)
    expect(result.outputs).toMatchObject({
      status: 'completed',
      'install-id': INSTALL.id,
      'install-name': 'mysite',
      'wordpress-version': '6.8.1'
    })
    expect(result.outputs['backup-id']).toMatch(/^[0-9a-f-]{36}$/)
    expect(result.outputs['complete-time']).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(result.outputs.description).toMatch(
      /^Pre-deploy backup of acme\/shop@8c3f2a1 \(main\) by octocat: https:\/\/github\.com\/acme\/shop\/actions\/runs\/987654321 \[ci 987654321-1 deploy\/backup [0-9a-f]{8}\]$/
    )
    expect(result.summary).toContain('## ✅ WP Engine backup of mysite completed')
    expect(result.summary).toContain(`| Backup | \`${result.outputs['backup-id']}\` |`)
    expect(count(s, 'GET', /^\/installs$/)).toBe(2)
    expect(s.requests.filter((r) => r.path === '/installs').map((r) => r.query.offset)).toEqual(['0', '100'])
    expect(count(s, 'POST', /\/backups$/)).toBe(1)
    expect(s.backups()).toHaveLength(1)
    expect(s.requests.every((r) => r.authorized)).toBe(true)
    // One install found is one line, not a group around it; no group is ever empty.
    expect(result.stdout).toContain(`Install mysite (${INSTALL.id}), production`)
    expect(result.stdout).not.toContain('::group::Finding')
    expect(result.stdout).not.toMatch(/^::group::.*\n::endgroup::$/m)
    expectNoCredentials(result.stdout, s)
  })

  it.concurrent('by ID: one GET for the install', async () => {
    const s = await freshSim()
    const result = await run(s, { install: INSTALL.id })
    expect(result.code).toBe(0)
    expect(count(s, 'GET', /^\/installs$/)).toBe(0)
    expect(count(s, 'GET', new RegExp(`^/installs/${INSTALL.id}$`))).toBe(1)
    expect(result.outputs.status).toBe('completed')
  })

  it.concurrent('wait: false: succeeds right after the request', async () => {
    const s = await freshSim()
    const result = await run(s, { install: INSTALL.id, wait: 'false' })
    expect(result.code).toBe(0)
    expect(result.outputs).toMatchObject({ status: 'requested', 'complete-time': '' })
    expect(s.requests).toHaveLength(2)
  })

  it.concurrent('backup-id: waits for an existing backup without requesting one', async () => {
    const s = await freshSim()
    const seeded = s.seedBackup({ installId: INSTALL.id, description: 'Started by an earlier step' })
    const result = await run(s, { install: 'mysite', 'backup-id': seeded.id, 'notification-emails': '' })
    expect(result.code).toBe(0)
    expect(result.outputs).toMatchObject({ 'backup-id': seeded.id, status: 'completed', description: 'Started by an earlier step' })
    expect(count(s, 'POST', /./)).toBe(0)
  })

  it.concurrent('aborted: fails, outputs set, summary stands out', async () => {
    const s = await freshSim({ outcome: 'aborted' })
    const result = await run(s, { install: INSTALL.id })
    expect(result.code).toBe(1)
    expect(result.outputs).toMatchObject({ status: 'aborted', 'install-name': 'mysite' })
    expect(result.stdout).toMatch(/^::error::WP Engine aborted backup [0-9a-f-]{36} of install mysite/m)
    expect(result.summary).toContain('## ❌ WP Engine backup of mysite aborted')
  })

  it.concurrent('timeout: fails naming the backup, its status, and backup-id', async () => {
    const s = await freshSim({ durationMs: 600_000 })
    const result = await run(s, { install: INSTALL.id, timeout: '4s' })
    expect(result.code).toBe(1)
    const id = result.outputs['backup-id']
    expect(result.stdout).toContain(
      `::error::Backup ${id} of install mysite was still in_progress when the timeout of 4s ran out. It keeps running on WP Engine: to wait for it later, run this action with backup-id: ${id}, or raise timeout.`
    )
    expect(result.outputs.status).toBe('in_progress')
    expect(result.durationMs).toBeLessThan(8_000)
  })

  it.concurrent('bad credentials: one clear line, one request', async () => {
    const s = await freshSim()
    const result = await run(s, { install: INSTALL.id }, { WPENGINE_PASSWORD: 'wrong-password' })
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(/^::error::WP Engine did not accept the API credentials \(401: Bad Credentials\)/m)
    expect(s.requests).toHaveLength(1)
    expect(visible(result.stdout)).not.toContain('wrong-password')
    expect(result.stdout).not.toMatch(/\n\s+at /)
    expect(result.stderr).toBe('')
  })

  it.concurrent('RUNNER_DEBUG=1: one debug line per request (method, path, status, time, decision), never a secret', async () => {
    const s = await freshSim()
    s.fault({ method: 'GET', path: /^\/installs\/[^/]+$/, type: '503' })
    const result = await run(s, { install: INSTALL.id, wait: 'false' }, { RUNNER_DEBUG: '1' })
    expect(result.code).toBe(0)
    const debug = result.stdout.split('\n').filter((line) => line.startsWith('::debug::'))
    expect(debug).toEqual([
      expect.stringMatching(new RegExp(`^::debug::GET /installs/${INSTALL.id} → 503 in \\d+ ms; retrying in [\\d.]+m?s$`)),
      expect.stringMatching(new RegExp(`^::debug::GET /installs/${INSTALL.id} → 200 in \\d+ ms$`)),
      expect.stringMatching(new RegExp(`^::debug::POST /installs/${INSTALL.id}/backups → 202 in \\d+ ms$`))
    ])
    // The whole log, add-mask lines aside, holds neither credential nor any header.
    expect(debug.join('\n')).not.toMatch(/authorization|basic |ops@example\.com/i)
  })

  it.concurrent('a failure outside the normal paths (unwritable GITHUB_OUTPUT) is still one line, no stack trace', async () => {
    const s = await freshSim()
    const result = await run(s, { install: INSTALL.id, wait: 'false' }, { GITHUB_OUTPUT: '/nonexistent/output' })
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(/^::error::Unexpected failure: Missing file at path: \/nonexistent\/output$/m)
    expect(result.stdout + result.stderr).not.toMatch(/\n\s+at /)
  })

  const CERT = join(ROOT, '__tests__', 'fixtures', 'localhost-cert.pem')
  const tls = () => ({ cert: readFileSync(CERT), key: readFileSync(join(ROOT, '__tests__', 'fixtures', 'localhost-key.pem')) })

  it.concurrent('over https, as against the real API: completes', async () => {
    const s = await freshSim({ tls: tls() })
    expect(s.url).toMatch(/^https:/)
    const result = await run(s, { install: 'mysite' }, { NODE_EXTRA_CA_CERTS: CERT })
    expect(result.code).toBe(0)
    expect(result.outputs.status).toBe('completed')
  })

  it.concurrent('over https with an untrusted certificate: one clear line, no retries', async () => {
    const s = await freshSim({ tls: tls() })
    const result = await run(s, { install: INSTALL.id })
    expect(result.code).toBe(1)
    expect(result.stdout).toContain(
      `::error::Could not make a trusted TLS connection to ${new URL(s.url).origin} to get install ${INSTALL.id} (DEPTH_ZERO_SELF_SIGNED_CERT). If the runner is behind a TLS-inspecting proxy, give Node its CA certificate with NODE_EXTRA_CA_CERTS; otherwise check api-url.`
    )
    expect(result.stdout).not.toContain('retrying')
    expect(s.requests).toHaveLength(0)
  })

  it.concurrent('bad input: nothing is sent', async () => {
    const s = await freshSim()
    const result = await run(s, { 'notification-emails': 'not-an-address', 'poll-interval': 'often' })
    expect(result.code).toBe(1)
    expect(result.stdout).toContain(
      "::error::Invalid input: notification-emails: 'not-an-address' is not an email address; poll-interval 'often' is not a duration"
    )
    expect(s.requests).toHaveLength(0)
  })

  it.concurrent('field errors from the API: every one is reported', async () => {
    const s = await freshSim()
    s.fault({ method: 'POST', path: /\/backups$/, type: 'field-errors' })
    const result = await run(s, { install: INSTALL.id })
    expect(result.code).toBe(1)
    expect(result.stdout).toContain(
      '(400: Invalid Backup: the request has invalid fields). description: Description is too long (maximum is 255 characters); notification_emails: ops@example.com is not allowed'
    )
  })

  it.concurrent('rate limited (429 with Retry-After): waits as asked, then succeeds', async () => {
    const s = await freshSim()
    s.fault({ method: 'POST', path: /\/backups$/, type: '429', retryAfter: '1' })
    const result = await run(s, { install: INSTALL.id })
    expect(result.code).toBe(0)
    const posts = s.requests.filter((r) => r.method === 'POST')
    expect(posts.map((r) => r.status)).toEqual([429, 202])
    expect((posts[1]?.at ?? 0) - (posts[0]?.at ?? 0)).toBeGreaterThanOrEqual(1_000)
    expect(s.backups()).toHaveLength(1)
  })

  it.concurrent('503, 503 on the install, then fine: retried', async () => {
    const s = await freshSim()
    s.fault({ method: 'GET', path: `/installs/${INSTALL.id}`, type: '503', times: 2 })
    const result = await run(s, { install: INSTALL.id })
    expect(result.code).toBe(0)
    expect(count(s, 'GET', new RegExp(`^/installs/${INSTALL.id}$`))).toBe(3)
  })

  it.concurrent('lost answer: the POST made a backup but the connection dropped; adopted, exactly one backup', async () => {
    const s = await freshSim()
    s.fault({ method: 'POST', path: /\/backups$/, type: 'lost-answer' })
    const result = await run(s, { install: INSTALL.id })
    expect(result.code).toBe(0)
    expect(count(s, 'POST', /\/backups$/)).toBe(1)
    expect(s.backups()).toHaveLength(1)
    expect(result.outputs['backup-id']).toBe(s.backups()[0]?.id)
    expect(result.stdout).toContain("WP Engine's answer was lost while trying to request a backup of install mysite")
    // Resolved: a line in the log, no warning annotation on a green run.
    expect(result.stdout).not.toMatch(/^::(warning|error)::/m)
  })

  it.concurrent('reset before the API acted: the POST is sent again after looking, exactly one backup', async () => {
    const s = await freshSim()
    s.fault({ method: 'POST', path: /\/backups$/, type: 'reset' })
    // The step looks for its backup for a quarter of the time left (90 s at most) before asking again: 5 s here.
    const result = await run(s, { install: INSTALL.id, timeout: '20s' })
    expect(result.code).toBe(0)
    expect(count(s, 'POST', /\/backups$/)).toBe(2)
    expect(s.backups()).toHaveLength(1)
  })

  it.concurrent.each(['SIGTERM', 'SIGINT'] as const)(
    'cancelled by %s: outputs written, one error line names the backup, exits within 5 seconds',
    async (signal) => {
      const s = await freshSim({ durationMs: 600_000 })
      // Watch the whole output, not single chunks: a pipe read may split the line we wait for.
      let seen = ''
      let sent = false
      const { child, result } = startAction({
        inputs: { install: INSTALL.id, 'notification-emails': 'ops@example.com', 'api-url': s.url },
        env: { ...SAMPLE_RUN_ENV, WPENGINE_USER_ID: s.credentials.userId, WPENGINE_PASSWORD: s.credentials.password },
        onOutput: (text) => {
          seen += text
          if (!sent && seen.includes('::group::Waiting for backup')) {
            sent = true
            setTimeout(() => child.kill(signal), 300)
          }
        }
      })
      const signalled = Date.now() + 300
      const outcome = await result
      expect(Date.now() - signalled).toBeLessThan(5_000)
      expect(outcome.code).toBe(1)
      const id = outcome.outputs['backup-id']
      expect(id).toMatch(/^[0-9a-f-]{36}$/)
      expect(outcome.outputs['install-name']).toBe('mysite')
      expect(outcome.stdout).toContain(
        `::error::The step was cancelled while waiting for backup ${id}. The backup keeps running on WP Engine`
      )
      expect(outcome.stdout).not.toContain('::warning::')
      expect(outcome.summary).toContain('cancelled')
      expect(visible(outcome.stdout)).not.toContain(s.credentials.password)
    }
  )
})

describe('bundled action: several installs and reuse', () => {
  const earlierAttempt = `Pre-deploy backup ${markerOf()}`
  const backupsOf = (result: { outputs: Record<string, string> }) => JSON.parse(result.outputs.backups ?? '[]') as Record<string, unknown>[]

  it.concurrent(
    'three installs at once, one by name on a later page, one aborted: the others are waited for and reported; the step fails naming it',
    async () => {
      const s = await freshSim({ durationMs: 1_500 })
      const doomed = s.installs.find((i) => i.name === 'filler0007')
      if (doomed) doomed.outcome = 'aborted'
      const result = await run(s, { install: `filler0007, mysite\n${STAGING.id}` })
      expect(result.code).toBe(1)
      expect(backupsOf(result).map((b) => [b['install-name'], b.status])).toEqual([
        ['filler0007', 'aborted'],
        ['mysite', 'completed'],
        ['mysitestaging', 'completed']
      ])
      expect(result.stdout).toMatch(
        /^::error::1 of 3 installs have no fresh backup, so do not deploy to them: filler0007 \(aborted by WP Engine\)\. The job summary says why for each\.$/m
      )
      expect(result.stdout.match(/^::error::/gm)).toHaveLength(1)
      expect(count(s, 'POST', /\/backups$/)).toBe(3)
      expect(result.summary).toContain('| Install | Outcome | Backup | Details |')
      expect(result.summary).toMatch(/\| filler0007 \| ❌\u00a0aborted \| `[0-9a-f]{8}` \| WP Engine aborted backup/)
    }
  )

  it.concurrent('max-parallel: the simulator never sees more requests at once', async () => {
    const s = await freshSim({ latencyMs: 25 })
    const installs = s.installs
      .slice(0, 10)
      .map((i) => i.name)
      .join(' ')
    const result = await run(s, { install: installs, 'max-parallel': '2' })
    expect(result.code).toBe(0)
    expect(backupsOf(result)).toHaveLength(10)
    expect(s.concurrency.max).toBe(2)
  })

  it.concurrent('a re-run attaches to the backup the first attempt requested, still in progress', async () => {
    const s = await freshSim({ durationMs: 3_000 })
    const earlier = s.seedBackup({ installId: INSTALL.id, description: earlierAttempt, ageMs: 500 })
    const result = await run(s, {}, { GITHUB_RUN_ATTEMPT: '2' })
    expect(result.code).toBe(0)
    expect(count(s, 'POST', /\/backups$/)).toBe(0)
    expect(result.outputs).toMatchObject({ 'backup-id': earlier.id, status: 'completed', reused: 'true' })
    expect(result.stdout).toContain(`Backup ${earlier.id} was requested by attempt 1 of this run and is in_progress`)
  })

  it.concurrent('a re-run reuses the completed backup of the first attempt', async () => {
    const s = await freshSim()
    const earlier = s.seedBackup({ installId: INSTALL.id, description: earlierAttempt, ageMs: 600_000 })
    const result = await run(s, {}, { GITHUB_RUN_ATTEMPT: '2' })
    expect(result.code).toBe(0)
    expect(count(s, 'POST', /\/backups$/)).toBe(0)
    expect(result.outputs).toMatchObject({ 'backup-id': earlier.id, status: 'completed', reused: 'true' })
    expect(result.summary).toMatch(/\| Reused \| yes: requested by attempt 1 of this run, 10m( 1s)? old \|/)
  })

  it.concurrent('reuse-within: reuses a completed backup inside the window, requests one outside it', async () => {
    const inside = await freshSim()
    const recent = inside.seedBackup({ installId: INSTALL.id, description: 'Nightly', ageMs: 20 * 60_000 })
    const reused = await run(inside, { 'reuse-within': '30m' })
    expect(reused.outputs).toMatchObject({ 'backup-id': recent.id, reused: 'true' })
    expect(count(inside, 'POST', /\/backups$/)).toBe(0)

    const outside = await freshSim()
    outside.seedBackup({ installId: INSTALL.id, description: 'Nightly', ageMs: 20 * 60_000 })
    const fresh = await run(outside, { 'reuse-within': '15m' })
    expect(fresh.code).toBe(0)
    expect(fresh.outputs.reused).toBe('false')
    expect(count(outside, 'POST', /\/backups$/)).toBe(1)
  })

  it.concurrent('backup-id with several installs: an input error that says why, nothing sent', async () => {
    const s = await freshSim()
    const result = await run(s, { install: 'mysite mysitestaging', 'backup-id': BACKUP_ID })
    expect(result.code).toBe(1)
    expect(result.stdout).toContain(
      '::error::Invalid input: backup-id names one backup of one install, but install lists 2 (mysite, mysitestaging)'
    )
    expect(s.requests).toHaveLength(0)
  })
})

describe('the shared simulator', () => {
  it('is reachable', () => expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/))
})

// Outages and lagging lists, played by the simulator in real time and kept to seconds: the 3-minute
// versions run on the fake clock in patience.test.ts. Here the bundle itself must ride them out.
describe('bundled action: bad API days', () => {
  it.concurrent.each([
    ['at the step’s start', { answer: 'reset' as const }],
    ['from the create request on', { startsWith: { method: 'POST', path: /\/backups$/ } }],
    ['from the first status check on', { startsWith: { method: 'GET', path: /\/backups\/[0-9a-f-]{36}$/ } }]
  ])('a 3-second outage of the whole API %s: ridden out, exactly one backup', async (_when, outage) => {
    const s = await freshSim()
    s.outage({ forMs: 3_000, ...outage })
    const result = await run(s, { install: INSTALL.id, timeout: '40s' })
    expect(result.code).toBe(0)
    expect(result.outputs.status).toBe('completed')
    expect(s.backups()).toHaveLength(1)
  })

  it.concurrent('an outage that never ends: the step ends by its timeout, in one line with the last answer', async () => {
    const s = await freshSim()
    s.outage({ forMs: 3_600_000 })
    const started = Date.now()
    const result = await run(s, { install: INSTALL.id, timeout: '6s' })
    expect(Date.now() - started).toBeLessThan(15_000)
    expect(result.code).toBe(1)
    const errors = result.stdout.split('\n').filter((line) => line.startsWith('::error::'))
    expect(errors).toEqual([
      expect.stringMatching(/timeout ran out while trying to get install .*last answer: HTTP 503 "Service Unavailable"\)/)
    ])
    expect(s.backups()).toHaveLength(0)
  })

  it.concurrent('a list that shows the new backup 3 s late, after a lost create answer: adopted, one POST, one backup', async () => {
    const s = await freshSim({ backupListLagMs: 3_000 })
    s.fault({ method: 'POST', path: /\/backups$/, type: 'lost-answer' })
    const result = await run(s, { install: INSTALL.id, timeout: '30s' })
    expect(result.code).toBe(0)
    expect(count(s, 'POST', /\/backups$/)).toBe(1)
    expect(s.backups()).toHaveLength(1)
  })

  it.concurrent('an archive list that lags 3 s, after a lost archive answer: one request, one archive', async () => {
    const s = await freshSim({ archiveListLagMs: 3_000, archiveMs: 1_000 })
    s.fault({ method: 'POST', path: /\/archives$/, type: 'lost-answer' })
    const result = await run(s, { install: INSTALL.id, archive: 'true', timeout: '30s' })
    expect(result.code).toBe(0)
    expect(count(s, 'POST', /\/archives$/)).toBe(1)
    expect(s.archives()).toHaveLength(1)
    expect(s.backups()).toHaveLength(1)
  })
})

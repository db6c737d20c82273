import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { EventEmitter } from 'node:events'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import nock from 'nock'
import { ROOT } from '../../scripts/run-action.js'
import { run, type Dependencies } from '../../src/backup/main.js'
import { createNodeSend } from '../../src/wpengine/http.js'
import { API, BACKUP_ID, backupAnswer, BASIC, CREDS, FakeClock, INSTALL, RecordingCore, RUN_CONTEXT, useNock } from '../support/helpers.js'
import type { Simulator } from '../../sim/server.js'
import { count, credentialsOf, expectNoCredentialsIn, type SimOptions } from '../support/sim-helpers.js'
import { useTurnBed } from '../support/turns.js'
import { useWorkspaces } from '../support/workspaces.js'

// One install, end to end: the whole backup step in process, first against an API scripted answer by
// answer (nock), then against the simulator on a fake clock.

const INPUTS = { install: 'mysite', 'notification-emails': 'ops@example.com', 'api-user-id': CREDS.userId, 'api-password': CREDS.password }
const BACKUPS = `/v1/installs/${INSTALL.id}/backups`
const transport = createNodeSend()
afterAll(() => transport.close())
// RUNNER_TEMP, where the step writes its output files.
const runnerTemp = useWorkspaces('wpe-runner-temp-')

/** Installs list with `mysite` on the second page; `next` names another host, which must not be contacted. */
function installsOnTwoPages() {
  const fillers = Array.from({ length: 100 }, (_, n) => ({
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    name: `filler${n}`
  }))
  return nock(API, { reqheaders: { authorization: BASIC } })
    .get('/v1/installs')
    .query({ limit: 100, offset: 0 })
    .reply(200, { count: 101, previous: null, next: 'https://elsewhere.example.com/v1/installs?limit=100&offset=100', results: fillers })
    .get('/v1/installs')
    .query({ limit: 100, offset: 100 })
    .reply(200, { count: 101, previous: 'x', next: null, results: [{ ...INSTALL, environment: 'production' }] })
}

/** The backup step in process against nock's API, on a fake clock. */
async function step(inputs: Record<string, string>, extra: Partial<Dependencies> = {}) {
  const core = new RecordingCore({ ...INPUTS, ...inputs })
  const clock = new FakeClock()
  await run({ core, env: { RUNNER_TEMP: runnerTemp() }, context: RUN_CONTEXT, clock, send: transport, random: () => 0.5, ...extra })
  return core
}

describe('against a scripted API (nock)', () => {
  useNock(nock, { beforeAll, afterEach, afterAll })

  describe('run: bad input', () => {
    it('sends nothing and fails with one line naming the input and value', async () => {
      const core = await step({ install: 'My-Site', timeout: 'forever' })
      expect(core.failed).toBe(
        "Invalid input: install 'My-Site' is neither an install name (3 to 14 lowercase letters and digits, starting with a letter), an install ID (a UUID), nor a pattern of names (lowercase letters, digits, * and ?, e.g. shop*); timeout 'forever' is not a duration: use e.g. 90s, 30m, 1h or 1h30m"
      )
      expect(nock.pendingMocks()).toEqual([])
      expect(core.outputs).toEqual({})
    })
  })

  describe('run: a backup that completes', () => {
    it('finds the install by name on a later page, requests, waits, and sets every output', async () => {
      const elsewhere = nock('https://elsewhere.example.com').get(/.*/).reply(200, {})
      const installs = installsOnTwoPages()
      let posted: { description: string; notification_emails: string[] } | undefined
      const api = nock(API, { reqheaders: { authorization: BASIC } })
        .post(BACKUPS, (body) => ((posted = body), true))
        .reply(202, () => backupAnswer('requested', { description: posted?.description }))
        .get(`${BACKUPS}/${BACKUP_ID}`)
        .reply(200, () => backupAnswer('in_progress', { description: posted?.description }))
        .get(`${BACKUPS}/${BACKUP_ID}`)
        .reply(200, () => backupAnswer('completed', { description: posted?.description }))
      const core = await step({})
      installs.done()
      api.done()
      expect(elsewhere.isDone()).toBe(false)
      expect(core.failed).toBeUndefined()
      expect(posted?.notification_emails).toEqual(['ops@example.com'])
      expect(posted?.description).toMatch(
        /^Pre-deploy backup of acme\/shop@8c3f2a1 \(main\) by octocat: https:\/\/github\.com\/acme\/shop\/actions\/runs\/987654321 \[ci 987654321-1 deploy\/backup [0-9a-f]{8}\]$/
      )
      expect(core.outputs).toEqual({
        'backup-id': BACKUP_ID,
        status: 'completed',
        'install-id': INSTALL.id,
        'install-name': 'mysite',
        description: posted?.description,
        'create-time': '2026-01-01T00:00:00Z',
        'complete-time': '2026-01-01T00:04:00Z',
        'wordpress-version': '6.8.1',
        reused: 'false',
        'archive-id': '',
        'archive-state': '',
        'archive-url': '',
        'archive-file': '',
        'archive-bytes': '',
        'archive-sha256': '',
        'archive-zip-sha256': '',
        backups: JSON.stringify([
          {
            'install-id': INSTALL.id,
            'install-name': 'mysite',
            'backup-id': BACKUP_ID,
            status: 'completed',
            'create-time': '2026-01-01T00:00:00Z',
            'complete-time': '2026-01-01T00:04:00Z',
            'wordpress-version': '6.8.1',
            reused: false
          }
        ]),
        'backups-file': expect.stringMatching(/backups\.json$/),
        stale: '',
        'stale-file': '',
        'dry-run': 'false'
      })
      expect(core.summaries[0]).toContain('## ✅ WP Engine backup of mysite completed')
      expect(core.summaries[0]).toContain(`| Backup | \`${BACKUP_ID}\` |`)
      expect(core.log.at(-1)).toMatch(/^✅ Backup e41fa98f-.* of install mysite completed after waiting \d+s\.$/)
      // One install found is one line, not a group around it; no group is ever empty.
      expect(core.log).toContain(`Install mysite (${INSTALL.id}), production`)
      expect(core.text).not.toContain('::group::Finding')
      expect(core.text).not.toMatch(/^::group::.*\n::endgroup::$/m)
    })

    it('masks the password and the Basic token before anything else is logged, and never logs them', async () => {
      nock(API).get(`/v1/installs/${INSTALL.id}`).reply(200, INSTALL).post(BACKUPS).reply(202, backupAnswer('completed'))
      const core = await step({ install: INSTALL.id })
      expect(core.log.slice(0, 2)).toEqual([`::add-mask::${CREDS.password}`, `::add-mask::${BASIC.slice(6)}`])
      expect(core.visibleText).not.toContain(CREDS.password)
      expect(core.visibleText).not.toContain(BASIC.slice(6))
    })

    it('appends the step marker to a custom description', async () => {
      let posted = ''
      nock(API)
        .get(`/v1/installs/${INSTALL.id}`)
        .reply(200, INSTALL)
        .post(BACKUPS, (b) => ((posted = b.description), true))
        .reply(202, backupAnswer('completed'))
      await step({ install: INSTALL.id, description: 'Release 2.4' })
      expect(posted).toMatch(/^Release 2\.4 \[ci 987654321-1 deploy\/backup [0-9a-f]{8}\]$/)
    })

    it('wait: false succeeds right after the request with the status the API returned', async () => {
      const api = nock(API).get(`/v1/installs/${INSTALL.id}`).reply(200, INSTALL).post(BACKUPS).reply(202, backupAnswer('requested'))
      const core = await step({ install: INSTALL.id, wait: 'false' })
      api.done()
      expect(core.failed).toBeUndefined()
      expect(core.outputs).toMatchObject({ status: 'requested', 'backup-id': BACKUP_ID, 'complete-time': '' })
      expect(core.summaries[0]).toContain('not waited for')
    })

    it('wait: false on an existing backup reports its status without waiting', async () => {
      nock(API).get(`/v1/installs/${INSTALL.id}`).reply(200, INSTALL).get(`${BACKUPS}/${BACKUP_ID}`).reply(200, backupAnswer('in_progress'))
      const core = await step({ install: INSTALL.id, 'backup-id': BACKUP_ID, wait: 'false' })
      expect(core.failed).toBeUndefined()
      expect(core.outputs.status).toBe('in_progress')
      expect(core.summaries[0]).toContain('## 🕓 WP Engine backup of mysite in progress (not waited for)')
    })

    it('wait: false never passes an aborted backup', async () => {
      nock(API).get(`/v1/installs/${INSTALL.id}`).reply(200, INSTALL).get(`${BACKUPS}/${BACKUP_ID}`).reply(200, backupAnswer('aborted'))
      const core = await step({ install: INSTALL.id, 'backup-id': BACKUP_ID, wait: 'false' })
      expect(core.failed).toMatch(/^WP Engine aborted backup/)
    })

    it('backup-id waits for an existing backup and requests none', async () => {
      const api = nock(API)
        .get(`/v1/installs/${INSTALL.id}`)
        .reply(200, INSTALL)
        .get(`${BACKUPS}/${BACKUP_ID}`)
        .reply(200, backupAnswer('in_progress'))
        .get(`${BACKUPS}/${BACKUP_ID}`)
        .reply(200, backupAnswer('initiated'))
        .get(`${BACKUPS}/${BACKUP_ID}`)
        .reply(200, backupAnswer('completed'))
      const core = await step({ install: INSTALL.id, 'backup-id': BACKUP_ID, 'notification-emails': '' })
      api.done()
      expect(core.outputs).toMatchObject({ 'backup-id': BACKUP_ID, status: 'completed', description: 'Pre-deploy backup' })
    })
  })

  describe('run: failures keep every known output', () => {
    it('aborted: fails saying so, outputs set, summary stands out', async () => {
      nock(API)
        .get(`/v1/installs/${INSTALL.id}`)
        .reply(200, INSTALL)
        .post(BACKUPS)
        .reply(202, backupAnswer('requested'))
        .get(`${BACKUPS}/${BACKUP_ID}`)
        .reply(200, backupAnswer('aborted'))
      const core = await step({ install: INSTALL.id })
      expect(core.failed).toMatch(
        /^WP Engine aborted backup e41fa98f-.* of install mysite: there is no fresh restore point, so do not deploy/
      )
      expect(core.outputs).toMatchObject({ status: 'aborted', 'backup-id': BACKUP_ID, 'install-name': 'mysite', 'complete-time': '' })
      expect(core.summaries[0]).toMatch(/## ❌ WP Engine backup of mysite aborted\n\n> WP Engine aborted backup/)
    })

    it('timeout: names the backup, its last status and how to wait later', async () => {
      nock(API)
        .get(`/v1/installs/${INSTALL.id}`)
        .reply(200, INSTALL)
        .post(BACKUPS)
        .reply(202, backupAnswer('requested'))
        .get(`${BACKUPS}/${BACKUP_ID}`)
        .times(100)
        .reply(200, backupAnswer('in_progress'))
      const clock = new FakeClock()
      const start = clock.now()
      const core = await step({ install: INSTALL.id, timeout: '90s' }, { clock })
      expect(clock.now() - start).toBeLessThanOrEqual(90_000)
      expect(core.failed).toBe(
        `Backup ${BACKUP_ID} of install mysite was still in_progress when the timeout of 1m 30s ran out. It keeps running on WP Engine: to wait for it later, run this action with backup-id: ${BACKUP_ID}, or raise timeout.`
      )
      expect(core.outputs).toMatchObject({ status: 'in_progress', 'backup-id': BACKUP_ID })
      expect(core.summaries[0]).toContain(
        `## ⏱️ WP Engine backup of mysite not finished before the timeout\n\n> Backup ${BACKUP_ID} of install mysite was still in\\_progress`
      )
    })

    it('a Retry-After past the timeout while waiting ends the step at once, saying so', async () => {
      const api = nock(API)
        .get(`/v1/installs/${INSTALL.id}`)
        .reply(200, INSTALL)
        .post(BACKUPS)
        .reply(202, backupAnswer('requested'))
        .get(`${BACKUPS}/${BACKUP_ID}`)
        .reply(429, { message: 'Too Many Requests' }, { 'Retry-After': '3600' })
      const core = await step({ install: INSTALL.id, timeout: '10m' })
      api.done()
      expect(core.failed).toMatch(
        /^WP Engine asked to wait 1h before trying again to get backup .* more than the 9m \d+s left before the step's timeout/
      )
      expect(core.outputs['backup-id']).toBe(BACKUP_ID)
    })

    it('an install name that matches nothing says so and names it', async () => {
      installsOnTwoPages()
      const core = await step({ install: 'othersite' })
      expect(core.failed).toBe(
        "No install named 'othersite' is visible to this API user (101 installs searched). Check the install input and that API access is enabled for the account that owns it (https://my.wpengine.com/api_access)."
      )
    })

    it('an install ID that is not found names it', async () => {
      nock(API).get(`/v1/installs/${INSTALL.id}`).reply(404, { message: 'Not Found' })
      const core = await step({ install: INSTALL.id })
      expect(core.failed).toBe(
        `Install ${INSTALL.id} was not found. Check the install input and that API access is enabled for the account that owns it (https://my.wpengine.com/api_access).`
      )
    })

    it('a backup-id that is not found names it and the install', async () => {
      nock(API).get(`/v1/installs/${INSTALL.id}`).reply(200, INSTALL).get(`${BACKUPS}/${BACKUP_ID}`).reply(404, { message: 'Not Found' })
      const core = await step({ install: INSTALL.id, 'backup-id': BACKUP_ID })
      expect(core.failed).toBe(
        `Backup ${BACKUP_ID} was not found on install mysite. Check backup-id, and that the backup belongs to this install.`
      )
      expect(core.outputs).toMatchObject({ 'install-id': INSTALL.id, 'backup-id': '' })
    })

    it('field errors from the API are all reported', async () => {
      nock(API)
        .get(`/v1/installs/${INSTALL.id}`)
        .reply(200, INSTALL)
        .post(BACKUPS)
        .reply(400, {
          message: 'Invalid Backup',
          errors: [{ resource: 'Backup', field: 'description', type: 'invalid_value', code: 'too_long', message: 'is too long' }]
        })
      const core = await step({ install: INSTALL.id })
      expect(core.failed).toBe('WP Engine refused to request a backup of install mysite (400: Invalid Backup). description: is too long')
    })
  })

  describe('run: resilience', () => {
    it('a POST whose answer is lost after the backup was made: adopted, one POST, exactly one backup', async () => {
      const made: ReturnType<typeof backupAnswer>[] = []
      const api = nock(API)
        .get(`/v1/installs/${INSTALL.id}`)
        .reply(200, INSTALL)
        .post(BACKUPS, (body) => {
          made.push(backupAnswer('requested', { description: body.description }))
          return true
        })
        .reply(504, { message: 'Gateway Timeout' })
        .get(BACKUPS)
        .query({ limit: 100, offset: 0 })
        .reply(200, () => ({ count: made.length, next: null, previous: null, results: made }))
        .get(`${BACKUPS}/${BACKUP_ID}`)
        .reply(200, () => ({ ...made[0], status: 'completed', complete_time: '2026-01-01T00:01:00Z' }))
      const core = await step({ install: INSTALL.id })
      api.done()
      expect(made).toHaveLength(1)
      expect(core.failed).toBeUndefined()
      expect(core.outputs['backup-id']).toBe(BACKUP_ID)
      // Resolved, so a line in the log and no warning annotation on a green run.
      expect(core.warnings).toEqual([])
      expect(core.log.join('\n')).toContain(
        `WP Engine's answer was lost while trying to request a backup of install mysite (HTTP 504 "Gateway Timeout")`
      )
    })
  })

  describe('run: cancellation', () => {
    // That the runner's signals reach the bundled action and end its process: bundle/cancel.test.ts.
    it.each(['SIGTERM', 'SIGINT'] as const)(
      'by %s: writes what it knows and fails with one line saying the backup keeps running',
      async (signal) => {
        const signals = new EventEmitter()
        const clock = new FakeClock()
        let cancelled = false
        nock(API)
          .get(`/v1/installs/${INSTALL.id}`)
          .reply(200, INSTALL)
          .post(BACKUPS)
          .reply(202, backupAnswer('requested'))
          .get(`${BACKUPS}/${BACKUP_ID}`)
          .reply(200, backupAnswer('in_progress'))
          .get(`${BACKUPS}/${BACKUP_ID}`)
          .reply(200, () => {
            signals.emit(signal)
            return backupAnswer('in_progress')
          })
        const core = await step({ install: INSTALL.id }, { clock, signals, onCancelled: () => (cancelled = true) })
        expect(cancelled).toBe(true)
        expect(core.outputs).toMatchObject({ 'backup-id': BACKUP_ID, status: 'in_progress', 'install-name': 'mysite' })
        expect(core.failed).toBe(
          `The step was cancelled while waiting for backup ${BACKUP_ID}. The backup keeps running on WP Engine: to wait for it later, run this action with backup-id: ${BACKUP_ID}.`
        )
        expect(core.warnings).toEqual([])
        expect(core.summaries[0]).toContain('## ⚠️ WP Engine backup step cancelled')
        expect(signals.listenerCount('SIGTERM')).toBe(0)
        expect(signals.listenerCount('SIGINT')).toBe(0)
      }
    )
  })
})

describe('against the simulator', () => {
  const bed = useTurnBed()
  const CERT = join(ROOT, '__tests__', 'fixtures', 'localhost-cert.pem')
  const TLS = { cert: readFileSync(CERT), key: readFileSync(join(ROOT, '__tests__', 'fixtures', 'localhost-key.pem')) }
  const errorLines = (core: RecordingCore) => core.log.filter((line) => line.startsWith('::error::'))

  /** The step against a fresh simulator; whatever happens, neither the password nor the Basic token shows. */
  async function checked(
    inputs: Record<string, string>,
    { env = {}, options = {}, arrange }: { env?: Record<string, string>; options?: SimOptions; arrange?: (s: Simulator) => void } = {}
  ) {
    const { sim, backup } = await bed(options)
    arrange?.(sim)
    // A password from the environment only, as the runner passes a secret that way.
    const credentials: Record<string, string> = env.WPENGINE_PASSWORD === undefined ? {} : { 'api-password': '' }
    const { core } = await backup({ ...credentials, ...inputs }, { env })
    expectNoCredentialsIn([core.visibleText, ...core.summaries, JSON.stringify(core.outputs)], credentialsOf(sim, env))
    return { sim, core }
  }

  it('bad credentials: one line about credentials and API access, after one request; the password given stays masked', async () => {
    const { sim, core } = await checked({ install: INSTALL.id }, { env: { WPENGINE_PASSWORD: 'wrong-password' } })
    expect(core.failed).toMatch(/^WP Engine did not accept the API credentials \(401: Bad Credentials\)\. Check api-user-id/)
    expect(errorLines(core)).toHaveLength(1)
    expect(sim.requests).toHaveLength(1)
    expect(core.secrets).toContain('wrong-password')
    expect(core.visibleText).not.toContain('wrong-password')
    expect(core.text).not.toMatch(/\n\s+at /)
  })

  it('503, 503, 200 while resolving: retried; a log line for the first retry, and one debug line per request (method, path, status, time, decision), never a secret', async () => {
    const { sim, core } = await checked(
      { install: INSTALL.id, wait: 'false' },
      { arrange: (s) => s.fault({ method: 'GET', path: /^\/installs\/[^/]+$/, type: '503', times: 2 }) }
    )
    expect(core.failed).toBeUndefined()
    expect(count(sim, 'GET', new RegExp(`^/installs/${INSTALL.id}$`))).toBe(3)
    // Two retries: the log hears of the first; more only if the API kept failing for a minute.
    expect(core.log.filter((l) => l.includes('retrying in') && !l.startsWith('::debug::'))).toHaveLength(1)
    expect(core.debugs).toEqual([
      expect.stringMatching(new RegExp(`^GET /installs/${INSTALL.id} → 503 in \\d+ ms; retrying in [\\d.]+m?s$`)),
      expect.stringMatching(new RegExp(`^GET /installs/${INSTALL.id} → 503 in \\d+ ms; retrying in [\\d.]+m?s$`)),
      expect.stringMatching(new RegExp(`^GET /installs/${INSTALL.id} → 200 in \\d+ ms$`)),
      expect.stringMatching(new RegExp(`^POST /installs/${INSTALL.id}/backups → 202 in \\d+ ms$`))
    ])
    expect(core.debugs.join('\n')).not.toMatch(/authorization|basic |ops@example\.com/i)
  })

  it('over https with a certificate Node does not trust: one clear line, no retries, nothing received', async () => {
    const { sim, core } = await checked({ install: INSTALL.id }, { options: { tls: TLS } })
    expect(sim.url).toMatch(/^https:/)
    expect(core.failed).toBe(
      `Could not make a trusted TLS connection to ${new URL(sim.url).origin} to get install ${INSTALL.id} (DEPTH_ZERO_SELF_SIGNED_CERT). If the runner is behind a TLS-inspecting proxy, give Node its CA certificate with NODE_EXTRA_CA_CERTS; otherwise check api-url.`
    )
    expect(core.text).not.toContain('retrying')
    expect(sim.requests).toHaveLength(0)
  })

  it('a failure outside the normal paths (outputs that cannot be written) is still one line, no stack trace', async () => {
    const { sim, clock, send } = await bed()
    // What @actions/core throws on setOutput when GITHUB_OUTPUT names no file.
    class UnwritableOutputs extends RecordingCore {
      override setOutput(): void {
        throw new Error('Missing file at path: /nonexistent/output')
      }
    }
    const core = new UnwritableOutputs({
      install: INSTALL.id,
      wait: 'false',
      'notification-emails': 'ops@example.com',
      'api-url': sim.url,
      'api-user-id': sim.credentials.userId,
      'api-password': sim.credentials.password
    })
    await run({ core, env: {}, context: RUN_CONTEXT, clock, send })
    expect(core.failed).toBe('Unexpected failure: Missing file at path: /nonexistent/output')
    expect(errorLines(core)).toHaveLength(1)
    expect(core.text).not.toMatch(/\n\s+at /)
    expect(count(sim, 'POST', /\/backups$/)).toBe(1)
  })
})

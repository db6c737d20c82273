import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import nock from 'nock'
import { WpeClient, type ClientOptions } from '../../../src/wpengine/client.js'
import { CancelledError, WpeApiError } from '../../../src/wpengine/errors.js'
import { createNodeSend, type Send } from '../../../src/wpengine/http.js'
import { ProxyConfigError } from '../../../src/wpengine/proxy.js'
import { RetryBudget } from '../../../src/wpengine/retry.js'
import {
  API,
  BACKUP_ID,
  BACKUP_PATH,
  backupAnswer,
  BASIC,
  CREDS,
  FakeClock,
  INSTALL,
  rejection,
  useNock,
  nockClient
} from '../../support/helpers.js'

const BACKUP = backupAnswer('requested')
/** BACKUP as the client hands it on: a null time is an absent one. */
const DECODED = { ...BACKUP, complete_time: undefined }

const transport = createNodeSend()

function setup(overrides: Partial<ClientOptions> = {}) {
  const clock = new FakeClock()
  const retries: string[] = []
  const client = nockClient({ send: transport, clock, onRetry: (message) => retries.push(message), ...overrides })
  return { clock, client, retries }
}

async function failure(promise: Promise<unknown>): Promise<WpeApiError> {
  const error = await rejection(promise)
  expect(error).toBeInstanceOf(WpeApiError)
  return error as WpeApiError
}

useNock(nock, { beforeAll, afterEach, afterAll })
afterAll(() => transport.close())

describe('WpeClient requests', () => {
  it('sends Basic auth, JSON accept and a user agent to the documented path', async () => {
    const scope = nock(API, { reqheaders: { authorization: BASIC, accept: 'application/json', 'user-agent': /wpengine-backup-action/ } })
      .get(BACKUP_PATH)
      .reply(200, BACKUP)
    const { client } = setup()
    await expect(client.getBackup(INSTALL, BACKUP_ID)).resolves.toEqual(DECODED)
    scope.done()
  })

  it('encodes values into single path segments, so no value can change the path', async () => {
    const scope = nock(API).get(`/v1/installs/${INSTALL.id}/backups/..%2F..%2Fuser%3Fx%3D1`).reply(404, { message: 'Not Found' })
    const { client } = setup()
    expect((await failure(client.getBackup(INSTALL, '../../user?x=1'))).status).toBe(404)
    scope.done()
  })

  it('posts the backup body as JSON', async () => {
    const body = { description: 'Pre-deploy', notification_emails: ['ops@example.com'] }
    const scope = nock(API, { reqheaders: { 'content-type': 'application/json' } })
      .post(`/v1/installs/${INSTALL.id}/backups`, body)
      .reply(202, BACKUP)
    await setup().client.createBackup(INSTALL, body)
    scope.done()
  })
})

describe('WpeClient: purgeCache', () => {
  const PURGE = `/v1/installs/${INSTALL.id}/purge_cache`

  it('posts the type and reads nothing of the 202', async () => {
    const scope = nock(API, { reqheaders: { 'content-type': 'application/json' } })
      .post(PURGE, { type: 'page' })
      .reply(202, 'not json')
    await expect(setup().client.purgeCache(INSTALL, 'page')).resolves.toBeUndefined()
    scope.done()
  })

  it("sends it once: a 429 comes back at once, with the API's Retry-After", async () => {
    const scope = nock(API).post(PURGE).reply(429, { message: 'Too Many Requests' }, { 'Retry-After': '42' })
    const { client, clock } = setup()
    const error = await failure(client.purgeCache(INSTALL, 'all'))
    scope.done()
    expect(clock.sleeps).toEqual([])
    expect(error.detail).toMatchObject({ status: 429, retryAfterMs: 42_000, attempts: 1 })
    expect(error.message).toContain('refused to purge the caches of install mysite')
  })

  it('a 429 without Retry-After carries no wait of its own', async () => {
    const scope = nock(API).post(PURGE).reply(429, { message: 'Too Many Requests' })
    const error = await failure(setup().client.purgeCache(INSTALL, 'object'))
    scope.done()
    expect(error.detail.retryAfterMs).toBeUndefined()
  })
})

describe('WpeClient: read-only (a dry run)', () => {
  it('reads, but refuses every request that could change something before it is sent', async () => {
    const scope = nock(API).get(BACKUP_PATH).reply(200, BACKUP)
    const { client } = setup({ readOnly: true })
    await expect(client.getBackup(INSTALL, BACKUP_ID)).resolves.toEqual(DECODED)
    scope.done()
    // No interceptor: a request that left would fail differently (nock refuses it as unmatched).
    await expect(client.createBackup(INSTALL, { description: 'd', notification_emails: [] })).rejects.toThrow(
      `A read-only client may not request a backup of install ${INSTALL.name} (POST).`
    )
    await expect(client.createArchive(INSTALL, { backup_id: BACKUP_ID, notification_emails: [] })).rejects.toThrow(/\(POST\)\.$/)
    await expect(
      client.restoreBackup(INSTALL, BACKUP_ID, { notification_emails: [], restore_database: true, create_checkpoint: true })
    ).rejects.toThrow(/\(POST\)\.$/)
    await expect(client.purgeCache(INSTALL, 'all')).rejects.toThrow(/\(POST\)\.$/)
  })
})

describe('WpeClient retries', () => {
  it('503, 503, 200: three requests, two backoffs with full jitter', async () => {
    const scope = nock(API).get(BACKUP_PATH).reply(503).get(BACKUP_PATH).reply(503).get(BACKUP_PATH).reply(200, BACKUP)
    const { client, clock, retries } = setup()
    await expect(client.getBackup(INSTALL, BACKUP_ID)).resolves.toEqual(DECODED)
    scope.done()
    expect(clock.sleeps).toEqual([500, 1000])
    // The log hears of the first retry; more only once the API has failed for a minute.
    expect(retries).toEqual([
      `HTTP 503 while trying to get backup ${BACKUP_ID} of install mysite; retrying in 0.5s, for up to 5m while it keeps failing.`
    ])
  })

  it('429 with Retry-After: 7, then 200: waits the 7 seconds the API asked for', async () => {
    const scope = nock(API)
      .get(BACKUP_PATH)
      .reply(429, { message: 'Too Many Requests' }, { 'Retry-After': '7' })
      .get(BACKUP_PATH)
      .reply(200, BACKUP)
    const { client, clock } = setup()
    await client.getBackup(INSTALL, BACKUP_ID)
    scope.done()
    expect(clock.sleeps).toEqual([7000])
  })

  it('honours Retry-After as an HTTP date', async () => {
    const { client, clock } = setup()
    const when = new Date(clock.now() + 12_000).toUTCString()
    const scope = nock(API).get(BACKUP_PATH).reply(503, '', { 'Retry-After': when }).get(BACKUP_PATH).reply(200, BACKUP)
    await client.getBackup(INSTALL, BACKUP_ID)
    scope.done()
    expect(clock.sleeps).toEqual([12_000])
  })

  it('fails at once, naming the wait, when Retry-After reaches past the step timeout', async () => {
    const { client, clock } = setup({ deadline: Date.UTC(2026, 0, 1) + 60_000 })
    const scope = nock(API).get(BACKUP_PATH).reply(429, {}, { 'Retry-After': '120' })
    const error = await failure(client.getBackup(INSTALL, BACKUP_ID))
    scope.done()
    expect(clock.sleeps).toEqual([])
    expect(error.message).toMatch(/asked to wait 2m .*Retry-After.*more than the 1m left/)
    // Waiting on within this step cannot help, so a waiter must not treat it as passing.
    expect(error.detail.transient).toBe(false)
  })

  it('connection reset, then 200: retried', async () => {
    const scope = nock(API)
      .get(BACKUP_PATH)
      .replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))
      .get(BACKUP_PATH)
      .reply(200, BACKUP)
    const { client, retries } = setup()
    await client.getBackup(INSTALL, BACKUP_ID)
    scope.done()
    expect(retries[0]).toContain('network error ECONNRESET')
  })

  it('an answer that takes longer than the attempt time limit is abandoned and retried', async () => {
    const scope = nock(API)
      .get(BACKUP_PATH)
      .delay(400)
      .reply(200, BACKUP)
      .get(BACKUP_PATH)
      .reply(200, { ...BACKUP, status: 'completed' })
    const { client, retries } = setup({ attemptTimeoutMs: 100 })
    await expect(client.getBackup(INSTALL, BACKUP_ID)).resolves.toMatchObject({ status: 'completed' })
    scope.done()
    expect(retries[0]).toContain('no answer in time')
  })

  it('a 2xx that is not JSON is retried for a GET', async () => {
    const scope = nock(API).get(BACKUP_PATH).reply(200, '{"id": ').get(BACKUP_PATH).reply(200, BACKUP)
    await setup().client.getBackup(INSTALL, BACKUP_ID)
    scope.done()
  })

  it('an answer that breaks the documented shape is not trusted: asked for once more, in case it was a glitch', async () => {
    const hostile = { ...BACKUP, id: 'x\n::add-mask::oops' }
    const scope = nock(API).get(BACKUP_PATH).reply(200, hostile).get(BACKUP_PATH).reply(200, BACKUP)
    const { client, retries } = setup()
    await expect(client.getBackup(INSTALL, BACKUP_ID)).resolves.toEqual(DECODED)
    scope.done()
    expect(retries[0]).toMatch(
      /^an answer that does not fit the API's description \(backup id 'x : :add-mask: :oops' is not a UUID\) while trying to get backup .*; asking once more in \d\.\ds\.$/
    )
  })

  it.each([
    ['a page that is not a list', '/v1/installs?limit=100&offset=0', { results: { id: 1 }, next: null }, 'GET /installs'],
    ['a backup whose status is a number', BACKUP_PATH, { id: BACKUP_ID, status: 3 }, 'GET /installs/{install_id}/backups/{backup_id}'],
    [
      'another install than the one asked for',
      `/v1/installs/${INSTALL.id}`,
      { id: BACKUP_ID, name: 'other' },
      'GET /installs/{install_id}'
    ],
    ['a user without an id', '/v1/user', { first_name: 'Demo' }, 'GET /user']
  ])(
    'an answer that parses but does not fit (%s) is not an outage: asked for once more, then one line naming the route and the field',
    async (_label, path, body, endpoint) => {
      // However much patience is left, the same misfit twice ends it.
      const scope = nock(API).get(path).times(2).reply(200, body)
      const { client, clock } = setup()
      const start = clock.now()
      const call =
        path === BACKUP_PATH
          ? client.getBackup(INSTALL, BACKUP_ID)
          : path.includes('?')
            ? client.listInstalls(0)
            : path === '/v1/user'
              ? client.getUser()
              : client.getInstall(INSTALL.id)
      const error = await failure(call)
      scope.done()
      expect(error.detail).toMatchObject({ kind: 'misfit', attempts: 2, transient: false, endpoint })
      expect(clock.now() - start).toBeLessThan(1_000)
      expect(error.message).toMatch(
        new RegExp(
          `^WP Engine's answer to ${endpoint.replace(/[{}]/g, '\\$&')} \\(to [^)]+\\) does not fit the API's description, also when asked again: (results is an object, not a list|backup status is a number, not a status|install id is ${BACKUP_ID}, not ${INSTALL.id}, which was asked for|user id is missing, not an id)\\. The API answers this way every time, so the step stops rather than wait; if it persists, report it to WP Engine support\\.$`
        )
      )
    }
  )

  it('a field that is only shown and does not fit: used without it (or with a placeholder), one warning per route and field', async () => {
    const odd = { id: INSTALL.id, name: 42, environment: ['production'] }
    nock(API).get(`/v1/installs/${INSTALL.id}`).times(2).reply(200, odd)
    nock(API)
      .get(BACKUP_PATH)
      .times(2)
      .reply(200, { ...BACKUP, description: { text: 'x' }, wordpress_version: 6.8, create_time: 'yesterday' })
    const warnings: string[] = []
    const { client } = setup({ onWarning: (message) => warnings.push(message) })
    for (let i = 0; i < 2; i++) {
      await expect(client.getInstall(INSTALL.id)).resolves.toEqual({ id: INSTALL.id, name: 'unnamed-294deacc', unnamed: true })
      await expect(client.getBackup(INSTALL, BACKUP_ID)).resolves.toEqual({ id: BACKUP_ID, status: 'requested' })
    }
    expect(warnings).toEqual([
      "WP Engine's answer to GET /installs/{install_id} gives the install environment as a list, which does not fit the API's description; carrying on without it.",
      "WP Engine's answer to GET /installs/{install_id} gives the install name as a number, which does not fit the API's description; carrying on showing unnamed-294deacc in its place.",
      "WP Engine's answer to GET /installs/{install_id}/backups/{backup_id} gives the backup description as an object, which does not fit the API's description; carrying on without it.",
      "WP Engine's answer to GET /installs/{install_id}/backups/{backup_id} gives the backup create_time as 'yesterday', which does not fit the API's description; carrying on without it.",
      "WP Engine's answer to GET /installs/{install_id}/backups/{backup_id} gives the backup wordpress_version as a number, which does not fit the API's description; carrying on without it."
    ])
  })

  it('retries for the patience, telling the log about once a minute, then gives up with how long the API failed and its last answer', async () => {
    const scope = nock(API).get(BACKUP_PATH).times(1_000).reply(502, { message: 'Bad Gateway' })
    const { client, clock, retries } = setup()
    const start = clock.now()
    const error = await failure(client.getBackup(INSTALL, BACKUP_ID))
    scope.persist(false)
    nock.cleanAll()
    // The last retry starts within the 5-minute patience; the step ends within one backoff (30 s at most) after.
    expect(clock.now() - start).toBeGreaterThanOrEqual(5 * 60_000)
    expect(clock.now() - start).toBeLessThan(5 * 60_000 + 30_000)
    expect(error.message).toMatch(
      new RegExp(
        `^WP Engine failed to get backup ${BACKUP_ID} of install mysite \\(502: Bad Gateway\\) for 5m( \\d+s)? \\((\\d+) attempts\\)\\. The API may be having problems; re-run the job later\\.$`
      )
    )
    // Backoff capped at 30 s with jitter: a handful of requests a minute, not hundreds.
    expect(error.detail.attempts).toBeGreaterThan(10)
    expect(error.detail.attempts).toBeLessThan(40)
    expect(error.detail).toMatchObject({ transient: true })
    expect(retries.length).toBeGreaterThanOrEqual(5)
    expect(retries.length).toBeLessThanOrEqual(6)
    expect(retries[1]).toMatch(
      /^The WP Engine API has been failing for 1m( \d+s)? while trying to get backup .* \(last: HTTP 502 "Bad Gateway"\); still trying, for up to [34]m( \d+s)? more\.$/
    )
  })

  it("a 500 that says why: the API's message in the first retry line, every line after it and the failure line, bounded and safe", async () => {
    const said = `Forbidden: API access is disabled for this account\n::error::${'x'.repeat(1_000)}`
    const scope = nock(API).get(BACKUP_PATH).times(1_000).reply(500, { message: said })
    const { client, retries } = setup()
    const error = await failure(client.getBackup(INSTALL, BACKUP_ID))
    scope.persist(false)
    nock.cleanAll()
    const quoted = 'Forbidden: API access is disabled for this account : :error: :x'
    expect(retries[0]).toMatch(new RegExp(`^HTTP 500 "${quoted}x+…" while trying to get backup ${BACKUP_ID} of install mysite; retrying`))
    for (const line of [...retries, error.message]) {
      expect(line).toContain(quoted)
      expect(line).not.toMatch(/::|\n|x{300}/)
    }
    expect(error.message).toMatch(
      new RegExp(`^WP Engine failed to get backup ${BACKUP_ID} of install mysite \\(500: ${quoted}x+…\\) for 5m`)
    )
  })

  it('a spent step-wide retry budget slows retries down to what it earns back, rather than giving up', async () => {
    const scope = nock(API).get(BACKUP_PATH).times(3).reply(503).get(BACKUP_PATH).reply(200, BACKUP)
    const { client, clock } = setup({ budget: new RetryBudget(5) })
    await client.getBackup(INSTALL, BACKUP_ID)
    scope.done()
    // 5 tokens pay for the first retry; each next one waits for 5 tokens at 30 a minute: 10 s, less what came back meanwhile.
    expect(clock.sleeps[0]).toBe(500)
    for (const sleep of clock.sleeps.slice(1)) {
      expect(sleep).toBeGreaterThanOrEqual(9_000)
      expect(sleep).toBeLessThanOrEqual(10_000)
    }
  })

  it('without a retry budget (budget: false), each retry waits its backoff alone', async () => {
    const scope = nock(API).get(BACKUP_PATH).times(3).reply(503).get(BACKUP_PATH).reply(200, BACKUP)
    const { client, clock } = setup({ budget: false })
    await client.getBackup(INSTALL, BACKUP_ID)
    scope.done()
    // The same three 503s that a budget of 5 tokens spaces 10 s apart: full jitter at 0.5 of 1, 2 and 4 s.
    expect(clock.sleeps).toEqual([500, 1_000, 2_000])
  })

  it('uses its defaults for options passed as undefined', async () => {
    const scope = nock(API).get(BACKUP_PATH).reply(503).get(BACKUP_PATH).reply(200, BACKUP)
    const { client, clock } = setup({ random: undefined, patienceMs: undefined, budget: undefined })
    await client.getBackup(INSTALL, BACKUP_ID)
    scope.done()
    expect(clock.sleeps[0]).toBeLessThan(1_000)
  })

  it('a deadline a fraction of a millisecond away from a whole one still gets its request sent', async () => {
    const scope = nock(API).get(BACKUP_PATH).reply(200, BACKUP)
    const clock = new FakeClock(Date.UTC(2026, 0, 1) + 0.5)
    const { client } = setup({ clock, deadline: clock.now() + 10_000.25 })
    await expect(client.getBackup(INSTALL, BACKUP_ID)).resolves.toEqual(DECODED)
    scope.done()
  })

  it('sends nothing once the deadline has passed', async () => {
    const clock = new FakeClock()
    const { client } = setup({ clock, deadline: clock.now() - 1 })
    const error = await failure(client.getBackup(INSTALL, BACKUP_ID))
    expect(error.detail.kind).toBe('deadline')
    expect(error.message).toContain("The step's timeout ran out while trying to get backup")
  })

  it('never sleeps past the deadline', async () => {
    const clock = new FakeClock()
    const scope = nock(API).get(BACKUP_PATH).reply(503)
    const error = await failure(setup({ clock, deadline: clock.now() + 100, random: () => 0.99 }).client.getBackup(INSTALL, BACKUP_ID))
    scope.done()
    expect(clock.sleeps).toEqual([])
    expect(error.detail).toMatchObject({ kind: 'deadline', status: 503 })
    expect(error.message).toContain('last answer: HTTP 503')
  })

  it('stops at once when the step is cancelled during a backoff', async () => {
    const cancel = new AbortController()
    const clock = new FakeClock()
    clock.sleep = async () => {
      cancel.abort(new CancelledError())
      throw new CancelledError()
    }
    nock(API).get(BACKUP_PATH).reply(503)
    await expect(setup({ clock, signal: cancel.signal }).client.getBackup(INSTALL, BACKUP_ID)).rejects.toBeInstanceOf(CancelledError)
  })
})

describe('WpeClient never retries what cannot pass', () => {
  it.each([400, 401, 403, 404, 409, 422])('%d: exactly one request', async (status) => {
    const scope = nock(API).get(BACKUP_PATH).reply(status, { message: 'no' })
    const error = await failure(setup().client.getBackup(INSTALL, BACKUP_ID))
    scope.done()
    expect(error.status).toBe(status)
    expect(error.detail).toMatchObject({ transient: false, attempts: 1 })
  })

  it('401 says to check the credentials and that API access must be enabled', async () => {
    nock(API).get('/v1/user').reply(401, { message: 'Bad Credentials' })
    const error = await failure(setup().client.getUser())
    expect(error.message).toBe(
      'WP Engine did not accept the API credentials (401: Bad Credentials). Check api-user-id and api-password (or WPENGINE_USER_ID and WPENGINE_PASSWORD), and that API access is enabled for the account: https://my.wpengine.com/api_access'
    )
  })

  it('403 speaks of permission', async () => {
    nock(API).post(`/v1/installs/${INSTALL.id}/backups`).reply(403, { message: "You don't have permission to perform that action" })
    const error = await failure(setup().client.createBackup(INSTALL, { description: 'd', notification_emails: ['a@b.co'] }))
    expect(error.message).toMatch(/^The API user is not allowed to request a backup of install mysite \(403: You don't have permission/)
  })

  it('403 Missing Authentication Token is the gateway saying there is no such route: one request, never blamed on access', async () => {
    const scope = nock(API).get(`/v1/installs/${INSTALL.id}/backups`).query(true).reply(403, { message: 'Missing Authentication Token' })
    const error = await failure(setup().client.listBackups(INSTALL, 0))
    scope.done()
    expect(error.detail).toMatchObject({
      kind: 'no-route',
      endpoint: 'GET /installs/{install_id}/backups',
      feature: 'the list of backups',
      transient: false,
      attempts: 1
    })
    expect(error.message).toBe(
      "The WP Engine API at https://api.wpengineapi.com does not offer the list of backups (GET /installs/{install_id}/backups answered 403 Missing Authentication Token, the API gateway's answer for a route it does not have): this endpoint is not available from the API, which may be an older version than the one that added it. Nothing was done by this request."
    )
  })

  it.each(['https://api.wpengineapi.com', 'https://api.wpengineapi.com/v2/'])(
    '403 Missing Authentication Token with api-url %s: says the path does not end in /v1',
    async (apiUrl) => {
      const path = `${new URL(apiUrl).pathname.replace(/\/+$/, '')}/installs/${INSTALL.id}`
      nock(API).get(path).reply(403, { message: 'Missing Authentication Token' })
      const error = await failure(setup({ apiUrl: new URL(apiUrl) }).client.getInstall(INSTALL.id))
      expect(error.message).toMatch(/^The WP Engine API has no route for installs by id at https:\/\/api\.wpengineapi\.com(\/v2)? \(/)
      expect(error.message).toContain(
        "api-url's path does not end in /v1, where the API's routes are. Check api-url: WP Engine's own is https://api.wpengineapi.com/v1, the default when api-url is left out."
      )
      expect(error.message).not.toMatch(/allowed|access/)
    }
  )

  it("400 gives the API's message and every field-level message", async () => {
    nock(API)
      .post(`/v1/installs/${INSTALL.id}/backups`)
      .reply(400, {
        message: 'Invalid Backup',
        errors: [
          {
            resource: 'Backup',
            field: 'notification_emails',
            type: 'invalid_value',
            code: 'invalid',
            message: 'bad@ is not a valid email'
          },
          {
            resource: 'Backup',
            field: 'description',
            type: 'invalid_value',
            code: 'too_long',
            message: 'is too long (maximum is 255 characters)'
          }
        ]
      })
    const error = await failure(setup().client.createBackup(INSTALL, { description: 'd', notification_emails: ['bad@'] }))
    expect(error.message).toBe(
      'WP Engine refused to request a backup of install mysite (400: Invalid Backup). notification_emails: bad@ is not a valid email; description: is too long (maximum is 255 characters)'
    )
  })

  it('server text cannot inject workflow commands or extra lines', async () => {
    nock(API)
      .get(BACKUP_PATH)
      .reply(400, { message: 'x\n::add-mask::oops', errors: [{ field: 'f', message: '::set-output name=status::completed' }] })
    const error = await failure(setup().client.getBackup(INSTALL, BACKUP_ID))
    expect(error.message).not.toMatch(/::|\n/)
  })

  it('a long non-JSON error page is quoted, cut short', async () => {
    nock(API)
      .get(BACKUP_PATH)
      .reply(418, `<html>${'x'.repeat(5000)}</html>`)
    const error = await failure(setup().client.getBackup(INSTALL, BACKUP_ID))
    expect(error.message.length).toBeLessThan(400)
  })

  it('does not follow a redirect, so credentials never reach another host', async () => {
    const elsewhere = nock('https://evil.example.com').get(/.*/).reply(200, BACKUP)
    nock(API).get(BACKUP_PATH).reply(302, '', { Location: 'https://evil.example.com/steal' })
    const error = await failure(setup().client.getBackup(INSTALL, BACKUP_ID))
    expect(error.message).toContain('with a redirect (302 to https://evil.example.com/steal); it was not followed')
    expect(error.detail).toMatchObject({ kind: 'redirect', status: 302, transient: false, attempts: 1 })
    expect(elsewhere.isDone()).toBe(false)
  })
})

describe('WpeClient POST: exactly-once rules', () => {
  const path = `/v1/installs/${INSTALL.id}/backups`
  const body = { description: 'd', notification_emails: ['a@b.co'] }

  it('429 is retried: the rate limiter turned the request away', async () => {
    const scope = nock(API).post(path).reply(429).post(path).reply(202, BACKUP)
    await setup().client.createBackup(INSTALL, body)
    scope.done()
  })

  it.each([500, 502, 503, 504])('%d is not resent but reported as ambiguous', async (status) => {
    const scope = nock(API).post(path).reply(status)
    const error = await failure(setup().client.createBackup(INSTALL, body))
    scope.done()
    expect(error.detail).toMatchObject({ ambiguous: true, attempts: 1 })
    expect(error.message).toContain('WP Engine may or may not have acted on it')
  })

  it('a POST with no answer in time is ambiguous, not resent', async () => {
    const scope = nock(API).post(path).delay(400).reply(202, BACKUP)
    const error = await failure(setup({ attemptTimeoutMs: 100 }).client.createBackup(INSTALL, body))
    scope.done()
    expect(error.detail).toMatchObject({ kind: 'timeout', ambiguous: true, attempts: 1 })
  })

  it('a 202 whose body breaks the documented shape is ambiguous: the backup may exist', async () => {
    const scope = nock(API).post(path).reply(202, { id: 'not-a-uuid', status: 'requested' })
    const error = await failure(setup().client.createBackup(INSTALL, body))
    scope.done()
    expect(error.detail).toMatchObject({ kind: 'misfit', ambiguous: true, attempts: 1 })
  })

  it('a refused connection is resent: nothing reached the API', async () => {
    const clock = new FakeClock()
    // Port 1 on loopback refuses connections: a real ECONNREFUSED, not a simulated one.
    nock.enableNetConnect('127.0.0.1:1')
    const error = await failure(
      new WpeClient({
        apiUrl: new URL('http://127.0.0.1:1/v1'),
        ...CREDS,
        send: transport,
        clock,
        deadline: clock.now() + 60_000,
        random: () => 0,
        patienceMs: 0
      }).createBackup(INSTALL, body)
    )
    nock.disableNetConnect()
    expect(error.detail).toMatchObject({ kind: 'network', code: 'ECONNREFUSED', ambiguous: false, attempts: 1 })
    expect(error.message).toContain('Could not reach the WP Engine API at http://127.0.0.1:1')
  })
})

describe('WpeClient: requests in flight (max-parallel)', () => {
  it('holds a slot only while a request is in flight, never during a backoff', async () => {
    let releaseBackoff: () => void = () => {}
    const clock = new FakeClock()
    const backoffClock = { now: () => clock.now(), sleep: () => new Promise<void>((resolve) => (releaseBackoff = resolve)) }
    const statuses = [503, 200, 200]
    const inFlight = { now: 0, max: 0 }
    const send = async () => {
      inFlight.max = Math.max(inFlight.max, ++inFlight.now)
      await new Promise((resolve) => setTimeout(resolve, 5))
      inFlight.now--
      const status = statuses.shift() ?? 500
      return { status, headers: {}, body: JSON.stringify(status === 200 ? BACKUP : { message: 'busy' }) }
    }
    const { client } = setup({ send, clock: backoffClock, maxConcurrentRequests: 1 })
    const retried = client.getBackup(INSTALL, BACKUP_ID)
    await new Promise((resolve) => setTimeout(resolve, 20))
    // The first request is now in its backoff: another one gets the only slot and completes.
    await expect(client.getBackup(INSTALL, BACKUP_ID)).resolves.toMatchObject({ id: BACKUP_ID })
    releaseBackoff()
    await expect(retried).resolves.toMatchObject({ id: BACKUP_ID })
    expect(inFlight.max).toBe(1)
  })

  it("starts an attempt's time limit only once it has a slot", async () => {
    const send = (_request: unknown, signal: AbortSignal) =>
      new Promise<{ status: number; headers: Record<string, string>; body: string }>((resolve, reject) => {
        const timer = setTimeout(() => resolve({ status: 200, headers: {}, body: JSON.stringify(BACKUP) }), 60)
        signal.addEventListener('abort', () => (clearTimeout(timer), reject(new Error('aborted'))))
      })
    // Each attempt may take 100 ms; the third request waits 120 ms for a slot, and must not time out for it.
    const { client } = setup({ send, maxConcurrentRequests: 1, attemptTimeoutMs: 100 })
    const results = await Promise.all([1, 2, 3].map(() => client.getBackup(INSTALL, BACKUP_ID)))
    expect(results.map((b) => b.id)).toEqual([BACKUP_ID, BACKUP_ID, BACKUP_ID])
  })
})

// onDebug: one line per attempt, for core.debug — method, path, status or error code, time taken,
// and what happens next; never a header, a body or the host.

const GET_BACKUP = `GET /installs/${INSTALL.id}/backups/${BACKUP_ID}`
const POST_BACKUP = `POST /installs/${INSTALL.id}/backups`

/** A client whose every attempt takes 12 ms of its fake clock, with the debug lines it gave. */
function debugSetup(overrides: Partial<ClientOptions> = {}, send: Send = transport) {
  const clock = new FakeClock()
  const lines: string[] = []
  const timed: Send = (request, signal) => {
    clock.advance(12)
    return send(request, signal)
  }
  const client = nockClient({ send: timed, clock, onDebug: (line) => lines.push(line), ...overrides })
  return { client, lines }
}

describe('WpeClient onDebug', () => {
  it('503, then 200: a line per attempt with status, time and the retry decision', async () => {
    nock(API).get(BACKUP_PATH).reply(503).get(BACKUP_PATH).reply(200, BACKUP)
    const { client, lines } = debugSetup()
    await client.getBackup(INSTALL, BACKUP_ID)
    expect(lines).toEqual([`${GET_BACKUP} → 503 in 12 ms; retrying in 0.5s`, `${GET_BACKUP} → 200 in 12 ms`])
  })

  it('a list request shows its limit and offset', async () => {
    nock(API).get('/v1/installs?limit=100&offset=100').reply(200, { results: [], next: null })
    const { client, lines } = debugSetup()
    await client.listInstalls(100)
    expect(lines).toEqual(['GET /installs?limit=100&offset=100 → 200 in 12 ms'])
  })

  it('a connection reset: the code, whether the request went out, and the retry', async () => {
    nock(API)
      .get(BACKUP_PATH)
      .replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))
      .get(BACKUP_PATH)
      .reply(200, BACKUP)
    const { client, lines } = debugSetup()
    await client.getBackup(INSTALL, BACKUP_ID)
    expect(lines[0]).toMatch(new RegExp(`^${GET_BACKUP} → ECONNRESET after 12 ms \\((sent|not sent)\\); retrying in 0\\.5s$`))
    expect(lines[1]).toBe(`${GET_BACKUP} → 200 in 12 ms`)
  })

  it('an answer too slow for the attempt time limit', async () => {
    nock(API).get(BACKUP_PATH).delay(400).reply(200, BACKUP).get(BACKUP_PATH).reply(200, BACKUP)
    const { client, lines } = debugSetup({ attemptTimeoutMs: 100 })
    await client.getBackup(INSTALL, BACKUP_ID)
    expect(lines[0]).toMatch(new RegExp(`^${GET_BACKUP} → no answer after 12 ms \\(sent\\); retrying in 0\\.5s$`))
  })

  it('the last attempt within the patience gives up, saying how long the API failed', async () => {
    nock(API).get(BACKUP_PATH).times(3).reply(502)
    const { client, lines } = debugSetup({ random: () => 0, patienceMs: 30 })
    await client.getBackup(INSTALL, BACKUP_ID).catch(() => undefined)
    expect(lines).toEqual([
      `${GET_BACKUP} → 502 in 12 ms; retrying in 0.0s`,
      `${GET_BACKUP} → 502 in 12 ms; retrying in 0.0s`,
      `${GET_BACKUP} → 502 in 12 ms; giving up after 3 attempts over 0.0s`
    ])
  })

  it('says why it waits longer or stops early: retry budget, Retry-After past the timeout, a POST that may have been acted on, a redirect', async () => {
    nock(API).get(BACKUP_PATH).times(2).reply(503).get(BACKUP_PATH).reply(200, BACKUP)
    const budget = debugSetup({ budget: new RetryBudget(5) })
    await budget.client.getBackup(INSTALL, BACKUP_ID)
    // The budget paid for one retry at once; the next waits until tokens come back (30 a minute).
    expect(budget.lines[1]).toMatch(new RegExp(`^${GET_BACKUP} → 503 in 12 ms; retrying in 9\\.\\ds$`))

    nock(API).get(BACKUP_PATH).reply(429, '', { 'Retry-After': '120' })
    const later = debugSetup({ deadline: new FakeClock().now() + 60_000 })
    await later.client.getBackup(INSTALL, BACKUP_ID).catch(() => undefined)
    expect(later.lines).toEqual([`${GET_BACKUP} → 429 in 12 ms; giving up: Retry-After 2m is past the step's timeout`])

    nock(API).post(`/v1/installs/${INSTALL.id}/backups`).reply(503)
    const post = debugSetup()
    await post.client.createBackup(INSTALL, { description: 'd', notification_emails: [] }).catch(() => undefined)
    expect(post.lines).toEqual([`${POST_BACKUP} → 503 in 12 ms; not retried: it may have been acted on`])

    nock(API).get(BACKUP_PATH).reply(302, '', { Location: 'https://evil.example.com/steal' })
    const redirect = debugSetup()
    await redirect.client.getBackup(INSTALL, BACKUP_ID).catch(() => undefined)
    expect(redirect.lines).toEqual([`${GET_BACKUP} → 302 in 12 ms; redirect not followed; giving up`])
  })

  it('a failure that is not the network (an unusable proxy variable) is named and not retried', async () => {
    const send: Send = () => Promise.reject(new ProxyConfigError('The proxy variable HTTPS_PROXY is set to …'))
    const { client, lines } = debugSetup({}, send)
    await expect(client.getBackup(INSTALL, BACKUP_ID)).rejects.toBeInstanceOf(ProxyConfigError)
    expect(lines).toEqual([`${GET_BACKUP} → ProxyConfigError after 12 ms; giving up`])
  })

  it('never shows a header, a body, or the host', async () => {
    nock(API)
      .post(`/v1/installs/${INSTALL.id}/backups`)
      .reply(400, { message: 'Invalid Backup', errors: [{ field: 'description', message: 'secret-ish detail' }] })
    const { client, lines } = debugSetup()
    await client.createBackup(INSTALL, { description: 'body text', notification_emails: ['ops@example.com'] }).catch(() => undefined)
    expect(lines).toEqual([`${POST_BACKUP} → 400 in 12 ms; giving up after 1 attempt`])
    const text = lines.join('\n')
    for (const hidden of [CREDS.password, 'Basic', 'body text', 'ops@example.com', 'secret-ish', 'Invalid Backup', 'api.wpengineapi.com'])
      expect(text).not.toContain(hidden)
  })
})

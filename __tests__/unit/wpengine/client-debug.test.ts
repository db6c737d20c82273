import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import nock from 'nock'
import type { ClientOptions } from '../../../src/wpengine/client.js'
import { createNodeSend, type Send } from '../../../src/wpengine/http.js'
import { ProxyConfigError } from '../../../src/wpengine/proxy.js'
import { RetryBudget } from '../../../src/wpengine/retry.js'
import { API, BACKUP_ID, BACKUP_PATH, backupAnswer, CREDS, FakeClock, INSTALL, useNock, nockClient } from '../../support/helpers.js'

// onDebug: one line per attempt, for core.debug — method, path, status or error code, time taken,
// and what happens next; never a header, a body or the host.

const BACKUP = backupAnswer('requested')
const GET_BACKUP = `GET /installs/${INSTALL.id}/backups/${BACKUP_ID}`
const POST_BACKUP = `POST /installs/${INSTALL.id}/backups`

const transport = createNodeSend()

/** A client whose every attempt takes 12 ms of its fake clock, with the debug lines it gave. */
function setup(overrides: Partial<ClientOptions> = {}, send: Send = transport) {
  const clock = new FakeClock()
  const lines: string[] = []
  const timed: Send = (request, signal) => {
    clock.advance(12)
    return send(request, signal)
  }
  const client = nockClient({ send: timed, clock, onDebug: (line) => lines.push(line), ...overrides })
  return { client, lines }
}

useNock(nock, { beforeAll, afterEach, afterAll })
afterAll(() => transport.close())

describe('WpeClient onDebug', () => {
  it('503, then 200: a line per attempt with status, time and the retry decision', async () => {
    nock(API).get(BACKUP_PATH).reply(503).get(BACKUP_PATH).reply(200, BACKUP)
    const { client, lines } = setup()
    await client.getBackup(INSTALL, BACKUP_ID)
    expect(lines).toEqual([`${GET_BACKUP} → 503 in 12 ms; retrying in 0.5s`, `${GET_BACKUP} → 200 in 12 ms`])
  })

  it('a list request shows its limit and offset', async () => {
    nock(API).get('/v1/installs?limit=100&offset=100').reply(200, { results: [], next: null })
    const { client, lines } = setup()
    await client.listInstalls(100)
    expect(lines).toEqual(['GET /installs?limit=100&offset=100 → 200 in 12 ms'])
  })

  it('a connection reset: the code, whether the request went out, and the retry', async () => {
    nock(API)
      .get(BACKUP_PATH)
      .replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))
      .get(BACKUP_PATH)
      .reply(200, BACKUP)
    const { client, lines } = setup()
    await client.getBackup(INSTALL, BACKUP_ID)
    expect(lines[0]).toMatch(new RegExp(`^${GET_BACKUP} → ECONNRESET after 12 ms \\((sent|not sent)\\); retrying in 0\\.5s$`))
    expect(lines[1]).toBe(`${GET_BACKUP} → 200 in 12 ms`)
  })

  it('an answer too slow for the attempt time limit', async () => {
    nock(API).get(BACKUP_PATH).delay(400).reply(200, BACKUP).get(BACKUP_PATH).reply(200, BACKUP)
    const { client, lines } = setup({ attemptTimeoutMs: 100 })
    await client.getBackup(INSTALL, BACKUP_ID)
    expect(lines[0]).toMatch(new RegExp(`^${GET_BACKUP} → no answer after 12 ms \\(sent\\); retrying in 0\\.5s$`))
  })

  it('the last attempt within the patience gives up, saying how long the API failed', async () => {
    nock(API).get(BACKUP_PATH).times(3).reply(502)
    const { client, lines } = setup({ random: () => 0, patienceMs: 30 })
    await client.getBackup(INSTALL, BACKUP_ID).catch(() => undefined)
    expect(lines).toEqual([
      `${GET_BACKUP} → 502 in 12 ms; retrying in 0.0s`,
      `${GET_BACKUP} → 502 in 12 ms; retrying in 0.0s`,
      `${GET_BACKUP} → 502 in 12 ms; giving up after 3 attempts over 0.0s`
    ])
  })

  it('says why it waits longer or stops early: retry budget, Retry-After past the timeout, a POST that may have been acted on, a redirect', async () => {
    nock(API).get(BACKUP_PATH).times(2).reply(503).get(BACKUP_PATH).reply(200, BACKUP)
    const budget = setup({ budget: new RetryBudget(5) })
    await budget.client.getBackup(INSTALL, BACKUP_ID)
    // The budget paid for one retry at once; the next waits until tokens come back (30 a minute).
    expect(budget.lines[1]).toMatch(new RegExp(`^${GET_BACKUP} → 503 in 12 ms; retrying in 9\\.\\ds$`))

    nock(API).get(BACKUP_PATH).reply(429, '', { 'Retry-After': '120' })
    const later = setup({ deadline: new FakeClock().now() + 60_000 })
    await later.client.getBackup(INSTALL, BACKUP_ID).catch(() => undefined)
    expect(later.lines).toEqual([`${GET_BACKUP} → 429 in 12 ms; giving up: Retry-After 2m is past the step's timeout`])

    nock(API).post(`/v1/installs/${INSTALL.id}/backups`).reply(503)
    const post = setup()
    await post.client.createBackup(INSTALL, { description: 'd', notification_emails: [] }).catch(() => undefined)
    expect(post.lines).toEqual([`${POST_BACKUP} → 503 in 12 ms; not retried: it may have been acted on`])

    nock(API).get(BACKUP_PATH).reply(302, '', { Location: 'https://evil.example.com/steal' })
    const redirect = setup()
    await redirect.client.getBackup(INSTALL, BACKUP_ID).catch(() => undefined)
    expect(redirect.lines).toEqual([`${GET_BACKUP} → 302 in 12 ms; redirect not followed; giving up`])
  })

  it('a failure that is not the network (an unusable proxy variable) is named and not retried', async () => {
    const send: Send = () => Promise.reject(new ProxyConfigError('The proxy variable HTTPS_PROXY is set to …'))
    const { client, lines } = setup({}, send)
    await expect(client.getBackup(INSTALL, BACKUP_ID)).rejects.toBeInstanceOf(ProxyConfigError)
    expect(lines).toEqual([`${GET_BACKUP} → ProxyConfigError after 12 ms; giving up`])
  })

  it('never shows a header, a body, or the host', async () => {
    nock(API)
      .post(`/v1/installs/${INSTALL.id}/backups`)
      .reply(400, { message: 'Invalid Backup', errors: [{ field: 'description', message: 'secret-ish detail' }] })
    const { client, lines } = setup()
    await client.createBackup(INSTALL, { description: 'body text', notification_emails: ['ops@example.com'] }).catch(() => undefined)
    expect(lines).toEqual([`${POST_BACKUP} → 400 in 12 ms; giving up after 1 attempt`])
    const text = lines.join('\n')
    for (const hidden of [CREDS.password, 'Basic', 'body text', 'ops@example.com', 'secret-ish', 'Invalid Backup', 'api.wpengineapi.com'])
      expect(text).not.toContain(hidden)
  })
})

import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import nock from 'nock'
import { run } from '../../../src/backup/main.js'
import { runRestore } from '../../../src/restore/main.js'
import { findInstalls } from '../../../src/workflows/find-installs.js'
import { MAX_LINE } from '../../../src/step/output-sink.js'
import { decodeArchive, decodeBackup, decodeInstall } from '../../../src/wpengine/decode.js'
import { WpeApiError } from '../../../src/wpengine/errors.js'
import { createNodeSend } from '../../../src/wpengine/http.js'
import { allItems, MAX_PAGES } from '../../../src/wpengine/pages.js'
import { normalizeStatus } from '../../../src/wpengine/status.js'
import { BACKUP_STATUSES } from '../../../src/wpengine/types.js'
import {
  API,
  BACKUP_ID,
  BACKUP_PATH,
  backupAnswer,
  CREDS,
  FakeClock,
  INSTALL,
  RecordingCore,
  useNock,
  nockClient
} from '../../support/helpers.js'

// The client's door: every answer decoded into checked values before anything else sees it.

const OTHER_ID = '99999999-9999-4999-8999-999999999999'
const INSTALL_PATH = `/v1/installs/${INSTALL.id}`
const CONTEXT = { repository: 'acme/shop', runId: 987654321, runAttempt: 1, job: 'deploy', step: 'backup' }
const transport = createNodeSend()

function client(warnings: string[] = []) {
  const clock = new FakeClock()
  return nockClient({ send: transport, clock, random: () => 0, onWarning: (message) => warnings.push(message) })
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (error) {
    return error as Error
  }
  throw new Error('expected a failure')
}

async function backupStep(inputs: Record<string, string>) {
  const core = new RecordingCore({
    'notification-emails': 'ops@example.com',
    'api-user-id': CREDS.userId,
    'api-password': CREDS.password,
    ...inputs
  })
  await run({ core, env: {}, context: CONTEXT, clock: new FakeClock(), send: transport, random: () => 0 })
  return core
}

async function restoreStep(inputs: Record<string, string>) {
  const core = new RecordingCore({
    'notification-emails': 'ops@example.com',
    'api-user-id': CREDS.userId,
    'api-password': CREDS.password,
    ...inputs
  })
  await runRestore({ core, env: {}, context: CONTEXT, clock: new FakeClock(), send: transport, random: () => 0 })
  return core
}

/** A page of installs as the API sends it. */
const installs = (from: number, count: number) =>
  Array.from({ length: count }, (_, n) => ({
    id: `00000000-0000-4000-8000-${String(from + n).padStart(12, '0')}`,
    name: `site${from + n}`
  }))

useNock(nock, { beforeAll, afterEach, afterAll })
afterAll(() => transport.close())

describe('answers must be the thing asked for', () => {
  it('an install lookup answered with another install: nothing is requested of it', async () => {
    nock(API).persist().get(INSTALL_PATH).reply(200, { id: OTHER_ID, name: 'elsewhere' })
    const core = await backupStep({ install: INSTALL.id })
    // Asked once more in case it was a glitch, then no more: an answer that does not fit is not an outage.
    expect(core.failed).toBe(
      `WP Engine's answer to GET /installs/{install_id} (to get install ${INSTALL.id}) does not fit the API's description, also when asked again: install id is ${OTHER_ID}, not ${INSTALL.id}, which was asked for. The API answers this way every time, so the step stops rather than wait; if it persists, report it to WP Engine support.`
    )
    expect(nock.pendingMocks()).toEqual([])
    expect(core.outputs['install-id']).toBe(INSTALL.id)
    expect(core.outputs['backup-id']).toBe('')
  })

  it("a status check answered with another backup's id is never taken for this step's backup", async () => {
    const error = await failure(
      (() => {
        nock(API)
          .persist()
          .get(BACKUP_PATH)
          .reply(200, backupAnswer('completed', { id: OTHER_ID }))
        return client().getBackup(INSTALL, BACKUP_ID)
      })()
    )
    expect(error).toBeInstanceOf(WpeApiError)
    expect(error.message).toContain(`backup id is ${OTHER_ID}, not ${BACKUP_ID}, which was asked for`)
  })

  it('backup-id whose status check names another backup: the step fails and its outputs keep the backup asked for', async () => {
    nock(API).get(INSTALL_PATH).reply(200, INSTALL)
    nock(API)
      .persist()
      .get(BACKUP_PATH)
      .reply(200, backupAnswer('completed', { id: OTHER_ID }))
    const core = await backupStep({ install: INSTALL.id, 'backup-id': BACKUP_ID })
    expect(core.failed).toContain(`backup id is ${OTHER_ID}, not ${BACKUP_ID}`)
    expect(core.text).not.toContain(`Backup ${OTHER_ID}`)
    expect(core.outputs['backup-id']).toBe('')
  })

  it("restore: a check of the backup answered with another backup's id sends no restore at all", async () => {
    nock(API).get(INSTALL_PATH).reply(200, INSTALL)
    nock(API)
      .persist()
      .get(BACKUP_PATH)
      .reply(200, backupAnswer('completed', { id: OTHER_ID }))
    const posted = nock(API)
      .post(/restore$/)
      .reply(202)
    const core = await restoreStep({ install: INSTALL.id, 'backup-id': BACKUP_ID })
    expect(core.failed).toContain(`backup id is ${OTHER_ID}, not ${BACKUP_ID}`)
    expect(posted.isDone()).toBe(false)
    expect(core.outputs).toMatchObject({ accepted: 'false', 'backup-id': '' })
  })

  it('restore goes to the backup the user named, which the check confirmed', async () => {
    nock(API).get(INSTALL_PATH).reply(200, INSTALL).get(BACKUP_PATH).reply(200, backupAnswer())
    const posted = nock(API).post(`${BACKUP_PATH}/restore`).reply(202)
    const core = await restoreStep({ install: INSTALL.id, 'backup-id': BACKUP_ID.toUpperCase() })
    expect(posted.isDone()).toBe(true)
    expect(core.outputs['backup-id']).toBe(BACKUP_ID)
  })
})

describe('pagination that never ends', () => {
  it(`an endless next: stops after ${MAX_PAGES} pages with a message that says why`, async () => {
    let requests = 0
    nock(API)
      .get('/v1/installs')
      .query(true)
      .times(MAX_PAGES + 1)
      .reply(200, () => {
        const offset = 100 * requests++
        return { next: `${API}/v1/installs?limit=100&offset=${offset + 100}`, results: installs(offset, 100) }
      })
    const [found] = await findInstalls(client(), [{ kind: 'name', name: 'mysite' }])
    expect(requests).toBe(MAX_PAGES)
    expect(found && 'error' in found && (found.error as Error).message).toBe(
      `WP Engine's answer to list installs went on for more than ${MAX_PAGES} pages (${MAX_PAGES * 100} items), more than any WP Engine account holds: its pagination looks broken, so the action stopped reading it. Re-run the job later.`
    )
  })

  it.each([
    ['a next that points back', { count: 500, next: `${API}/v1/installs?offset=0` }, 'stopped advancing (page 1 points back to offset 0)'],
    [
      'a next past the count',
      { count: 100, next: `${API}/v1/installs?offset=200` },
      'points past its end (offset 200 of the 100 items it counts)'
    ],
    ['more items than the count', { count: 50, next: null }, 'went on past the 50 items it counts (100 so far)']
  ])('%s: a clear error after one request', async (_label, page, problem) => {
    const scope = nock(API)
      .get('/v1/installs')
      .query(true)
      .reply(200, { ...page, results: installs(0, 100) })
    const error = await failure(
      (async () => {
        for await (const _ of allItems((offset) => client().listInstalls(offset))) void _
      })()
    )
    scope.done()
    expect(error.message).toBe(
      `WP Engine's answer to list installs ${problem}: its pagination looks broken, so the action stopped reading it. Re-run the job later.`
    )
  })
})

describe('lists: odd pages and malformed items', () => {
  it('a page without results (the spec allows it) is an empty page', async () => {
    nock(API).get('/v1/installs').query(true).reply(200, { count: 0, next: null })
    await expect(client().listInstalls(0)).resolves.toMatchObject({ results: [], received: 0 })
  })

  it('one malformed install among valid ones: skipped with one warning, and the lookup by name still finds the right one', async () => {
    const warnings: string[] = []
    const page = [{ id: 'not-a-uuid', name: 'My Site!\n::add-mask::x' }, ...installs(0, 3), { ...INSTALL, environment: 'production' }]
    nock(API).get('/v1/installs').query(true).twice().reply(200, { count: page.length, next: null, results: page })
    const api = client(warnings)
    const [found] = await findInstalls(api, [{ kind: 'name', name: 'mysite' }])
    expect(found).toMatchObject({ install: { ...INSTALL, environment: 'production' } })
    await findInstalls(api, [{ kind: 'name', name: 'mysite' }])
    expect(warnings).toEqual([
      "Skipped 1 of the 5 items in WP Engine's answer to list installs, as they do not match the API's description: install id 'not-a-uuid' is not a UUID."
    ])
  })

  it('a malformed entry named like the install asked for fails that name only, and says why', async () => {
    const page = [{ id: 'not-a-uuid', name: 'mysite' }, ...installs(0, 2)]
    nock(API).get('/v1/installs').query(true).reply(200, { count: page.length, next: null, results: page })
    const warnings: string[] = []
    const [mysite, site1] = await findInstalls(client(warnings), [
      { kind: 'name', name: 'mysite' },
      { kind: 'name', name: 'site1' }
    ])
    expect(mysite && 'error' in mysite && (mysite.error as Error).message).toBe(
      "WP Engine lists an install named 'mysite', but its entry does not match the API's description (install id 'not-a-uuid' is not a UUID), so it cannot be used. Re-run the job later; if it happens again, contact WP Engine support."
    )
    expect(site1).toMatchObject({ install: { name: 'site1' } })
    expect(warnings).toEqual([])
  })

  it("a malformed backup carrying this step's tag stops the step rather than request a second backup", async () => {
    let description = ''
    nock(API)
      .get(INSTALL_PATH)
      .reply(200, INSTALL)
      .post(`${INSTALL_PATH}/backups`, (body: { description: string }) => ((description = body.description), true))
      .reply(504)
      .get(`${INSTALL_PATH}/backups`)
      .query(true)
      .reply(200, () => ({ next: null, results: [{ id: 'broken', status: 'requested', description }] }))
    const second = nock(API).post(`${INSTALL_PATH}/backups`).reply(202, backupAnswer())
    const core = await backupStep({ install: INSTALL.id })
    expect(second.isDone()).toBe(false)
    expect(core.failed).toContain(
      "WP Engine lists a backup of install mysite that carries this step's tag, but its entry does not match the API's description (backup id 'broken' is not a UUID); not requesting another backup."
    )
  })
})

describe('text from the API is bounded once, at the door', () => {
  it('a 3 MiB description: the summary stays far under 1 MiB and the output is cut', async () => {
    const huge = `${'[x](https://evil.example) '.repeat(130_000)}`
    nock(API)
      .get(INSTALL_PATH)
      .reply(200, INSTALL)
      .get(BACKUP_PATH)
      .reply(200, backupAnswer('completed', { description: huge }))
    const core = await backupStep({ install: INSTALL.id, 'backup-id': BACKUP_ID })
    expect(huge.length).toBeGreaterThan(3 * 1024 * 1024)
    expect(core.failed).toBeUndefined()
    expect(core.summaries.join('').length).toBeLessThan(8_000)
    expect(core.outputs.description?.length).toBe(1_000)
    expect(core.outputs.description?.endsWith('…')).toBe(true)
    expect(Math.max(...core.log.map((line) => line.length))).toBeLessThanOrEqual(MAX_LINE + 20)
  })

  it('5,000 field errors: one readable error line that quotes ten and counts the rest', async () => {
    const errors = Array.from({ length: 5_000 }, (_, n) => ({
      resource: 'Backup',
      field: 'description',
      type: 'invalid_value',
      code: 'invalid',
      message: `problem ${n} ${'x'.repeat(400)}`
    }))
    nock(API).get(INSTALL_PATH).reply(200, INSTALL).post(`${INSTALL_PATH}/backups`).reply(400, { message: 'Invalid Backup', errors })
    const core = await backupStep({ install: INSTALL.id })
    expect(core.failed).toMatch(
      /^WP Engine refused to request a backup of install mysite \(400: Invalid Backup\)\. description: problem 0 x+…; /
    )
    expect(core.failed).toContain('description: problem 9 ')
    expect(core.failed).not.toContain('problem 10 ')
    expect(core.failed).toMatch(/; and 4990 more field errors$/)
    expect(core.failed?.length).toBeLessThan(2_500)
    expect(core.summaries.join('').length).toBeLessThan(5_000)
  })
})

describe('decoding', () => {
  it("reads the deprecated 'initiated' as in_progress, and labels an unknown status so that it can never pass for a known one", () => {
    expect(decodeBackup(backupAnswer('completed', { status: 'initiated' })).status).toBe('in_progress')
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...BACKUP_STATUSES, 'initiated', '\u200b', '\n', ':', ' ', 'x') }), (status) => {
        const decoded = decodeBackup(backupAnswer('completed', { status })).status
        const known = (BACKUP_STATUSES as readonly string[]).includes(status) || status === 'initiated'
        expect(normalizeStatus(decoded) !== undefined).toBe(known)
        expect(decoded).not.toMatch(/[\n\u200b]|::/)
      })
    )
  })

  it('fields the action does not need may be absent, null, odd or extra without failing anything', () => {
    expect(decodeBackup({ id: BACKUP_ID.toUpperCase(), status: 'requested' })).toEqual({ id: BACKUP_ID, status: 'requested' })
    expect(
      decodeBackup({
        ...backupAnswer(),
        description: null,
        create_time: 'yesterday',
        complete_time: 12,
        wordpress_version: { major: 6 },
        extra: [1, 2]
      })
    ).toEqual({ id: BACKUP_ID, status: 'completed' })
    expect(decodeInstall({ ...INSTALL, environment: null, account: null, php_version: 7 })).toEqual(INSTALL)
    expect(decodeArchive({ id: OTHER_ID, backup: null, state: 'completed', download_uri: 'https://x.example/a\n::add-mask::b' })).toEqual({
      id: OTHER_ID,
      backup: {},
      state: 'completed'
    })
    expect(
      decodeArchive({ id: OTHER_ID, backup: { id: BACKUP_ID }, state: 'completed', download_uri: 'ftp://x.example/a.zip' }).download_uri
    ).toBeUndefined()
  })
})

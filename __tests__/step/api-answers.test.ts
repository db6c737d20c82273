import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import nock from 'nock'
import { run } from '../../src/backup/main.js'
import { runRestore } from '../../src/restore/main.js'
import { MAX_LINE } from '../../src/step/output-sink.js'
import { createNodeSend } from '../../src/wpengine/http.js'
import { API, BACKUP_ID, BACKUP_PATH, backupAnswer, CREDS, FakeClock, INSTALL, RecordingCore, useNock } from '../support/helpers.js'
import { requestsTo } from '../support/sim-helpers.js'
import { useStepBed } from '../support/step.js'

// A whole step, given answers that are not the thing asked for or that are far too big: the client's
// door refuses or bounds them, and the step fails or succeeds with outputs and a summary of the
// right size. The simulator plays what it can; nock plays the answers no simulator gives (an id
// other than the one asked for, a malformed backup).

const OTHER_ID = '99999999-9999-4999-8999-999999999999'
const INSTALL_PATH = `/v1/installs/${INSTALL.id}`
const CONTEXT = { repository: 'acme/shop', runId: 987654321, runAttempt: 1, job: 'deploy', step: 'backup' }
const transport = createNodeSend()
const setup = useStepBed()

/** The step against nock's WP Engine (API, CREDS). */
async function nockStep(step: typeof run, inputs: Record<string, string>) {
  const core = new RecordingCore({
    'notification-emails': 'ops@example.com',
    'api-user-id': CREDS.userId,
    'api-password': CREDS.password,
    ...inputs
  })
  await step({ core, env: {}, context: CONTEXT, clock: new FakeClock(), send: transport, random: () => 0 })
  return core
}

useNock(nock, { beforeAll, afterEach, afterAll })
// nock lets nothing out, but to the simulators on loopback.
beforeAll(() => nock.enableNetConnect('127.0.0.1'))
afterAll(() => transport.close())

describe('answers must be the thing asked for', () => {
  it('an install lookup answered with another install: nothing is requested of it', async () => {
    nock(API).persist().get(INSTALL_PATH).reply(200, { id: OTHER_ID, name: 'elsewhere' })
    const core = await nockStep(run, { install: INSTALL.id })
    // Asked once more in case it was a glitch, then no more: an answer that does not fit is not an outage.
    expect(core.failed).toBe(
      `WP Engine's answer to GET /installs/{install_id} (to get install ${INSTALL.id}) does not fit the API's description, also when asked again: install id is ${OTHER_ID}, not ${INSTALL.id}, which was asked for. The API answers this way every time, so the step stops rather than wait; if it persists, report it to WP Engine support.`
    )
    expect(nock.pendingMocks()).toEqual([])
    expect(core.outputs['install-id']).toBe(INSTALL.id)
    expect(core.outputs['backup-id']).toBe('')
  })

  it('backup-id whose status check names another backup: the step fails and its outputs keep the backup asked for', async () => {
    nock(API).get(INSTALL_PATH).reply(200, INSTALL)
    nock(API)
      .persist()
      .get(BACKUP_PATH)
      .reply(200, backupAnswer('completed', { id: OTHER_ID }))
    const core = await nockStep(run, { install: INSTALL.id, 'backup-id': BACKUP_ID })
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
    const core = await nockStep(runRestore, { install: INSTALL.id, 'backup-id': BACKUP_ID })
    expect(core.failed).toContain(`backup id is ${OTHER_ID}, not ${BACKUP_ID}`)
    expect(posted.isDone()).toBe(false)
    // backup-id carries what the input named (as it does however the step ends), never the id the API answered with.
    expect(core.outputs).toMatchObject({ accepted: 'false', 'backup-id': BACKUP_ID })
  })

  it('restore goes to the backup the user named, which the check confirmed', async () => {
    const { sim, restore } = await setup()
    const { id } = sim.seedBackup({ installId: INSTALL.id, ageMs: 3_600_000 })
    const { core } = await restore({ install: INSTALL.id, 'backup-id': id.toUpperCase(), 'notification-emails': 'ops@example.com' })
    expect(requestsTo(sim, 'POST', `/installs/${INSTALL.id}/backups/${id}/restore`)).toHaveLength(1)
    expect(core.outputs['backup-id']).toBe(id)
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
    const core = await nockStep(run, { install: INSTALL.id })
    expect(second.isDone()).toBe(false)
    expect(core.failed).toContain(
      "WP Engine lists a backup of install mysite that carries this step's tag, but its entry does not match the API's description (backup id 'broken' is not a UUID); not requesting another backup."
    )
  })
})

describe('text from the API is bounded once, where it is decoded', () => {
  it('a 3 MiB description: the summary stays far under 1 MiB and the output is cut', async () => {
    const huge = `${'[x](https://evil.example) '.repeat(130_000)}`
    const { sim, backup } = await setup({ hostile: (field) => (field === 'backup.description' ? huge : undefined) })
    const { id } = sim.seedBackup({ installId: INSTALL.id, ageMs: 3_600_000 })
    const { core } = await backup({ install: INSTALL.id, 'backup-id': id })
    expect(huge.length).toBeGreaterThan(3 * 1024 * 1024)
    expect(core.failed).toBeUndefined()
    expect(core.summaries.join('').length).toBeLessThan(8_000)
    expect(core.outputs.description?.length).toBe(1_000)
    expect(core.outputs.description?.endsWith('…')).toBe(true)
    expect(Math.max(...core.log.map((line) => line.length))).toBeLessThanOrEqual(MAX_LINE + 20)
  })

  it('5,000 field errors: one readable error line that quotes ten and counts the rest', async () => {
    // The simulator words the first twenty field errors as asked: problem 0, problem 1, …
    let quoted = 0
    const words: Record<string, () => string> = {
      'error.message': () => 'Invalid Backup',
      'error.field': () => 'description',
      'error.text': () => `problem ${quoted++} ${'x'.repeat(400)}`
    }
    const { sim, backup } = await setup({ hostile: (field) => words[field]?.() })
    sim.fault({ method: 'POST', path: /\/backups$/, type: 'hostile-error', errors: 5_000 })
    const { core } = await backup({ install: INSTALL.id })
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

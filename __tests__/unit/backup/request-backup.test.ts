import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import nock from 'nock'
import { createBackupOnce, findByMarker, type CreateOptions } from '../../../src/backup/request-backup.js'
import { WpeClient } from '../../../src/wpengine/client.js'
import { createNodeSend } from '../../../src/wpengine/http.js'
import { API, BACKUP_ID, CREDS, FakeClock, INSTALL, markerOf, useNock } from '../../support/helpers.js'
import { count, simClient, useSimulators } from '../../support/sim-helpers.js'

// Requesting a backup exactly once, against the simulator: its lost-answer fault makes the backup
// and then drops the connection, a 502 answers without making one.

const MARKER = markerOf({ nonce: '0a1b2c3d' })
const BODY = { description: `Pre-deploy ${MARKER}`, notification_emails: ['ops@example.com'] }
const BACKUPS = `/installs/${INSTALL.id}/backups`
const transport = createNodeSend()
const freshSim = useSimulators()
afterAll(() => transport.close())

function create(client: CreateOptions['client'], clock: FakeClock, deadline = clock.now() + 3_600_000) {
  const log: string[] = []
  const promise = createBackupOnce({
    client,
    clock,
    deadline,
    install: { ...INSTALL },
    body: BODY,
    marker: MARKER,
    log: { info: (m) => log.push(m), warning: (m) => log.push(`warn: ${m}`) }
  })
  return { promise, log }
}

/** A simulator on a fake clock whose mysite has `others` backups already, and a createBackupOnce against it. */
async function setup({ others = 0, backupListLagMs = 0 } = {}) {
  const clock = new FakeClock()
  const sim = await freshSim({ now: () => clock.now(), backupListLagMs })
  for (let n = 0; n < others; n++) sim.seedBackup({ installId: INSTALL.id, description: `Nightly ${n}` })
  const client = simClient(sim, { send: transport, clock })
  return {
    sim,
    clock,
    client,
    start: (deadline?: number) => create(client, clock, deadline),
    posts: () => count(sim, 'POST', BACKUPS),
    lists: () => count(sim, 'GET', BACKUPS),
    /** The backups of this step (carrying its marker) that WP Engine holds. */
    mine: () => sim.backups().filter((b) => b.description.includes(MARKER))
  }
}

describe('createBackupOnce', () => {
  it('one POST when all goes well, and no listing', async () => {
    const { sim, start, posts, lists } = await setup()
    await expect(start().promise).resolves.toMatchObject({ recovered: false, requests: 1 })
    expect([posts(), lists(), sim.backups().length]).toEqual([1, 0, 1])
  })

  it('answer lost after the backup was made: adopts it, one POST, exactly one backup', async () => {
    const { sim, start, posts, lists, mine } = await setup({ others: 250 })
    sim.fault({ method: 'POST', path: BACKUPS, type: 'lost-answer' })
    const { promise, log } = start()
    const result = await promise
    expect(result).toMatchObject({ recovered: true, requests: 1 })
    expect(posts()).toBe(1)
    expect(mine()).toHaveLength(1)
    expect(result.backup.id).toBe(mine()[0]?.id)
    // Behind the 250 others, on the third page.
    expect(lists()).toBe(3)
    // Resolved: plain lines, no warning annotation.
    expect(log[0]).toMatch(/^WP Engine's answer was lost .* Looking for it in the install's backups/)
    expect(log.filter((line) => line.startsWith('warn:'))).toEqual([])
  })

  it('answer lost and nothing made: looks across the list-lag window at growing gaps, then asks once more; exactly one backup', async () => {
    const { sim, clock, start, posts, lists, mine } = await setup()
    sim.fault({ method: 'POST', path: BACKUPS, type: '502' })
    const { promise, log } = start()
    const result = await promise
    expect(result).toMatchObject({ recovered: false, requests: 2 })
    expect(result.backup.id).toBe(mine()[0]?.id)
    // Looks at 0, 2, 6, 14, 30, 60 and 90 s after the lost answer.
    expect(clock.sleeps).toEqual([2_000, 4_000, 8_000, 16_000, 30_000, 30_000])
    expect([posts(), lists(), sim.backups().length]).toEqual([2, 7, 1])
    // What is known, not a guess stated as fact.
    expect(log).toContain(
      "No backup of this step is listed 1m 30s after the answer was lost, longer than WP Engine's list lags; asking once more."
    )
    expect(log.join('\n')).not.toMatch(/did not act/)
  })

  // A list that lags is what the window is for: whatever the lag within it, the lost request's backup is adopted, never made twice.
  it.each([5_000, 30_000, 80_000])(
    'answer lost, and the backup is listed only %i ms after it was made: adopted, exactly one backup',
    async (lagMs) => {
      const { sim, start, posts, mine } = await setup({ backupListLagMs: lagMs })
      sim.fault({ method: 'POST', path: BACKUPS, type: 'lost-answer' })
      const { promise, log } = start()
      const result = await promise
      expect(result).toMatchObject({ recovered: true, requests: 1 })
      expect([posts(), mine().length]).toEqual([1, 1])
      expect(log.join('\n')).not.toMatch(/did not act/)
    }
  )

  it('two lost requests that made nothing: gives up without a third, and says the backup may yet show up', async () => {
    const { sim, start, posts } = await setup()
    sim.fault({ method: 'POST', path: BACKUPS, type: '502', times: 2 })
    await expect(start().promise).rejects.toThrow(
      /That was the second request: no backup of this step was listed 1m 30s after either\. WP Engine may still list a backup of this step \(tagged \[ci .*\]\) later: check install mysite in the WP Engine User Portal before running the job again\.$/
    )
    expect([posts(), sim.backups().length]).toEqual([2, 0])
  })

  it('a short timeout: looks for a quarter of the time left, not 90 s, then asks once more in time', async () => {
    const { sim, clock, start, posts } = await setup()
    sim.fault({ method: 'POST', path: BACKUPS, type: '502' })
    await expect(start(clock.now() + 20_000).promise).resolves.toMatchObject({ requests: 2 })
    expect(clock.sleeps).toEqual([2_000, 3_000])
    expect(posts()).toBe(1 + 1)
  })

  it('a clear refusal is reported as it is, without looking', async () => {
    const { sim, start, lists } = await setup()
    const mysite = sim.installs.find((i) => i.id === INSTALL.id)
    if (mysite) mysite.forbidden = true
    await expect(start().promise).rejects.toThrow('403')
    expect(lists()).toBe(0)
  })

  it("never adopts another step's backup", async () => {
    const { sim, client } = await setup()
    const other = markerOf({ nonce: 'ffffffff' })
    const theirs = sim.seedBackup({ installId: INSTALL.id, description: `Pre-deploy ${other}` })
    await expect(findByMarker(client, { ...INSTALL }, MARKER)).resolves.toBeUndefined()
    // The same list does hold it, under its own marker.
    await expect(findByMarker(client, { ...INSTALL }, other)).resolves.toMatchObject({ id: theirs.id })
  })
})

describe('createBackupOnce: a backup that shows up in the list late', () => {
  // The simulator lists a backup as soon as it is made; this delay only nock can script.
  useNock(nock, { beforeAll, afterEach, afterAll })

  it('the backup shows up in the list only on the re-check: still adopted', async () => {
    const clock = new FakeClock()
    const made = { id: BACKUP_ID, status: 'requested', description: BODY.description }
    const page = (results: unknown[]) => ({ count: results.length, previous: null, next: null, results })
    const scope = nock(API)
      .post(`/v1${BACKUPS}`)
      .reply(504, { message: 'Gateway Timeout' })
      .get(`/v1${BACKUPS}`)
      .query({ limit: 100, offset: 0 })
      .reply(200, page([]))
      .get(`/v1${BACKUPS}`)
      .query({ limit: 100, offset: 0 })
      .reply(200, page([made]))
    const client = new WpeClient({ apiUrl: new URL(`${API}/v1`), ...CREDS, send: transport, clock, deadline: clock.now() + 3_600_000 })
    await expect(create(client, clock).promise).resolves.toMatchObject({ backup: { id: BACKUP_ID }, recovered: true, requests: 1 })
    // One POST, then a list, the re-check's pause, and a list: a second POST would find no answer here.
    scope.done()
    expect(clock.sleeps).toEqual([2_000])
  })
})

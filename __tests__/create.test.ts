import { describe, expect, it } from '@jest/globals'
import { createBackupOnce, findByMarker } from '../src/backup/create.js'
import { WpeApiError } from '../src/wpengine/errors.js'
import type { Backup, CreateBackupBody, Page } from '../src/wpengine/types.js'
import { backupOf, pageOf } from './fakes.js'
import { FakeClock, INSTALL } from './helpers.js'

const MARKER = '[ci 987654321-1 deploy/backup 0a1b2c3d]'
const BODY = { description: `Pre-deploy ${MARKER}`, notification_emails: ['ops@example.com'] }

function lost(status?: number): WpeApiError {
  return new WpeApiError(
    'The answer to the request to request a backup of install mysite was lost (HTTP 504); WP Engine may or may not have acted on it.',
    {
      kind: status ? 'http' : 'network',
      operation: 'request a backup',
      status,
      ambiguous: true,
      transient: true,
      attempts: 1
    }
  )
}

/** A WP Engine whose create answers can be lost, with or without the backup having been made. */
function fakeApi(script: ('ok' | 'lost-after-create' | 'lost-before-create' | 'forbidden')[], { others = 0, listLag = 0 } = {}) {
  const backups: Backup[] = Array.from({ length: others }, (_, n) =>
    backupOf({
      id: `other-${n}`,
      status: 'completed',
      description: `Nightly ${n}`
    })
  )
  let posts = 0
  let lists = 0
  return {
    backups,
    get posts() {
      return posts
    },
    get lists() {
      return lists
    },
    async createBackup(_install: unknown, body: CreateBackupBody): Promise<Backup> {
      const step = script[posts++] ?? 'ok'
      if (step === 'forbidden')
        throw new WpeApiError('403', { kind: 'http', operation: 'x', status: 403, ambiguous: false, transient: false, attempts: 1 })
      if (step === 'lost-before-create') throw lost(502)
      const backup = backupOf({ id: `b-${posts}`, status: 'requested', description: body.description })
      backups.push(backup)
      if (step === 'lost-after-create') throw lost(504)
      return backup
    },
    async listBackups(_install: unknown, offset: number): Promise<Page<Backup>> {
      lists++
      // A backup can take a moment to show up in the list after it was made.
      const visible = lists <= listLag ? backups.slice(0, others) : backups
      return pageOf(visible, offset, 100)
    }
  }
}

function create(api: ReturnType<typeof fakeApi>) {
  const log: string[] = []
  const clock = new FakeClock()
  const promise = createBackupOnce({
    client: api,
    clock,
    install: { ...INSTALL },
    body: BODY,
    marker: MARKER,
    log: { info: (m) => log.push(m), warning: (m) => log.push(`warn: ${m}`) }
  })
  return { promise, log, clock }
}

describe('createBackupOnce', () => {
  it('one POST when all goes well, and no listing', async () => {
    const api = fakeApi(['ok'])
    const { promise } = create(api)
    await expect(promise).resolves.toMatchObject({ recovered: false, requests: 1 })
    expect([api.posts, api.lists, api.backups.length]).toEqual([1, 0, 1])
  })

  it('answer lost after the backup was made: adopts it, one POST, exactly one backup', async () => {
    const api = fakeApi(['lost-after-create'], { others: 250 })
    const { promise, log } = create(api)
    await expect(promise).resolves.toMatchObject({ backup: { id: 'b-1' }, recovered: true, requests: 1 })
    expect(api.posts).toBe(1)
    expect(api.backups.filter((b) => b.description?.includes(MARKER))).toHaveLength(1)
    expect(log[0]).toMatch(/^warn: The answer .* was lost .* Looking for it in the install's backups/)
  })

  it('the backup shows up in the list only on the re-check: still adopted', async () => {
    const api = fakeApi(['lost-after-create'], { listLag: 1 })
    const { promise, clock } = create(api)
    await expect(promise).resolves.toMatchObject({ recovered: true })
    expect(api.posts).toBe(1)
    expect(clock.sleeps).toEqual([3_000])
  })

  it('answer lost and nothing made: asks again after the re-check, exactly one backup', async () => {
    const api = fakeApi(['lost-before-create', 'ok'])
    const { promise, log } = create(api)
    await expect(promise).resolves.toMatchObject({ backup: { id: 'b-2' }, recovered: false, requests: 2 })
    expect([api.posts, api.lists, api.backups.length]).toEqual([2, 2, 1])
    expect(log).toContain('No backup of this step appeared after 3s: WP Engine did not act on the request; asking again.')
  })

  it('gives up after three lost requests that made nothing', async () => {
    const api = fakeApi(['lost-before-create', 'lost-before-create', 'lost-before-create'])
    const { promise } = create(api)
    await expect(promise).rejects.toThrow(/did not appear in the install's backups after 3 requests/)
    expect([api.posts, api.backups.length]).toEqual([3, 0])
  })

  it('a clear refusal is reported as it is, without looking', async () => {
    const api = fakeApi(['forbidden'])
    await expect(create(api).promise).rejects.toThrow('403')
    expect(api.lists).toBe(0)
  })

  it("never adopts another step's backup", async () => {
    const api = fakeApi([])
    api.backups.push(backupOf({ id: 'x', status: 'requested', description: 'Pre-deploy [ci 987654321-1 deploy/backup ffffffff]' }))
    await expect(findByMarker(api, { ...INSTALL }, MARKER)).resolves.toBeUndefined()
  })
})

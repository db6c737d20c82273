import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import nock from 'nock'
import { Heartbeat } from '../../../src/backup/heartbeat.js'
import { findInstalls } from '../../../src/workflows/find-installs.js'
import { chooseReusable, findReusable } from '../../../src/backup/reuse.js'
import { ageOf } from '../../../src/workflows/list-backups.js'
import { earlierAttemptOf, stepMarker } from '../../../src/step/step-marker.js'
import type { RunContext } from '../../../src/step/run-context.js'
import { WpeClient } from '../../../src/wpengine/client.js'
import { CancelledError } from '../../../src/wpengine/errors.js'
import { createNodeSend } from '../../../src/wpengine/http.js'
import { Semaphore } from '../../../src/wpengine/semaphore.js'
import { decodeBackup } from '../../../src/wpengine/decode.js'
import type { Backup } from '../../../src/wpengine/types.js'
import { API, CREDS, FakeClock, INSTALL, RUN_CONTEXT, useNock } from '../../support/helpers.js'

const NOW = Date.UTC(2026, 5, 1, 12)
const MINUTE = 60_000
const CONTEXT: RunContext = { ...RUN_CONTEXT, runAttempt: 3 }
const RUN_ID = RUN_CONTEXT.runId ?? 0
let seq = 0

function backup(status: string, ageMs: number | undefined, description = 'Nightly'): Backup {
  const id = `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`
  return decodeBackup({ id, status, description, create_time: ageMs === undefined ? null : new Date(NOW - ageMs).toISOString() })
}

const transport = createNodeSend()
useNock(nock, { beforeAll, afterEach, afterAll })
afterAll(() => transport.close())

/** The WP Engine client the action uses, against nock. */
function client(): WpeClient {
  const clock = new FakeClock()
  return new WpeClient({ apiUrl: new URL(`${API}/v1`), ...CREDS, send: transport, clock, deadline: clock.now() + 60 * MINUTE })
}

/**
 * Serves the list at `path` in pages of two, as the API may page it (the client reads the next
 * offset from `next`); returns the offsets asked for, in order.
 */
function servePages(path: string, items: unknown[]): number[] {
  const offsets: number[] = []
  for (let offset = 0; offset === 0 || offset < items.length; offset += 2) {
    const next = offset + 2 < items.length ? `${API}/v1${path}?limit=100&offset=${offset + 2}` : null
    nock(API)
      .get(`/v1${path}`)
      .query({ limit: 100, offset })
      .reply(200, () => {
        offsets.push(offset)
        return { count: items.length, previous: null, next, results: items.slice(offset, offset + 2) }
      })
  }
  return offsets
}

/** The backups of mysite, served in pages of two; returns the offsets asked for. */
const listing = (backups: Backup[]) => servePages(`/installs/${INSTALL.id}/backups`, backups)

const marker = (attempt: number) => stepMarker({ ...CONTEXT, runAttempt: attempt })

describe('earlierAttemptOf', () => {
  it('finds an earlier attempt of the same run, job and step, and nothing else', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 10 }),
        fc.constantFrom('deploy', 'other'),
        fc.constantFrom('backup', 'other'),
        fc.constantFrom(RUN_ID, RUN_ID + 1),
        fc.string(),
        (attempt, current, job, step, runId, text) => {
          const description = `${text} ${stepMarker({ runId, runAttempt: attempt, job, step })}`
          const expected = runId === RUN_ID && job === 'deploy' && step === 'backup' && attempt < current ? attempt : undefined
          expect(earlierAttemptOf(description, { ...CONTEXT, runAttempt: current })).toBe(expected)
        }
      )
    )
  })

  it('needs a run id: outside Actions nothing is a re-run', () => {
    expect(
      earlierAttemptOf(`x ${stepMarker({ runAttempt: 1, job: 'deploy', step: 'backup' })}`, { ...CONTEXT, runId: undefined })
    ).toBeUndefined()
  })

  it('matches the marker of a job or step id that had characters the marker drops', () => {
    const ctx = { runId: 9, runAttempt: 2, job: 'deploy prod', step: 'back:up' }
    expect(earlierAttemptOf(stepMarker({ ...ctx, runAttempt: 1 }), ctx)).toBe(1)
  })
})

describe('findReusable', () => {
  const policy = { context: CONTEXT, now: NOW }

  it('prefers the newest non-aborted backup of an earlier attempt, over anything reuse-within allows', async () => {
    const newest = backup('in_progress', 2 * MINUTE, `Pre-deploy ${marker(2)}`)
    const pages = listing([
      backup('completed', 1 * MINUTE),
      backup('completed', 30 * MINUTE, marker(1)),
      backup('aborted', MINUTE / 2, marker(2)),
      newest,
      backup('requested', 0)
    ])
    expect((await findReusable(client(), INSTALL, { ...policy, reuseWithinMs: 60 * MINUTE })).reusable).toEqual({
      backup: newest,
      reason: 'rerun',
      ageMs: 2 * MINUTE,
      attempt: 2
    })
    expect(pages).toEqual([0, 2, 4])
  })

  it('with reuse-within: a running backup before a completed one; the newest completed one inside the window', async () => {
    const running = backup('initiated', 90 * MINUTE)
    listing([backup('completed', MINUTE), running])
    expect((await findReusable(client(), INSTALL, { ...policy, reuseWithinMs: MINUTE * 5 })).reusable).toMatchObject({
      backup: running,
      reason: 'in-flight'
    })
    const newest = backup('completed', 4 * MINUTE)
    listing([backup('completed', 9 * MINUTE), newest, backup('completed', 20 * MINUTE), backup('aborted', 0)])
    const { reusable: found } = await findReusable(client(), INSTALL, { ...policy, reuseWithinMs: 10 * MINUTE })
    expect(found).toEqual({ backup: newest, reason: 'recent', ageMs: 4 * MINUTE })
  })

  it('never reuses a completed backup of unknown age, or one of an unknown status', async () => {
    const pages = listing([backup('completed', undefined), backup('queued', MINUTE)])
    expect((await findReusable(client(), INSTALL, { ...policy, reuseWithinMs: 60 * MINUTE })).reusable).toBeUndefined()
    expect(pages).toEqual([0])
  })

  it('does not list anything on a first attempt without reuse-within', async () => {
    const pages = listing([backup('in_progress', MINUTE)])
    expect((await findReusable(client(), INSTALL, { context: { ...CONTEXT, runAttempt: 1 }, now: NOW })).reusable).toBeUndefined()
    expect(pages).toEqual([])
  })
})

describe('chooseReusable', () => {
  const statuses = fc.constantFrom('requested', 'in_progress', 'completed', 'aborted', 'queued')
  const listed = fc.array(
    fc.record({
      status: statuses,
      // Up to 10 h: past the 6 h after which a backup still running is stuck, and a re-run's completed one too old.
      ageMs: fc.option(fc.integer({ min: 0, max: 600 * MINUTE }), { nil: undefined }),
      attempt: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined })
    }),
    { maxLength: 12 }
  )
  const toBackups = (items: { status: string; ageMs?: number; attempt?: number }[]) =>
    items.map(({ status, ageMs, attempt }) => backup(status, ageMs, attempt === undefined ? 'Nightly' : `Pre-deploy ${marker(attempt)}`))

  it('picks by the rules whatever the order of the list: a recent earlier attempt, then one running, then the newest recent one; never an aborted or a stuck one', () => {
    fc.assert(
      fc.property(listed, fc.option(fc.integer({ min: MINUTE, max: 60 * MINUTE }), { nil: undefined }), (items, reuseWithinMs) => {
        const backups = toBackups(items)
        const policy = { context: CONTEXT, now: NOW, reuseWithinMs }
        const { reusable: chosen, stale, outdated } = chooseReusable(backups, policy)
        // Two of the same age may be taken either way round; which kind and how old may not.
        const kind = (found: typeof chosen) => found && { reason: found.reason, ageMs: found.ageMs }
        expect(kind(chooseReusable([...backups].reverse(), policy).reusable)).toEqual(kind(chosen))
        const usable = backups.filter((b) => ['requested', 'in_progress', 'completed'].includes(b.status))
        const ours = usable.filter((b) => (earlierAttemptOf(b.description, CONTEXT) ?? 0) > 0)
        const others = usable.filter((b) => !ours.includes(b))
        const ageMs = (b: Backup) => (b.create_time ? NOW - Date.parse(b.create_time) : Infinity)
        const youngest = (list: Backup[]) => Math.min(...list.map(ageMs))
        const running = (b: Backup) => b.status !== 'completed'
        // No history of durations here: stuck means still running 6 h after its creation.
        const stuck = (b: Backup) => running(b) && b.create_time !== undefined && ageMs(b) > 6 * 60 * MINUTE
        const ourRecent = ours.filter((b) => !stuck(b) && (running(b) || ageMs(b) < (reuseWithinMs ?? 6 * 60 * MINUTE)))
        const othersRunning = reuseWithinMs === undefined ? [] : others.filter((b) => running(b) && !stuck(b))
        expect(new Set(stale.map((s) => s.backup))).toEqual(
          new Set([...ours, ...(reuseWithinMs === undefined ? [] : others)].filter(stuck))
        )
        if (ourRecent.length > 0) {
          expect(chosen?.reason).toBe('rerun')
          expect(ageMs(chosen!.backup)).toBe(youngest(ourRecent))
        } else if (othersRunning.length > 0) {
          expect(chosen?.reason).toBe('in-flight')
          expect(ageMs(chosen!.backup)).toBe(youngest(othersRunning))
        } else if (reuseWithinMs !== undefined && others.some((b) => !running(b) && ageMs(b) < reuseWithinMs)) {
          expect(chosen).toMatchObject({ reason: 'recent', ageMs: youngest(others.filter((b) => !running(b))) })
        } else {
          expect(chosen).toBeUndefined()
        }
        // A completed backup of an earlier attempt that is not used is named, so the log can say why.
        expect(outdated !== undefined).toBe(ourRecent.length === 0 && ours.some((b) => !running(b)))
      })
    )
  })

  it('a create_time in the future is an unknown age, never 0: a real 1-minute-old backup is the recent one', () => {
    const future = backup('completed', -10 * MINUTE)
    const real = backup('completed', MINUTE)
    const { reusable } = chooseReusable([future, real], { context: CONTEXT, now: NOW, reuseWithinMs: 30 * MINUTE })
    expect(reusable).toEqual({ backup: real, reason: 'recent', ageMs: MINUTE })
    expect(ageOf(future, NOW)).toBeUndefined()
    // Within the Date header's precision, it is a fresh backup.
    expect(ageOf(backup('completed', -3_000), NOW)).toBe(0)
  })

  it('an install whose backups take hours: a backup still running counts as stuck only past 3 times the longest', () => {
    const HOUR = 60 * MINUTE
    const history = [3, 3.5, 4].map((h) => ({
      ...backup('completed', 24 * HOUR),
      complete_time: new Date(NOW - 24 * HOUR + h * HOUR).toISOString()
    }))
    const running = backup('in_progress', 10 * HOUR)
    const policy = { context: CONTEXT, now: NOW, reuseWithinMs: 30 * MINUTE }
    expect(chooseReusable([...history, running], policy)).toMatchObject({ reusable: { backup: running, reason: 'in-flight' }, stale: [] })
    const stuck = backup('in_progress', 13 * HOUR)
    expect(chooseReusable([...history, stuck], policy)).toMatchObject({
      reusable: undefined,
      stale: [{ backup: stuck, limitMs: 12 * HOUR }]
    })
  })
})

describe('findInstalls', () => {
  const installs = Array.from({ length: 7 }, (_, n) => ({ id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, name: `site${n}` }))
  /** Serves the installs in pages of two, and each by ID (404 for any other); records the offsets and IDs asked for. */
  function api() {
    const gets: string[] = []
    nock(API)
      .get(/^\/v1\/installs\/[0-9a-f-]{36}$/)
      .times(10)
      .optionally()
      .reply((request: Request) => {
        const id = new URL(request.url).pathname.split('/').at(-1) ?? ''
        gets.push(id)
        const install = installs.find((i) => i.id === id)
        return install ? [200, install] : [404, { message: 'Not Found' }]
      })
    return { offsets: servePages('/installs', installs), gets }
  }

  it('finds all names in one pass that stops at the last one found, IDs with one GET each, in the order given', async () => {
    const { offsets, gets } = api()
    const result = await findInstalls(client(), [
      { kind: 'name', name: 'site3' },
      { kind: 'id', id: installs[6]?.id ?? '' },
      { kind: 'name', name: 'site1' }
    ])
    expect(result.map((r) => ('install' in r ? r.install.name : 'error'))).toEqual(['site3', 'site6', 'site1'])
    expect(offsets).toEqual([0, 2])
    expect(gets).toEqual([installs[6]?.id])
  })

  it('reports each install that cannot be found on its own', async () => {
    api()
    const result = await findInstalls(client(), [
      { kind: 'name', name: 'nosuch' },
      { kind: 'id', id: 'ffffffff-0000-4000-8000-000000000000' },
      { kind: 'name', name: 'site0' }
    ])
    expect(result.map((r) => ('error' in r ? String(r.error) : r.install.name))).toEqual([
      expect.stringContaining("No install named 'nosuch' is visible to this API user (7 installs searched)"),
      expect.stringContaining('Install ffffffff-0000-4000-8000-000000000000 was not found'),
      'site0'
    ])
  })
})

describe('Semaphore', () => {
  it('lets `limit` holders in, and the rest in arrival order', async () => {
    const slots = new Semaphore(2)
    const order: number[] = []
    await slots.acquire()
    await slots.acquire()
    const waiting = [3, 4, 5].map((n) => slots.acquire().then(() => order.push(n)))
    slots.release()
    slots.release()
    slots.release()
    await Promise.all(waiting)
    expect(order).toEqual([3, 4, 5])
  })

  it('drops a waiter whose signal is aborted, without losing a slot', async () => {
    const slots = new Semaphore(1)
    await slots.acquire()
    const cancel = new AbortController()
    const cancelled = slots.acquire(cancel.signal)
    const next = slots.acquire()
    cancel.abort()
    await expect(cancelled).rejects.toBeInstanceOf(CancelledError)
    slots.release()
    await next
    await expect(slots.acquire(AbortSignal.abort())).rejects.toBeInstanceOf(CancelledError)
  })
})

describe('Heartbeat', () => {
  it('says so once per whole minute since the start, whatever the gaps between checks', () => {
    const clock = new FakeClock()
    const lines: string[] = []
    const heartbeat = new Heartbeat(clock, clock.now(), clock.now() + 60 * MINUTE, { info: (m) => lines.push(m) })
    const waiting = [{ name: 'mysite', backupId: 'b1', status: 'in_progress' }]
    for (const gap of [20_000, 30_000, 15_000, 50_000, 10_000, 130_000, 5_000]) {
      clock.advance(gap)
      heartbeat.beat(waiting, 1)
    }
    expect(lines).toEqual(
      ['1m 5s elapsed, 58m 55s left', '2m 5s elapsed, 57m 55s left', '4m 15s elapsed, 55m 45s left'].map(
        (times) => `Still waiting for backup b1: in_progress, ${times}`
      )
    )
  })

  it('beats on the clock’s timer, once a minute through a long gap between checks, until stopped', async () => {
    const clock = new FakeClock()
    const lines: string[] = []
    const heartbeat = new Heartbeat(clock, clock.now(), clock.now() + 60 * MINUTE, { info: (m) => lines.push(m) })
    const stop = heartbeat.run(() => [{ name: 'mysite', backupId: 'b1', status: 'in_progress' }], 1)
    // One status check's gap of 3 m 30 s: the step still says it is alive every minute of it.
    await clock.sleep(3.5 * MINUTE)
    stop()
    await clock.sleep(5 * MINUTE)
    expect(lines).toEqual(
      ['1m elapsed, 59m left', '2m elapsed, 58m left', '3m elapsed, 57m left'].map(
        (times) => `Still waiting for backup b1: in_progress, ${times}`
      )
    )
  })

  it('names up to ten of many, counts the rest, and says nothing when nothing is waited for', () => {
    const clock = new FakeClock()
    const lines: string[] = []
    const heartbeat = new Heartbeat(clock, clock.now(), clock.now() + 60 * MINUTE, { info: (m) => lines.push(m) })
    clock.advance(MINUTE)
    heartbeat.beat([], 3)
    const waiting = Array.from({ length: 12 }, (_, n) => ({ name: `site${n}`, backupId: `b${n}`, status: 'requested' }))
    heartbeat.beat(waiting, 20)
    expect(lines).toEqual([
      `Still waiting for 12 of 20 backups, 1m elapsed, 59m left: ${waiting
        .slice(0, 10)
        .map((w) => `${w.name} requested`)
        .join(', ')} and 2 more`
    ])
  })
})

import { describe, expect, it } from '@jest/globals'
import type { Simulator } from '../../sim/server.js'
import { requestsTo, type SimOptions } from '../support/sim-helpers.js'
import { useTurnBed } from '../support/turns.js'

// Bad API days that last minutes: the whole backup step, in process, against the simulator on a fake
// clock, so that outages of minutes take milliseconds. Each ends with exactly one backup (and archive).

const MINUTE = 60_000
const bed = useTurnBed({ requestedMs: 10_000, durationMs: 2 * MINUTE, archiveMs: 20_000 })

async function step(options: SimOptions, arrange: (s: Simulator) => void, inputs: Record<string, string> = {}) {
  const { sim: s, clock, backup } = await bed(options)
  arrange(s)
  const { core, start } = await backup(inputs)
  return { core, s, tookMs: clock.now() - start, posts: (path: RegExp) => requestsTo(s, 'POST', path).length }
}

const BACKUPS = /\/backups$/
const ARCHIVES = /\/archives$/

describe('a 3-minute outage of the whole API', () => {
  it.each([
    ['at the step’s start', { fromMs: undefined }],
    ['from the create request on', { startsWith: { method: 'POST', path: BACKUPS } }],
    ['from the first status check on', { startsWith: { method: 'GET', path: /\/backups\/[0-9a-f-]{36}$/ } }]
  ] as const)('%s: ridden out, the backup completes, exactly one backup', async (_when, start) => {
    for (const answer of ['503', 'reset'] as const) {
      const { core, s } = await step({}, (sim) => sim.outage({ ...start, forMs: 3 * MINUTE, answer }))
      expect(core.failed).toBeUndefined()
      expect(core.outputs.status).toBe('completed')
      expect(s.backups()).toHaveLength(1)
      // The log said, about once a minute, that the API was failing and for how long the step would keep trying.
      const told = core.log.filter((l) => /while trying to|has been failing for/.test(l) && !l.startsWith('::debug::'))
      expect(told.length).toBeGreaterThanOrEqual(1)
      expect(told.length).toBeLessThanOrEqual(8)
    }
  })

  it('an outage that never ends fails the step within the patience and one backoff, with one line naming the operation, how long and the last answer', async () => {
    const { core, s, tookMs } = await step({}, (sim) => sim.outage({ forMs: 10 * 60 * MINUTE }))
    expect(core.failed).toMatch(
      /^WP Engine failed to get install mysite|^WP Engine failed to list installs .*\(503: Service Unavailable\) for 5m( \d+s)? \(\d+ attempts\)\. The API may be having problems; re-run the job later\.$/
    )
    expect(tookMs).toBeGreaterThanOrEqual(5 * MINUTE)
    expect(tookMs).toBeLessThanOrEqual(5 * MINUTE + 30_000)
    // No hammering: a handful of requests a minute.
    expect(s.requests.length).toBeLessThanOrEqual(40)
    expect(s.backups()).toHaveLength(0)
  })

  it('never past timeout: with timeout 2m, the step ends by then, as a timeout', async () => {
    const { core, s, tookMs } = await step({}, (sim) => sim.outage({ forMs: 10 * 60 * MINUTE }), { timeout: '2m' })
    expect(tookMs).toBeLessThanOrEqual(2 * MINUTE)
    // One line, naming what the step was doing and the API's last answer.
    expect(core.failed).toMatch(
      /^The step's timeout ran out while trying to list installs \(the API had been failing for 1m \d+s; last answer: HTTP 503 "Service Unavailable"\)\.$/
    )
    expect(core.log.filter((line) => line.startsWith('::error::'))).toHaveLength(1)
    expect(s.backups()).toHaveLength(0)
  })
})

describe('lagging lists and lost answers', () => {
  it('an archive listed only 30 s after it was made, and its request answer lost: used, one request, exactly one archive', async () => {
    const { core, s, posts } = await step(
      { archiveListLagMs: 30_000 },
      (sim) => sim.fault({ method: 'POST', path: ARCHIVES, type: 'lost-answer' }),
      { archive: 'true' }
    )
    expect(core.failed).toBeUndefined()
    expect([posts(ARCHIVES), s.archives().length, s.backups().length]).toEqual([1, 1, 1])
    expect(core.outputs['archive-id']).toBe(s.archives()[0]?.id)
  })

  it('an archive request whose answer is lost and that made nothing: asked once more after the window, exactly one archive', async () => {
    const { core, s, posts } = await step({}, (sim) => sim.fault({ method: 'POST', path: ARCHIVES, type: '502' }), { archive: 'true' })
    expect(core.failed).toBeUndefined()
    expect([posts(ARCHIVES), s.archives().length]).toEqual([2, 1])
    expect(core.log).toContainEqual(
      expect.stringMatching(/No archive of backup .* is listed 1m( \d+s)? after the answer was lost.*asking once more\.$/)
    )
  })

  it('two archive requests whose answers are lost and that made nothing: no third, and the step says the archive may yet appear', async () => {
    const { core, posts } = await step({}, (sim) => sim.fault({ method: 'POST', path: ARCHIVES, type: '502', times: 2 }), {
      archive: 'true'
    })
    expect(posts(ARCHIVES)).toBe(2)
    expect(core.failed).toMatch(/no off-site copy|archive/i)
    expect(core.summaries.join('\n')).toMatch(/after the second request, whose answer was lost too; WP Engine may still make one/)
  })
})

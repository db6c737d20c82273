import { describe, expect, it } from '@jest/globals'
import type { Simulator } from '../../sim/server.js'
import { INSTALL } from '../support/helpers.js'
import type { SimOptions } from '../support/sim-helpers.js'
import { useTurnBed } from '../support/turns.js'

// Waiting that learns from the install's history, through run() against the simulator on a fake clock.

const SECOND = 1_000
const MINUTE = 60 * SECOND
const DAY = 24 * 60 * MINUTE
const bed = useTurnBed({ requestedMs: 20 * SECOND })

/** Twelve completed backups of the install, one a day, taking 4m 10s to 5m 30s. */
const USUAL = [250, 330, 270, 290, 260, 300, 280, 310, 265, 295, 285, 275].map((s) => s * SECOND)

async function setup(options: SimOptions & { history?: number[] } = {}) {
  const { history = USUAL, ...simOptions } = options
  const { sim: s, backup } = await bed({ durationMs: 280 * SECOND, ...simOptions })
  history.forEach((durationMs, day) => s.seedBackup({ installId: INSTALL.id, ageMs: (day + 1) * DAY, durationMs }))
  const go = (inputs: Record<string, string> = {}) => backup(inputs)
  return { sim: s, go }
}

const statusChecks = (s: Simulator) => s.requests.filter((r) => r.method === 'GET' && /\/backups\/[0-9a-f-]{36}$/.test(r.path))

describe('waiting that knows how long a backup takes', () => {
  it('says how long backups of the install usually take and when to expect this one, and says it again in the summary', async () => {
    const { sim: s, go } = await setup()
    const { core, start } = await go()
    expect(core.failed).toBeUndefined()
    expect(core.outputs.status).toBe('completed')
    const expectedAt = new Date(start + 282_500).toISOString().slice(11, 19)
    expect(core.log).toContain(`Backups of mysite usually take 4m 10s–5m 30s (last 12); expecting completion around ${expectedAt} UTC.`)
    expect(core.log).toContainEqual(
      expect.stringMatching(
        new RegExp(`^::group::Waiting for backup ${core.outputs['backup-id']} \\(timeout [\\dhms ]+, poll-interval auto\\)$`)
      )
    )
    expect(core.summaries.join('')).toContain('| Took | 4m 40s; usually 4m 10s–5m 30s (last 12) |')
    // One pass through the list for the history, after the request.
    expect(s.requests.filter((r) => r.method === 'GET' && r.path === `/installs/${INSTALL.id}/backups`)).toHaveLength(1)
    // The heartbeat measures progress against the history.
    expect(core.log.find((l) => l.startsWith('Still waiting'))).toMatch(/; usually done after 4m 10s–5m 30s \(last 12\)$/)
  })

  it('spends fewer status checks than the schedule without a history, and still notices the completion within seconds', async () => {
    const paced = await setup()
    await paced.go()
    const blind = await setup()
    await blind.go({ 'poll-interval': '15s' })
    const [pacedChecks, blindChecks] = [statusChecks(paced.sim), statusChecks(blind.sim)]
    expect(pacedChecks.length).toBeLessThan(blindChecks.length * 0.75)
    const doneAt = (s: Simulator) => s.backups().find((b) => b.description?.includes('[ci '))!
    for (const [s, checks] of [
      [paced.sim, pacedChecks],
      [blind.sim, blindChecks]
    ] as const) {
      const done = doneAt(s)
      const lag = checks.at(-1)!.at - Date.parse(done.complete_time!)
      expect(lag).toBeGreaterThanOrEqual(0)
      expect(lag).toBeLessThanOrEqual(15 * SECOND)
    }
    // With an explicit poll-interval, no gap is longer than it.
    const gaps = blindChecks.slice(1).map((r, i) => r.at - blindChecks[i]!.at)
    expect(Math.max(...gaps)).toBeLessThanOrEqual(15 * SECOND)
  })

  it('a backup that takes longer than usual is said to, while it runs, and still noticed', async () => {
    const { go } = await setup({ durationMs: 9 * MINUTE })
    const { core } = await go()
    expect(core.outputs.status).toBe('completed')
    expect(core.log.filter((l) => l.startsWith('Still waiting')).at(-1)).toMatch(
      /; already longer than the usual 4m 10s–5m 30s \(last 12\)$/
    )
  })

  it('too little history: says so, and keeps the schedule that needs none', async () => {
    const { go } = await setup({ history: [250 * SECOND, 260 * SECOND] })
    const { core } = await go()
    expect(core.outputs.status).toBe('completed')
    expect(core.log).toContain(
      'Only 2 completed backups of mysite with times to learn from (3 needed, outliers aside); checks keep the schedule that needs none (at most 15s apart, or poll-interval).'
    )
    expect(core.summaries.join('')).toContain('| Took | 4m 40s |')
  })

  it.each(['403', '503'] as const)('a history that cannot be read (%s) never fails the wait, and is not asked for again', async (type) => {
    const { sim: s, go } = await setup()
    s.fault({ method: 'GET', path: `/installs/${INSTALL.id}/backups`, type })
    const { core } = await go()
    expect(core.failed).toBeUndefined()
    expect(core.outputs.status).toBe('completed')
    expect(core.log.find((l) => l.startsWith('Could not read the backup history of mysite'))).toMatch(
      /checks keep the schedule that needs none\.$/
    )
    // One attempt: the wait's own checks keep the retry budget.
    expect(s.requests.filter((r) => r.method === 'GET' && r.path === `/installs/${INSTALL.id}/backups`)).toHaveLength(1)
  })

  it('a backup named by backup-id is paced by its age, not by the time waited', async () => {
    const { sim: s, go } = await setup()
    const running = s.seedBackup({ installId: INSTALL.id, description: 'Earlier step', ageMs: 4 * MINUTE, durationMs: 280 * SECOND })
    const { core, start } = await go({ 'backup-id': running.id })
    expect(core.outputs.status).toBe('completed')
    const expectedAt = new Date(start - 4 * MINUTE + 282_500).toISOString().slice(11, 19)
    expect(core.log).toContain(`Backups of mysite usually take 4m 10s–5m 30s (last 12); expecting completion around ${expectedAt} UTC.`)
    // Completed 40 s after waiting began, inside its usual range: noticed within a dense gap, not minutes later.
    const checks = statusChecks(s)
    expect(checks.at(-1)!.at - (start + 40 * SECOND)).toBeLessThanOrEqual(15 * SECOND)
  })

  it('a backup reused while it runs is expected by its age, from the same list that found it', async () => {
    const { sim: s, go } = await setup()
    s.seedBackup({ installId: INSTALL.id, description: 'Nightly', ageMs: 2 * MINUTE, durationMs: 280 * SECOND })
    const { core, start } = await go({ 'reuse-within': '30m' })
    expect(core.outputs.reused).toBe('true')
    expect(s.requests.filter((r) => r.method === 'GET' && r.path === `/installs/${INSTALL.id}/backups`)).toHaveLength(1)
    const expectedAt = new Date(start - 2 * MINUTE + 282_500).toISOString().slice(11, 19)
    expect(core.log).toContain(`Backups of mysite usually take 4m 10s–5m 30s (last 12); expecting completion around ${expectedAt} UTC.`)
  })
})

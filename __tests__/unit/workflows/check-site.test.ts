import { describe, expect, it } from '@jest/globals'
import type { PageAnswer } from '../../../src/site/get-page.js'
import { answerText, checkSite, SITE_CHECK_CEILING_MS, type SiteAnswer } from '../../../src/workflows/check-site.js'
import { CancelledError } from '../../../src/wpengine/errors.js'
import { NetworkError } from '../../../src/wpengine/http.js'
import { FakeClock } from '../../support/helpers.js'

// The site check after a restore, on a fake clock: what the site answers is a function of the time.

const MINUTE = 60_000

/** A site that answers `answer(ms since the checks began)`: a page, or a thrown failure. */
function site(clock: FakeClock, answer: (elapsedMs: number) => PageAnswer | Error) {
  const start = clock.now()
  const seen: number[] = []
  return {
    seen,
    get: async (): Promise<PageAnswer> => {
      seen.push(clock.now() - start)
      const result = answer(clock.now() - start)
      if (result instanceof Error) throw result
      return result
    }
  }
}
const page = (status: number, body = ''): PageAnswer => ({ status, redirects: 0, body })

describe('checkSite', () => {
  it('checks gently at first, then sparser, never more than 30s apart, until the site answers 2xx', async () => {
    const clock = new FakeClock()
    const { get, seen } = site(clock, (ms) => (ms < 8 * MINUTE ? page(503) : page(200)))
    const result = await checkSite({ get, clock, timeoutMs: 10 * MINUTE, random: () => 0 })
    expect(result).toMatchObject({ ok: true, last: { kind: 'answer', status: 200 } })
    const gaps = seen.map((at, n) => at - (seen[n - 1] ?? 0))
    expect(gaps[0]).toBe(2_500)
    expect(gaps.every((gap, n) => n === 0 || gap >= (gaps[n - 1] ?? 0))).toBe(true)
    expect(Math.max(...gaps)).toBe(SITE_CHECK_CEILING_MS)
    // Within 30s of the site coming back, in far fewer checks than one a few seconds would take.
    expect(result.tookMs - 8 * MINUTE).toBeLessThanOrEqual(SITE_CHECK_CEILING_MS)
    expect(result.checks).toBeLessThan(40)
  })

  it('holds out for the text: a 200 without it is not the site asked for', async () => {
    const clock = new FakeClock()
    const { get } = site(clock, (ms) => page(200, ms < MINUTE ? '<h1>Broken deploy</h1>' : '<h1>Welcome back</h1>'))
    const result = await checkSite({ get, text: 'Welcome back', clock, timeoutMs: 10 * MINUTE })
    expect(result.ok).toBe(true)
    expect(result.tookMs).toBeGreaterThanOrEqual(MINUTE)
    expect(answerText(result.last, 'Welcome back')).toBe("200 with 'Welcome back'")
  })

  it('gives up when the time is out, its last check on the deadline, saying what the site answered last', async () => {
    const clock = new FakeClock()
    const { get, seen } = site(clock, () => page(503))
    const result = await checkSite({ get, clock, timeoutMs: 10 * MINUTE })
    expect(result).toMatchObject({ ok: false, tookMs: 10 * MINUTE, last: { kind: 'answer', status: 503 } })
    expect(seen.at(-1)).toBe(10 * MINUTE)
    expect(result.checks).toBe(seen.length)
  })

  it('a site that does not answer at all is "no answer", with why', async () => {
    const clock = new FakeClock()
    const { get } = site(clock, () => new NetworkError('connect ECONNREFUSED', 'ECONNREFUSED', false))
    const result = await checkSite({ get, clock, timeoutMs: MINUTE })
    expect(result.last).toEqual({ kind: 'none', code: 'ECONNREFUSED' })
    expect(answerText(result.last)).toBe('no answer (ECONNREFUSED)')
  })

  it('tells of the first answer, each change, and about once a minute while nothing changes', async () => {
    const clock = new FakeClock()
    const { get } = site(clock, (ms) => (ms < 3 * MINUTE ? page(503) : ms < 4 * MINUTE ? page(502) : page(200)))
    const told: [SiteAnswer, number][] = []
    await checkSite({
      get,
      clock,
      timeoutMs: 10 * MINUTE,
      random: () => 0,
      onCheck: (answer, { elapsedMs, news }) => void (news && told.push([answer, elapsedMs]))
    })
    const statuses = told.map(([answer]) => (answer.kind === 'answer' ? answer.status : 0))
    expect(statuses[0]).toBe(503)
    expect(statuses.filter((status) => status === 503).length).toBeGreaterThanOrEqual(3)
    expect(statuses.filter((status) => status === 503).length).toBeLessThanOrEqual(4)
    expect(statuses.slice(-2)).toEqual([502, 200])
  })

  it('ends at once when the step is cancelled', async () => {
    const clock = new FakeClock()
    const cancel = new AbortController()
    const { get } = site(clock, (ms) => {
      if (ms > MINUTE) cancel.abort()
      return page(503)
    })
    await expect(checkSite({ get, clock, timeoutMs: 10 * MINUTE, signal: cancel.signal })).rejects.toBeInstanceOf(CancelledError)
    expect(clock.now()).toBeLessThan(Date.UTC(2026, 0, 1) + 2 * MINUTE)
  })
})

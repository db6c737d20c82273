import { afterAll, describe, expect, it } from '@jest/globals'
import { defaultInstalls } from '../../../sim/server.js'
import { AccountRateLimit } from '../../../src/wpengine/rate-limit.js'
import { createNodeSend } from '../../../src/wpengine/http.js'
import { FakeClock } from '../../support/helpers.js'
import { simClient, useSimulators } from '../../support/sim-helpers.js'

describe('AccountRateLimit', () => {
  it('paces nothing until a 429: every turn is at once', async () => {
    const clock = new FakeClock()
    const pace = new AccountRateLimit(clock)
    const start = clock.now()
    for (let i = 0; i < 50; i++) pace.answered(await pace.turn(), false)
    expect(clock.now()).toBe(start)
    expect(pace.requestsPerSecond).toBeUndefined()
  })

  it('after a 429, halves to half of what was being sent, and every request waits out one shared pause', async () => {
    const clock = new FakeClock()
    const told: string[] = []
    const pace = new AccountRateLimit(clock, (message) => told.push(message))
    const sent: number[] = []
    for (let i = 0; i < 20; i++) {
      if (i > 0) clock.advance(50) // 20 requests a second
      sent.push(await pace.turn())
    }
    pace.answered(sent.at(-1) ?? 0, true)
    expect(pace.requestsPerSecond).toBe(10)
    // The 429s of requests sent before the decrease are answered for already: no second halving.
    pace.answered(sent.at(-2) ?? 0, true)
    expect(pace.requestsPerSecond).toBe(10)
    expect(told).toEqual([
      "WP Engine's rate limit answered 429 (too many requests): every request of this step now waits its turn, about 10 requests a second, and the pace grows back while no 429 comes."
    ])
    const pausedAt = clock.now()
    const next = await pace.turn()
    expect(next - pausedAt).toBe(1_000)
    pace.answered(next, false)
    const after = await pace.turn()
    expect(after - next).toBe(100) // 10 a second
  })

  it('grows back by one request a second for each second without a 429, up to twice the rate that drew it', async () => {
    const clock = new FakeClock()
    const pace = new AccountRateLimit(clock)
    let last = 0
    for (let i = 0; i < 8; i++) {
      if (i > 0) clock.advance(125) // 8 a second
      last = await pace.turn()
    }
    pace.answered(last, true)
    expect(pace.requestsPerSecond).toBe(4)
    // Three seconds later, two of them past the pause of one second: two more a second.
    clock.advance(3_000)
    pace.answered(await pace.turn(), false)
    expect(pace.requestsPerSecond).toBeCloseTo(4 + 2, 5)
    clock.advance(60_000)
    pace.answered(await pace.turn(), false)
    expect(pace.requestsPerSecond).toBe(16)
  })

  it('429 after 429 doubles the pause, up to 30 s; a Retry-After pauses everyone for as long as it says', async () => {
    const clock = new FakeClock()
    const pace = new AccountRateLimit(clock)
    const waits: number[] = []
    let at = await pace.turn()
    for (let i = 0; i < 7; i++) {
      pace.answered(at, true)
      const before = clock.now()
      at = await pace.turn()
      waits.push(at - before)
    }
    // The first wait is the spacing of the lowest rate (half a request a second), longer than its pause.
    expect(waits).toEqual([2_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000])
    const other = new AccountRateLimit(clock)
    const sent = await other.turn()
    other.answered(sent, true, 45_000)
    expect((await other.turn()) - sent).toBe(45_000)
  })

  it('a turn that waits ends when the step is cancelled', async () => {
    const clock = new FakeClock()
    const pace = new AccountRateLimit(clock)
    pace.answered(await pace.turn(), true)
    const cancel = new AbortController()
    cancel.abort(new Error('cancelled'))
    await expect(pace.turn(cancel.signal)).rejects.toThrow('cancelled')
  })
})

describe('the client keeps one pace for every request of the step', () => {
  const transport = createNodeSend()
  afterAll(() => transport.close())
  const freshSim = useSimulators()

  /** 60 install lookups, 10 in flight, against an account that allows 5 requests a second: the share answered 429. */
  async function limitedShare(rateLimit?: false): Promise<number> {
    const clock = new FakeClock()
    const sim = await freshSim({ rateLimit: { perSecond: 5 }, now: () => clock.now(), installs: defaultInstalls(58) })
    const client = simClient(sim, { send: transport, clock, maxConcurrentRequests: 10, random: () => 0.5, rateLimit })
    await Promise.all(sim.installs.map((install) => client.getInstall(install.id)))
    return sim.requests.filter((r) => r.status === 429).length / sim.requests.length
  }

  it('slows all of them down together after a 429, where each on its own clock keeps the account over its limit', async () => {
    const paced = await limitedShare()
    const alone = await limitedShare(false)
    expect(paced).toBeLessThan(0.15)
    expect(alone).toBeGreaterThan(2 * paced)
  })
})

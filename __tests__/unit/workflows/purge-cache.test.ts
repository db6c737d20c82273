import { afterAll, describe, expect, it } from '@jest/globals'
import { MAX_RATE_LIMIT_WAIT_MS, purgeCache, RATE_LIMIT_WAIT_MS } from '../../../src/workflows/purge-cache.js'
import { WpeApiError } from '../../../src/wpengine/errors.js'
import { createNodeSend } from '../../../src/wpengine/http.js'
import { FakeClock, INSTALL } from '../../support/helpers.js'
import { count, simClient, useSimulators } from '../../support/sim-helpers.js'

// A cache purge after a restore, against the simulator on a fake clock: WP Engine allows one
// object-cache purge a minute per install, and a rate-limited purge is sent once more, no more.

const send = createNodeSend()
afterAll(() => send.close())
const freshSim = useSimulators()

async function setup() {
  const clock = new FakeClock()
  const sim = await freshSim({ now: () => clock.now() })
  const waits: number[] = []
  const purge = (type: 'all' | 'page' | 'object' = 'all') =>
    purgeCache(simClient(sim, { send, clock }), clock, INSTALL, type, { onRateLimited: (ms) => waits.push(ms) })
  return { clock, sim, waits, purge, posts: () => count(sim, 'POST', /\/purge_cache$/) }
}

describe('purgeCache', () => {
  it('purges at once when WP Engine allows it', async () => {
    const { purge, posts, clock } = await setup()
    await expect(purge('page')).resolves.toEqual({})
    expect([posts(), clock.sleeps]).toEqual([1, []])
  })

  it('rate-limited without a Retry-After: waits the minute WP Engine allows, then purges', async () => {
    const { purge, posts, clock, sim, waits } = await setup()
    await purge('object')
    // A second object-cache purge within the minute is refused (429, no Retry-After, as recorded traffic shows).
    await expect(purge('all')).resolves.toEqual({ waitedMs: RATE_LIMIT_WAIT_MS })
    expect(waits).toEqual([RATE_LIMIT_WAIT_MS])
    expect(clock.sleeps).toEqual([RATE_LIMIT_WAIT_MS])
    expect(posts()).toBe(3)
    expect(sim.purges().map((p) => p.type)).toEqual(['object', 'all'])
  })

  it('waits what Retry-After asks, and sends it once more only: still limited, it says to purge by hand', async () => {
    const { purge, posts, clock, sim } = await setup()
    sim.fault({ method: 'POST', path: /\/purge_cache$/, type: '429', retryAfter: '20', times: 2 })
    const error = await purge().catch((thrown: unknown) => thrown)
    expect(error).toBeInstanceOf(WpeApiError)
    expect((error as Error).message).toBe(
      'WP Engine still refused to purge the caches of install mysite after waiting 20s (429; it allows one object-cache purge a minute per install). Purge the cache in the WP Engine User Portal.'
    )
    expect([posts(), clock.sleeps]).toEqual([2, [20_000]])
  })

  it(`does not wait longer than ${MAX_RATE_LIMIT_WAIT_MS / 60_000}m for a rate limit`, async () => {
    const { purge, posts, clock, sim } = await setup()
    sim.fault({ method: 'POST', path: /\/purge_cache$/, type: '429', retryAfter: '600' })
    await expect(purge()).rejects.toThrow(
      'asked to wait 10m, longer than this step waits (2m). Purge the cache in the WP Engine User Portal.'
    )
    expect([posts(), clock.sleeps]).toEqual([1, []])
  })

  it('any other failure is the purge answer, sent once', async () => {
    const { purge, posts, sim } = await setup()
    sim.fault({ method: 'POST', path: /\/purge_cache$/, type: '403' })
    await expect(purge()).rejects.toThrow('The API user is not allowed to purge the caches of install mysite (403')
    expect(posts()).toBe(1)
  })
})

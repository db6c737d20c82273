import { describe, expect, it } from '@jest/globals'
import { ApiClock } from '../../../src/wpengine/api-clock.js'

// The API's clock as its Date header shows it: ages are counted by the clock that stamped create_time.

const AT = Date.UTC(2026, 5, 1, 12, 0, 0, 300)
const HOUR = 3_600_000
const header = (ms: number) => new Date(ms).toUTCString()

describe('ApiClock', () => {
  it('reads how far the API is behind or ahead from the Date header, taking the middle of its whole second', () => {
    const clock = new ApiClock()
    expect(clock.offsetMs).toBe(0)
    clock.observe(header(AT - HOUR), AT)
    expect(clock.offsetMs).toBe(-HOUR + 200)
    clock.observe(header(AT + 90_000), AT)
    expect(clock.offsetMs).toBe(90_200)
  })

  it('takes a difference within the header’s precision for none, and ignores a date that is no clock at all', () => {
    const clock = new ApiClock()
    clock.observe(header(AT + 1_000), AT)
    expect(clock.offsetMs).toBe(0)
    clock.observe(header(AT - 10 * 60_000), AT)
    for (const odd of [undefined, '', 'yesterday', header(AT + 30 * 24 * HOUR), header(0)]) clock.observe(odd, AT)
    expect(clock.offsetMs).toBe(-10 * 60_000 + 200)
  })
})

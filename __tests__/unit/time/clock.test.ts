import { describe, expect, it } from '@jest/globals'
import { systemClock } from '../../../src/time/clock.js'

describe('systemClock', () => {
  it('sleeps for real, and stops at once when aborted', async () => {
    const started = Date.now()
    await systemClock.sleep(30)
    expect(Date.now() - started).toBeGreaterThanOrEqual(25)
    const cancel = new AbortController()
    const sleeping = systemClock.sleep(60_000, cancel.signal)
    cancel.abort(new Error('stop'))
    await expect(sleeping).rejects.toThrow('stop')
    const already = new AbortController()
    already.abort(new Error('early'))
    await expect(systemClock.sleep(10, already.signal)).rejects.toThrow('early')
  })
})

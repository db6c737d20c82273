import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { formatDuration, parseDuration, readableTime } from '../../../src/time/time-text.js'

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['1h 30m', 5_400_000],
    ['1h30m15s', 5_415_000],
    [' 2M ', 120_000]
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms))

  // A bare number has no unit: GitHub's timeout-minutes would read 45 as minutes, this input once read seconds.
  it.each(['', '45', '300', 'abc', '1.5m', '-5', '30x', 'm', 'h', '1m1h', '10ms', '1h  30m x'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined()
  })

  it('reads back every h/m/s combination it could be given', () => {
    fc.assert(
      fc.property(fc.nat(99), fc.nat(59), fc.nat(59), (h, m, s) => {
        const text = `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}` || '0s'
        expect(parseDuration(text)).toBe(((h * 60 + m) * 60 + s) * 1000)
      })
    )
  })
})

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [499, '0s'],
    [95_000, '1m 35s'],
    [252_000, '4m 12s'],
    [1_800_000, '30m'],
    [3_600_000, '1h'],
    [3_900_000, '1h 5m'],
    [3_601_000, '1h 1s']
  ])('%d ms is %s', (ms, text) => expect(formatDuration(ms)).toBe(text))

  it('writes what parseDuration reads back, to the second, and never a zero part', () => {
    fc.assert(
      fc.property(fc.nat(7 * 24 * 3_600_000), (ms) => {
        const text = formatDuration(ms)
        expect(parseDuration(text)).toBe(Math.round(ms / 1000) * 1000)
        if (text !== '0s') expect(text).not.toMatch(/\b0[hms]/)
      })
    )
  })
})

describe('readableTime', () => {
  it('writes a time in UTC to the second, as people read it', () => {
    expect(readableTime('2026-11-22T10:04:41.372Z')).toBe('2026-11-22 10:04:41 UTC')
    expect(readableTime('2026-11-22T12:04:41+02:00')).toBe('2026-11-22 10:04:41 UTC')
  })

  it('keeps text that is not a time as it was', () => {
    expect(readableTime('yesterday')).toBe('yesterday')
  })

  it('names the same second as the ISO time it was given', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }),
        (date) => {
          const text = readableTime(date.toISOString())
          expect(text).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/)
          expect(Date.parse(text.replace(' UTC', 'Z').replace(' ', 'T'))).toBe(Math.floor(date.getTime() / 1000) * 1000)
        }
      )
    )
  })
})

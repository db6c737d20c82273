import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { readableTime } from '../../../src/time/time-text.js'

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

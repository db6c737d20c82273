import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { safeText } from '../../../src/text/safe-text.js'

describe('safeText', () => {
  it('defuses workflow commands and keeps text on one line', () => {
    expect(safeText('::set-output name=x::y')).toBe(': :set-output name=x: :y')
    expect(safeText('bad\n::add-mask::x\r\n\u001b[31mred')).toBe('bad : :add-mask: :x red')
  })

  it('cuts long text', () => {
    expect(safeText('x'.repeat(1000), 10)).toBe(`${'x'.repeat(9)}…`)
  })

  it('breaks up runs of colons of any length', () => {
    expect(safeText(':::x::::')).toBe(': : :x: : : :')
  })

  const hostile = fc.oneof(
    fc.string({ unit: 'binary' }),
    fc.string({ unit: fc.constantFrom(':', ':', 'a', '\n', '\r', '%', ' ', '\u2028', '\u001b') })
  )

  it('never lets any string start a workflow command or break a line', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const safe = safeText(text)
        expect(safe).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/)
        expect(safe).not.toContain('::')
        expect(safe.length).toBeLessThanOrEqual(500)
      })
    )
  })
})

import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { closestMatches, editDistance } from '../../../src/workflows/find-installs.js'

const name = fc.stringMatching(/^[a-z][a-z0-9]{2,13}$/)

describe('editDistance', () => {
  it.each([
    ['mysite', 'mysite', 0],
    ['mysite', 'mysitee', 1],
    ['mysite', 'mystie', 1],
    ['mysite', 'mysote', 1],
    ['shop', 'blog', 3],
    ['', 'abc', 3]
  ])('%s → %s is %d', (a, b, distance) => expect(editDistance(a, b)).toBe(distance))

  it('is symmetric, zero only for equal texts, and at most the longer length', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (a, b) => {
        const distance = editDistance(a, b)
        expect(editDistance(b, a)).toBe(distance)
        expect(distance === 0).toBe(a === b)
        expect(distance).toBeLessThanOrEqual(Math.max(a.length, b.length))
      })
    )
  })
})

describe('closestMatches', () => {
  it('suggests the install one slip away, nearest first', () => {
    expect(closestMatches('mysitee', ['filler0001', 'mysitestaging', 'mysite', 'mysit'])).toEqual(['mysite', 'mysit'])
    expect(closestMatches('shoptwoo', ['shopone', 'shoptwo', 'shopthree'])).toEqual(['shoptwo'])
    expect(closestMatches('blog', ['shop', 'mysite'])).toEqual([])
  })

  it('always suggests a name that differs by one typo, never the name itself, and never a far one', () => {
    fc.assert(
      fc.property(
        name,
        fc.array(name, { maxLength: 30 }),
        fc.nat(),
        fc.constantFrom('swap', 'drop', 'double'),
        (real, others, at, typo) => {
          const i = at % (real.length - 1)
          const wanted =
            typo === 'swap'
              ? real.slice(0, i) + real[i + 1] + real[i] + real.slice(i + 2)
              : typo === 'drop'
                ? real.slice(0, i) + real.slice(i + 1)
                : real.slice(0, i) + real[i] + real.slice(i)
          fc.pre(wanted !== real)
          const suggestions = closestMatches(wanted, [...others, real], 50)
          expect(suggestions).toContain(real)
          expect(suggestions).not.toContain(wanted)
          const most = Math.max(1, Math.floor(wanted.length / 3))
          for (const suggestion of suggestions) expect(editDistance(wanted, suggestion)).toBeLessThanOrEqual(most)
          const distances = suggestions.map((s) => editDistance(wanted, s))
          expect(distances).toEqual([...distances].sort((a, b) => a - b))
        }
      )
    )
  })

  it('gives at most three by default', () => {
    expect(closestMatches('site1', ['site2', 'site3', 'site4', 'site5'])).toEqual(['site2', 'site3', 'site4'])
  })
})

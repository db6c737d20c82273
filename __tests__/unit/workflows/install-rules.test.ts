import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { closestToPattern, globMatches, INSTALL_PATTERN, patternDistance } from '../../../src/workflows/install-rules.js'

const name = fc.stringMatching(/^[a-z][a-z0-9]{2,13}$/)
const pattern = fc.stringMatching(/^[a-z0-9*?]{1,10}$/)
/** The same pattern as a regular expression, written independently of globMatches. */
const asRegExp = (glob: string) => new RegExp(`^${glob.replace(/\*/g, '.*').replace(/\?/g, '.')}$`)

describe('INSTALL_PATTERN', () => {
  it.each(['*', 'shop*', '*stg', 'shop?', 's*p*', '*1*'])('takes %s', (text) => expect(INSTALL_PATTERN.test(text)).toBe(true))
  it.each(['shop', 'Shop*', 'shop-*', 'sh op*', '../*', `${'a'.repeat(64)}*`])('refuses %s', (text) =>
    expect(INSTALL_PATTERN.test(text)).toBe(false)
  )
})

describe('globMatches', () => {
  it.each([
    ['*', 'mysite', true],
    ['shop*', 'shop', true],
    ['shop*', 'shop12', true],
    ['shop*', 'myshop', false],
    ['*stg', 'shop1stg', true],
    ['*stg', 'shop1stgx', false],
    ['shop?', 'shop1', true],
    ['shop?', 'shop12', false],
    ['*dev*', 'blogdevtwo', true],
    ['a*b*c', 'aXbYbZc', true],
    ['a*b*c', 'aXbYcZ', false]
  ])('%s against %s: %s', (glob, text, expected) => expect(globMatches(glob, text)).toBe(expected))

  it('agrees with the same pattern as a regular expression', () => {
    fc.assert(
      fc.property(pattern, name, (glob, text) => expect(globMatches(glob, text)).toBe(asRegExp(glob).test(text))),
      { numRuns: 2_000 }
    )
  })

  it('stays fast on a pattern that backtracks', () => {
    expect(globMatches(`${'*a'.repeat(30)}b`, 'a'.repeat(5_000))).toBe(false)
  })
})

describe('patternDistance and closestToPattern', () => {
  it.each([
    ['shop*', 'shop1', 0],
    ['shpo*', 'shop1', 1],
    ['*dve', 'shop1dev', 1],
    ['shop?', 'shop', 1],
    ['blog*', 'shop1', 3],
    ['mysite', 'mysitee', 1]
  ])('%s → %s is %d', (glob, text, distance) => expect(patternDistance(glob, text)).toBe(distance))

  it('is zero exactly when the pattern matches', () => {
    fc.assert(fc.property(pattern, name, (glob, text) => expect(patternDistance(glob, text) === 0).toBe(globMatches(glob, text))))
  })

  it('suggests only near misses, nearest first, never a name the pattern matches', () => {
    const names = ['shop1', 'shop2', 'shop1stg', 'blog1', 'mysite']
    expect(closestToPattern('shp*', names)).toEqual(['shop1', 'shop1stg', 'shop2'])
    expect(closestToPattern('*stgg', names)).toEqual(['shop1stg'])
    expect(closestToPattern('wiki*', names)).toEqual([])
    fc.assert(
      fc.property(pattern, fc.array(name, { maxLength: 20 }), (glob, candidates) => {
        for (const suggestion of closestToPattern(glob, candidates)) expect(globMatches(glob, suggestion)).toBe(false)
      })
    )
  })
})

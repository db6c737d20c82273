import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import nock from 'nock'
import { closestMatches, editDistance, findInstalls } from '../../../src/workflows/find-installs.js'
import { createNodeSend } from '../../../src/wpengine/http.js'
import { API, FakeClock, INSTALL, useNock, nockClient } from '../../support/helpers.js'

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

describe('findInstalls: malformed entries in the list of installs', () => {
  const transport = createNodeSend()
  useNock(nock, { beforeAll, afterEach, afterAll })
  afterAll(() => transport.close())
  const client = (warnings: string[] = []) =>
    nockClient({ send: transport, clock: new FakeClock(), random: () => 0, onWarning: (message) => warnings.push(message) })
  /** A page of installs as the API sends it. */
  const installs = (from: number, count: number) =>
    Array.from({ length: count }, (_, n) => ({
      id: `00000000-0000-4000-8000-${String(from + n).padStart(12, '0')}`,
      name: `site${from + n}`
    }))

  it('one malformed install among valid ones: skipped with one warning, and the lookup by name still finds the right one', async () => {
    const warnings: string[] = []
    const page = [{ id: 'not-a-uuid', name: 'My Site!\n::add-mask::x' }, ...installs(0, 3), { ...INSTALL, environment: 'production' }]
    nock(API).get('/v1/installs').query(true).twice().reply(200, { count: page.length, next: null, results: page })
    const api = client(warnings)
    const [found] = await findInstalls(api, [{ kind: 'name', name: 'mysite' }])
    expect(found).toMatchObject({ install: { ...INSTALL, environment: 'production' } })
    await findInstalls(api, [{ kind: 'name', name: 'mysite' }])
    expect(warnings).toEqual([
      "Skipped 1 of the 5 items in WP Engine's answer to list installs, as they do not match the API's description: install id 'not-a-uuid' is not a UUID."
    ])
  })

  it('a malformed entry named like the install asked for fails that name only, and says why', async () => {
    const page = [{ id: 'not-a-uuid', name: 'mysite' }, ...installs(0, 2)]
    nock(API).get('/v1/installs').query(true).reply(200, { count: page.length, next: null, results: page })
    const warnings: string[] = []
    const [mysite, site1] = await findInstalls(client(warnings), [
      { kind: 'name', name: 'mysite' },
      { kind: 'name', name: 'site1' }
    ])
    expect(mysite && 'error' in mysite && (mysite.error as Error).message).toBe(
      "WP Engine lists an install named 'mysite', but its entry does not match the API's description (install id 'not-a-uuid' is not a UUID), so it cannot be used. Re-run the job later; if it happens again, contact WP Engine support."
    )
    expect(site1).toMatchObject({ install: { name: 'site1' } })
    expect(warnings).toEqual([])
  })
})

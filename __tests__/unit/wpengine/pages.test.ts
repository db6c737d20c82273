import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import nock from 'nock'
import { findInstalls } from '../../../src/workflows/find-installs.js'
import { createNodeSend } from '../../../src/wpengine/http.js'
import { allItems, MAX_PAGES } from '../../../src/wpengine/pages.js'
import { API, FakeClock, useNock, nockClient, rejection as failure } from '../../support/helpers.js'

// Offset pagination read to its end, and never past what any account could hold: a broken one stops with a clear error.

const transport = createNodeSend()
const client = () => nockClient({ send: transport, clock: new FakeClock(), random: () => 0 })

/** A page of installs as the API sends it. */
const installs = (from: number, count: number) =>
  Array.from({ length: count }, (_, n) => ({
    id: `00000000-0000-4000-8000-${String(from + n).padStart(12, '0')}`,
    name: `site${from + n}`
  }))

useNock(nock, { beforeAll, afterEach, afterAll })
afterAll(() => transport.close())

describe('pagination that never ends', () => {
  it(`an endless next: stops after ${MAX_PAGES} pages with a message that says why`, async () => {
    let requests = 0
    nock(API)
      .get('/v1/installs')
      .query(true)
      .times(MAX_PAGES + 1)
      .reply(200, () => {
        const offset = 100 * requests++
        return { next: `${API}/v1/installs?limit=100&offset=${offset + 100}`, results: installs(offset, 100) }
      })
    const [found] = await findInstalls(client(), [{ kind: 'name', name: 'mysite' }])
    expect(requests).toBe(MAX_PAGES)
    expect(found && 'error' in found && (found.error as Error).message).toBe(
      `WP Engine's answer to list installs went on for more than ${MAX_PAGES} pages (${MAX_PAGES * 100} items), more than any WP Engine account holds: its pagination looks broken, so the action stopped reading it. Re-run the job later.`
    )
  })

  it.each([
    ['a next that points back', { count: 500, next: `${API}/v1/installs?offset=0` }, 'stopped advancing (page 1 points back to offset 0)'],
    [
      'a next past the count',
      { count: 100, next: `${API}/v1/installs?offset=200` },
      'points past its end (offset 200 of the 100 items it counts)'
    ],
    ['more items than the count', { count: 50, next: null }, 'went on past the 50 items it counts (100 so far)']
  ])('%s: a clear error after one request', async (_label, page, problem) => {
    const scope = nock(API)
      .get('/v1/installs')
      .query(true)
      .reply(200, { ...page, results: installs(0, 100) })
    const error = await failure(
      (async () => {
        for await (const _ of allItems((offset) => client().listInstalls(offset))) void _
      })()
    )
    scope.done()
    expect(error.message).toBe(
      `WP Engine's answer to list installs ${problem}: its pagination looks broken, so the action stopped reading it. Re-run the job later.`
    )
  })
})

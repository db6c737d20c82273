import { describe, expect, it } from '@jest/globals'
import { chooseInstalls } from '../../../src/workflows/choose-installs.js'
import type { Install, ListOptions, Page, Unusable } from '../../../src/wpengine/types.js'
import type { SafeText } from '../../../src/text/safe-text.js'

const install = (n: number, name: string, environment = 'production'): Install => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  name,
  environment: environment as SafeText
})
const ACCOUNT = [install(1, 'shop2'), install(2, 'shop1'), install(3, 'blog1'), install(4, 'shop1stg', 'staging')]
const HIDDEN = install(9, 'hidden')

/** A client over ACCOUNT in pages of two, with one entry in a shape that cannot be used; it records the pages read. */
function client(broken: Unusable[] = []) {
  const pages: number[] = []
  const gets: string[] = []
  return {
    pages,
    gets,
    listInstalls: async (offset: number, options?: ListOptions): Promise<Page<Install>> => {
      pages.push(offset)
      const results = ACCOUNT.slice(offset, offset + 2)
      const unusable = offset === 0 ? broken.filter((item) => options?.askedFor?.(item)) : []
      return {
        results,
        unusable,
        received: results.length,
        nextOffset: offset + 2 < ACCOUNT.length ? offset + 2 : undefined,
        operation: 'list installs'
      }
    },
    getInstall: async (id: string): Promise<Install> => {
      gets.push(id)
      if (id === HIDDEN.id) return HIDDEN
      throw new Error(`no install ${id}`)
    }
  }
}

describe('chooseInstalls', () => {
  it('names and IDs alone: the list is read only as far as the last name', async () => {
    const api = client()
    const chosen = await chooseInstalls(api, { include: [{ kind: 'name', name: 'shop2' }], exclude: [], environments: [] })
    expect(chosen.resolutions.map((r) => ('install' in r ? r.install.name : 'error'))).toEqual(['shop2'])
    expect(api.pages).toEqual([0])
  })

  it("a pattern's installs come in name order, at the pattern's place; an ID the list does not show is asked for by itself", async () => {
    const api = client()
    const chosen = await chooseInstalls(api, {
      include: [
        { kind: 'name', name: 'blog1' },
        { kind: 'pattern', pattern: 'shop*' },
        { kind: 'id', id: HIDDEN.id }
      ],
      exclude: [],
      environments: []
    })
    expect(chosen.resolutions.map((r) => ('install' in r ? r.install.name : 'error'))).toEqual([
      'blog1',
      'shop1',
      'shop1stg',
      'shop2',
      'hidden'
    ])
    expect(api.pages).toEqual([0, 2])
    expect(api.gets).toEqual([HIDDEN.id])
    expect(chosen).toMatchObject({ problems: [], visible: 4 })
  })

  it('excluding an install whose entry cannot be used is no mistake: it is left out anyway', async () => {
    const api = client([{ reason: "id 'x' is not a UUID" as SafeText, name: 'oldshop' }])
    const chosen = await chooseInstalls(api, {
      include: [{ kind: 'pattern', pattern: '*' }],
      exclude: [{ kind: 'name', name: 'oldshop' }],
      environments: []
    })
    expect(chosen.problems).toEqual([])
    expect(chosen.resolutions).toHaveLength(4)
  })

  it('an install with no known environment is outside every environment asked for', async () => {
    const api = { ...client(), getInstall: async () => ({ id: HIDDEN.id, name: 'hidden' }) }
    const chosen = await chooseInstalls(api, { include: [{ kind: 'id', id: HIDDEN.id }], exclude: [], environments: ['production'] })
    expect(chosen.problems).toEqual([
      `install '${HIDDEN.id}' is an install of no known environment, outside environment (production): leave it out of install, or add its environment`
    ])
  })
})

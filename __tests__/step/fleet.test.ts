import { describe, expect, it } from '@jest/globals'
import type { InstallSeed, Simulator } from '../../sim/server.js'
import { requestsTo } from '../support/sim-helpers.js'
import { useStepBed } from '../support/step.js'

// A fleet in one step: installs chosen by rule (patterns, exclude, environment), a shard of them, the
// max-age audit, and what a fleet's outputs and summary look like; in process against the simulator, on
// a fake clock.

const MINUTE = 60_000

/** An agency's account: production shops and blogs, their staging and development copies, and two retired sites. */
function fleet(): InstallSeed[] {
  const installs: InstallSeed[] = []
  const add = (name: string, environment: string) =>
    installs.push({ id: `00000000-0000-4000-9000-${String(installs.length + 1).padStart(12, '0')}`, name, environment })
  for (const n of [1, 2, 3]) {
    add(`shop${n}`, 'production')
    add(`shop${n}stg`, 'staging')
    add(`shop${n}dev`, 'development')
  }
  for (const n of [1, 2]) add(`blog${n}`, 'production')
  add('oldshop', 'production')
  add('oldblog', 'production')
  return installs
}

const setup = useStepBed({ requestedMs: 30_000, durationMs: 4 * MINUTE, installs: fleet() })

const posts = (sim: Simulator) => requestsTo(sim, 'POST')
/** The installs a POST was sent for, by name. */
const backedUp = (sim: Simulator) =>
  posts(sim)
    .map((r) => sim.installs.find((i) => r.path === `/installs/${i.id}/backups`)?.name)
    .sort()
const namesIn = (backups: string | undefined) => (JSON.parse(backups ?? '[]') as { 'install-name': string }[]).map((b) => b['install-name'])

describe('installs chosen by rule', () => {
  it("'*' backs up every install the API user sees, logs the list before the first request, and reads the list once", async () => {
    const { sim, backup } = await setup()
    const { core } = await backup({ install: '*' })
    expect(core.failed).toBeUndefined()
    expect(backedUp(sim)).toEqual(sim.installs.map((i) => i.name).sort())
    expect(requestsTo(sim, 'GET', '/installs')).toHaveLength(1)
    const log = core.log.filter((line) => !line.startsWith('::debug::'))
    const group = log.indexOf('::group::Choosing installs: install *')
    expect(group).toBeGreaterThanOrEqual(0)
    expect(log[group + 1]).toBe('Chose 13 of the 13 installs this API user sees.')
    expect(log.slice(group + 2, group + 16)).toEqual(
      [...sim.installs]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((i) => `Install ${i.name} (${i.id}), ${i.environment}`)
        .concat('::endgroup::')
    )
    // Every install is named before the first POST leaves.
    const firstPost = sim.requests.findIndex((r) => r.method === 'POST')
    expect(sim.requests.slice(0, firstPost).every((r) => r.method === 'GET')).toBe(true)
    expect(core.log.at(-1)).toBe('✅ Backups of 13 installs completed. Their ids are in the backups output.')
  })

  it('mixes patterns and names freely: each install once, named ones where they are named, no warning for the overlap', async () => {
    const { sim, backup } = await setup()
    const { core } = await backup({ install: 'blog1, *stg, shop2stg, shop?dev' })
    expect(core.failed).toBeUndefined()
    expect(namesIn(core.outputs.backups)).toEqual(['blog1', 'shop1stg', 'shop3stg', 'shop2stg', 'shop1dev', 'shop2dev', 'shop3dev'])
    expect(posts(sim)).toHaveLength(7)
    expect(core.warnings).toEqual([])
  })

  it('exclude takes names, IDs and patterns; environment keeps what is in the environments given', async () => {
    const { sim, backup } = await setup()
    const oldblog = sim.installs.find((i) => i.name === 'oldblog')
    const { core } = await backup({ install: '*', environment: 'production', exclude: `old*, shop2, ${oldblog?.id}` })
    expect(core.failed).toBeUndefined()
    expect(namesIn(core.outputs.backups)).toEqual(['blog1', 'blog2', 'shop1', 'shop3'])
    expect(backedUp(sim)).toEqual(['blog1', 'blog2', 'shop1', 'shop3'])
    expect(core.log).toContain('Chose 4 of the 13 installs this API user sees; exclude left out 3: oldblog, oldshop, shop2.')
  })

  it('a rule that matches nothing is bad input: every such rule quoted with the closest names, one line, and nothing requested', async () => {
    const { sim, backup } = await setup()
    const { core } = await backup({ install: 'shpo*, blog*, shop1stg', environment: 'production', exclude: 'oldsho' })
    expect(sim.requests.every((r) => r.method === 'GET')).toBe(true)
    expect(core.failed).toBe(
      "Invalid input: install 'shpo*' matches no install this API user can see (13 installs searched). Did you mean shop1 or shop1dev or shop1stg?; " +
        "install 'shop1stg' is a staging install, outside environment (production): leave it out of install, or add its environment; " +
        "exclude 'oldsho' matches no install this API user can see (13 installs searched). Did you mean oldshop? Correct it or remove it from exclude."
    )
    expect(core.summaries[0]).toMatch(
      /^## ❌ WP Engine backup: invalid input\n\nNothing was requested: the step only read from WP Engine\.\n\n- install 'shpo\\\*'/
    )
    expect(core.outputs).toEqual({})
  })

  it('a pattern with installs, none in the environments given, says which environments they are in', async () => {
    const { sim, backup } = await setup()
    const { core } = await backup({ install: 'shop1*', environment: 'development, staging', exclude: 'shop1dev, shop1stg' })
    expect(posts(sim)).toEqual([])
    expect(core.failed).toBe(
      'Invalid input: install (shop1*) chooses 2 installs, and exclude (shop1dev, shop1stg) leaves out every one of them: there is nothing to back up'
    )
    const { core: other } = await backup({ install: 'blog*', environment: 'staging' })
    expect(other.failed).toBe("Invalid input: install 'blog*' matches 2 installs, none in environment (staging): 2 production")
  })

  it('a dry run chooses the same installs, refuses the same rules, and sends nothing but GET', async () => {
    const { sim, backup } = await setup()
    const { core } = await backup({ install: '*dev', exclude: 'shop3*', 'dry-run': 'true' })
    expect(core.failed).toBeUndefined()
    expect(namesIn(core.outputs.backups)).toEqual(['shop1dev', 'shop2dev'])
    expect(core.log).toContain('Chose 2 of the 13 installs this API user sees; exclude left out 1: shop3dev.')
    const { core: bad } = await backup({ install: '*dve', 'dry-run': 'true' })
    expect(bad.failed).toBe(
      "Invalid input: install '*dve' matches no install this API user can see (13 installs searched). Did you mean shop1dev or shop2dev or shop3dev?"
    )
    expect(sim.requests.every((r) => r.method === 'GET')).toBe(true)
  })
})

describe('shard', () => {
  it('N shards cover every install chosen exactly once, each the same set whatever the order of the list', async () => {
    const { sim, backup } = await setup({ durationMs: MINUTE })
    const shares: string[][] = []
    for (const k of [1, 2, 3]) {
      const { core } = await backup({ install: '*', shard: `${k}/3`, 'dry-run': 'true' })
      expect(core.failed).toBeUndefined()
      shares.push(namesIn(core.outputs.backups))
    }
    expect(shares.flat().sort()).toEqual(sim.installs.map((i) => i.name).sort())
    expect(shares.every((share) => share.length > 0)).toBe(true)

    sim.installs.reverse()
    const { core } = await backup({ install: '*', shard: '2/3' })
    expect(core.failed).toBeUndefined()
    expect(backedUp(sim)).toEqual([...(shares[1] ?? [])].sort())
    expect(core.log).toContain(`Shard 2/3 takes ${shares[1]?.length} of the 13 installs chosen; the other shards take the rest.`)
  })

  it('a shard that takes none of the installs chosen has nothing to do, and succeeds', async () => {
    const { sim, backup } = await setup()
    const runs = [await backup({ install: 'blog1', shard: '1/2' }), await backup({ install: 'blog1', shard: '2/2' })]
    expect(posts(sim)).toHaveLength(1)
    const idle = runs.find(({ core }) => namesIn(core.outputs.backups).length === 0)?.core
    expect(idle?.failed).toBeUndefined()
    expect(idle?.log).toContainEqual(
      expect.stringMatching(
        /^Shard [12]\/2 takes none of the 1 installs chosen: nothing to back up in this job; the other shards take them all\.$/
      )
    )
    expect(idle?.log.at(-1)).toMatch(/^✅ Shard [12]\/2 has no install to back up/)
  })
})

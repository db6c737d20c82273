import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import type { InstallSeed, Simulator } from '../../sim/server.js'
import { requestsTo } from '../support/sim-helpers.js'
import { useStepBed } from '../support/step.js'

// A fleet in one step: installs chosen by rule (patterns, exclude, environment), a shard of them, the
// max-age audit, and what a fleet's outputs and summary look like; in process against the simulator, on
// a fake clock.

const MINUTE = 60_000
const HOUR = 60 * MINUTE

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
    // The backups output is also in a file, for a fleet too large for one output.
    expect(readFileSync(core.outputs['backups-file'] ?? '', 'utf8')).toBe(core.outputs.backups)
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

/** Each install's history: completed backups of these ages (hours), newest last; others none. */
function seedAges(sim: Simulator, ages: Record<string, { completed?: number[]; aborted?: number; running?: number }>) {
  for (const [name, { completed = [], aborted, running }] of Object.entries(ages)) {
    const installId = sim.installs.find((i) => i.name === name)?.id ?? ''
    for (const hours of completed) sim.seedBackup({ installId, ageMs: hours * HOUR, durationMs: 5 * MINUTE })
    if (aborted !== undefined) sim.seedBackup({ installId, ageMs: aborted * HOUR, durationMs: 5 * MINUTE, outcome: 'aborted' })
    if (running !== undefined) sim.seedBackup({ installId, ageMs: running * HOUR, durationMs: running * HOUR + 10 * MINUTE })
  }
}

const staleOf = (outputs: Record<string, string>) => JSON.parse(outputs.stale ?? 'null') as Record<string, unknown>[]

describe('max-age', () => {
  it('the scheduled audit: a dry run fails naming each install without a recent completed backup, oldest first, and sends only GETs', async () => {
    const { sim, backup, clock } = await setup()
    seedAges(sim, {
      shop1: { completed: [50, 10] },
      shop2: { completed: [30] },
      shop3: { completed: [40], aborted: 2 }, // an aborted backup does not count
      blog1: { completed: [20], running: 1 }, // nor does one still running
      blog2: {}
    })
    const { core } = await backup({ install: 'shop?, blog?', 'max-age': '26h', 'dry-run': 'true' })
    expect(sim.requests.every((r) => r.method === 'GET')).toBe(true)
    expect(core.failed).toBe(
      'Dry run: 3 of 5 installs have no completed backup within max-age (26h): blog2 (none: no completed backup yet), shop3 (40h old), shop2 (30h old). Nothing was requested.'
    )
    const shop3 = sim.installs.find((i) => i.name === 'shop3')
    expect(staleOf(core.outputs)).toEqual([
      { install: 'blog2', 'install-id': sim.installs.find((i) => i.name === 'blog2')?.id, 'newest-completed': '', 'age-seconds': null },
      {
        install: 'shop3',
        'install-id': shop3?.id,
        'newest-completed': new Date(clock.now() - 40 * HOUR).toISOString(),
        'age-seconds': 40 * 3600
      },
      expect.objectContaining({ install: 'shop2', 'age-seconds': 30 * 3600 })
    ])
    const rows = (core.summaries[0] ?? '').split('\n').filter((line) => /^\| (shop|blog)\d /.test(line))
    expect(rows.map((line) => line.split(' | ')[0]?.slice(2))).toEqual(['blog2', 'shop3', 'shop2', 'shop1', 'blog1'])
    expect(core.summaries[0]).toContain(
      'The installs listed first have no completed backup within max-age (26h), oldest first; the stale output lists them too.'
    )
  })

  it('passes when every install has one, saying how old the oldest is; stale is [] (and empty without max-age)', async () => {
    const { sim, backup } = await setup()
    seedAges(sim, { shop1: { completed: [3] }, shop2: { completed: [25, 70] } })
    const { core } = await backup({ install: 'shop1, shop2', 'max-age': '26h', 'dry-run': 'true' })
    expect(core.failed).toBeUndefined()
    expect(core.log.at(-1)).toBe(
      '✅ Dry run passed: all 2 installs found; a real run would request 2 new backups; all 2 installs have a completed backup within max-age (26h; the oldest is 25h old). Nothing was requested.'
    )
    expect(core.outputs.stale).toBe('[]')
    const { core: unaudited } = await backup({ install: 'shop1', 'dry-run': 'true' })
    expect(unaudited.outputs.stale).toBe('')
  })

  it('the nightly job: with reuse-within 20h and max-age 26h, backs up only what is stale, then holds every install to the bar', async () => {
    const { sim, backup } = await setup()
    seedAges(sim, { shop1: { completed: [5] }, shop2: { completed: [22] }, shop3: { running: 1 }, blog1: { completed: [19.5] } })
    const { core } = await backup({ install: 'shop?, blog1, blog2', 'reuse-within': '20h', 'max-age': '26h' })
    expect(core.failed).toBeUndefined()
    // shop1 and blog1 are recent enough, shop3's running backup is waited for: only shop2 and blog2 get a new one.
    expect(backedUp(sim)).toEqual(['blog2', 'shop2'])
    expect(core.outputs.stale).toBe('[]')
    // blog1's is the oldest: 19h 30m when the step began, and the step waited some 10 minutes for shop3's.
    expect(core.log.at(-1)).toMatch(
      /^✅ Backups of 5 installs completed \(3 reused\); all 5 installs have a completed backup within max-age \(26h; the oldest is 19h 4\dm( \d+s)? old\)\. Their ids are in the backups output\.$/
    )
  })

  it('a real run holds each install to the backup it made: an aborted one leaves the install stale, named in one line', async () => {
    const { sim, backup } = await setup()
    const shop2 = sim.installs.find((i) => i.name === 'shop2')
    if (shop2) shop2.outcome = 'aborted'
    seedAges(sim, { shop2: { completed: [3] } })
    const { core } = await backup({ install: 'shop1, shop2, shop3', 'max-age': '26h' })
    expect(core.failed).toBe(
      '1 of 3 installs has no completed backup within max-age (26h): shop2 (none: aborted by WP Engine). The job summary lists them first.'
    )
    expect(staleOf(core.outputs)).toEqual([{ install: 'shop2', 'install-id': shop2?.id, 'newest-completed': '', 'age-seconds': null }])
    expect(core.summaries[0]).toMatch(/^## ❌ WP Engine backups: 1 of 3 installs without a completed backup within max-age \(26h\)\n/)
  })
})

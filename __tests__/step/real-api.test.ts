import { describe, expect, it } from '@jest/globals'
import { defaultInstalls } from '../../sim/server.js'
import { INSTALL, markerOf, RUN_CONTEXT, STAGING } from '../support/helpers.js'
import { requestsTo } from '../support/sim-helpers.js'
import { useStepBed } from '../support/step.js'

// The WP Engine API as it really is, through the whole backup step against the simulator on a fake
// clock: answers that parse but do not fit their shape, a 500 that says why, the API gateway in front
// of an older version of the API (sim/server.js's gateway mode), stale records and the API's clock.

const SECOND = 1_000
const setup = useStepBed({ requestedMs: 5 * SECOND, durationMs: 40 * SECOND })
const STATUS_CHECK = /^\/installs\/[0-9a-f-]{36}\/backups\/[0-9a-f-]{36}$/

describe('an answer that parses but does not fit its shape', () => {
  it('a status that is a number: asked for once more, then one line naming the route and the field, within seconds', async () => {
    const bed = await setup({
      reshape: ({ method, path, body }) => (method === 'GET' && STATUS_CHECK.test(path) ? { ...(body as object), status: 3 } : body)
    })
    const { core, start } = await bed.backup()
    const [backup] = bed.sim.backups()
    expect(core.failed).toBe(
      `WP Engine's answer to GET /installs/{install_id}/backups/{backup_id} (to get backup ${backup?.id} of install mysite) does not fit the API's description, also when asked again: backup status is a number, not a status. The API answers this way every time, so the step stops rather than wait; if it persists, report it to WP Engine support.`
    )
    expect(requestsTo(bed.sim, 'GET', STATUS_CHECK)).toHaveLength(2)
    expect(bed.clock.now() - start).toBeLessThan(10 * SECOND)
    // The backup that was requested is still named, with its last known status.
    expect(core.outputs).toMatchObject({ 'backup-id': backup?.id, status: 'requested' })
  })

  it('an install fetched by id whose name is a number: carries on with a placeholder and one warning; install-name stays empty', async () => {
    const bed = await setup({
      reshape: ({ path, body }) => (path === `/installs/${INSTALL.id}` ? { ...(body as object), name: 42 } : body)
    })
    const { core } = await bed.backup({ install: INSTALL.id })
    expect(core.failed).toBeUndefined()
    expect(core.warnings).toEqual([
      "WP Engine's answer to GET /installs/{install_id} gives the install name as a number, which does not fit the API's description; carrying on showing unnamed-294deacc in its place."
    ])
    expect(core.log).toContain(`Install unnamed-294deacc (${INSTALL.id}), production`)
    expect(core.outputs).toMatchObject({ status: 'completed', 'install-id': INSTALL.id, 'install-name': '' })
  })
})

describe('a 500 that says why', () => {
  const FORBIDDEN = 'Forbidden: API access is disabled for this account'

  it("the create: the API's message in every lost-answer line and in the failure line; two POSTs, never a third", async () => {
    const bed = await setup({ gateway: {} })
    bed.sim.fault({ method: 'POST', path: /\/backups$/, type: '500', message: FORBIDDEN, times: 2 })
    const { core } = await bed.backup()
    const lost = `WP Engine's answer was lost while trying to request a backup of install mysite (HTTP 500 "${FORBIDDEN}")`
    // Both lost answers: looked for in the list, each line with what the API said.
    expect(core.log.filter((line) => line.startsWith(lost))).toHaveLength(2)
    expect(core.failed).toMatch(
      new RegExp(`^${lost.replace(/[()]/g, '\\$&')}; WP Engine may or may not have acted on it\\. That was the second request`)
    )
    expect(requestsTo(bed.sim, 'POST', /\/backups$/)).toHaveLength(2)
  })

  it("the restore: the API's message in its failure line, and no second restore", async () => {
    const bed = await setup({ gateway: {} })
    const backup = bed.sim.seedBackup({ installId: INSTALL.id, ageMs: 10 * 60 * SECOND })
    bed.sim.fault({ method: 'POST', path: /\/restore$/, type: '500', message: FORBIDDEN })
    const { core } = await bed.restore({ 'backup-id': backup.id, 'notification-emails': 'ops@example.com' })
    expect(core.failed).toContain(`(HTTP 500 "${FORBIDDEN}")`)
    expect(requestsTo(bed.sim, 'POST', /\/restore$/)).toHaveLength(1)
  })

  it("a backend refusal the gateway does not map: the 500's message in the first retry line and the failure line", async () => {
    const installs = defaultInstalls(0).map((install) => ({ ...install, forbidden: true }))
    const bed = await setup({ gateway: { unmapped: [403] }, installs })
    const { core } = await bed.backup({ install: INSTALL.id })
    const said = `HTTP 500 "You don't have permission to perform that action"`
    expect(core.log).toContainEqual(expect.stringMatching(new RegExp(`^${said} while trying to get install ${INSTALL.id}; retrying in`)))
    expect(core.failed).toMatch(
      new RegExp(`^WP Engine failed to get install ${INSTALL.id} \\(500: You don't have permission to perform that action\\) for 5m`)
    )
  })
})

describe('an older API: the gateway answers 403 Missing Authentication Token for the routes it lacks', () => {
  const BACKUPS = /^\/installs\/[0-9a-f-]{36}\/backups$/
  const noList = (consequence: string) =>
    `The WP Engine API does not offer the list of backups (GET /installs/{install_id}/backups answered 403 Missing Authentication Token), so ${consequence}.`
  const HISTORY = noList('the step could not learn how long backups of the install usually take; checks keep the schedule that needs none')

  it('v1.10 with reuse-within, two installs: each backup still requested once and waited for; reuse and history each say once that they could not look', async () => {
    const bed = await setup({ gateway: { version: '1.10' } })
    const { core } = await bed.backup({ install: 'mysite, mysitestaging', 'reuse-within': '30m' })
    expect(core.failed).toBeUndefined()
    expect(JSON.parse(core.outputs.backups ?? '[]')).toMatchObject([{ status: 'completed' }, { status: 'completed' }])
    expect(core.warnings).toEqual([
      noList('the step could not look for a backup to reuse or one already running (reuse-within); it requests a new one'),
      HISTORY
    ])
    expect(requestsTo(bed.sim, 'POST', BACKUPS)).toHaveLength(2)
    // The missing route is asked for once per install (both at once), never again for the history.
    expect(requestsTo(bed.sim, 'GET', BACKUPS)).toHaveLength(2)
  })

  it('v1.10 on a re-run: the earlier attempt could not be looked for, said once; a new backup is requested', async () => {
    const bed = await setup({ gateway: { version: '1.10' } })
    const { core } = await bed.backup({}, { context: { ...RUN_CONTEXT, runAttempt: 2 } })
    expect(core.outputs).toMatchObject({ status: 'completed', reused: 'false' })
    expect(core.warnings).toEqual([
      noList('the step could not look for the backup an earlier attempt of this run requested; it requests a new one'),
      HISTORY
    ])
  })

  it('v1.10, the answer to the create lost: no second POST; the step fails and says the backup may have been requested', async () => {
    const bed = await setup({ gateway: { version: '1.10' } })
    bed.sim.fault({ method: 'POST', path: BACKUPS, type: 'lost-answer' })
    const { core } = await bed.backup()
    expect(requestsTo(bed.sim, 'POST', BACKUPS)).toHaveLength(1)
    expect(core.failed).toMatch(
      /^WP Engine's answer was lost while trying to request a backup of install mysite \(network error ECONNRESET\); WP Engine may or may not have acted on it\. The API does not offer the list of backups to look for it in \(GET \/installs\/\{install_id\}\/backups answered 403 Missing Authentication Token\), so the step does not ask again: the backup may have been requested\. WP Engine may still list a backup of this step \(tagged \[ci [^\]]+\]\) later: check install mysite in the WP Engine User Portal before running the job again\.$/
    )
  })

  it.each([
    ['1.10', 'the list of archives', 'GET /installs/{install_id}/archives'],
    ['1.17', 'requesting archives', 'POST /installs/{install_id}/archives']
  ] as const)(
    'v%s with archive: fails plainly naming %s; the backup stays completed in the outputs',
    async (version, feature, endpoint) => {
      const bed = await setup({ gateway: { version } })
      const { core } = await bed.backup({ archive: 'true' })
      expect(core.failed).toBe(
        `Backup ${core.outputs['backup-id']} completed, but there is no off-site copy: The WP Engine API at ${new URL(bed.sim.url).origin} does not offer ${feature} (${endpoint} answered 403 Missing Authentication Token, the API gateway's answer for a route it does not have): this endpoint is not available from the API, which may be an older version than the one that added it. Nothing was done by this request. Leave archive and archive-path out until the API offers archives.`
      )
      expect(core.outputs).toMatchObject({ status: 'completed', 'archive-id': '' })
      expect(bed.sim.archives()).toEqual([])
    }
  )

  it('v1.10 restore: fails plainly, naming restores; nothing restored', async () => {
    const bed = await setup({ gateway: { version: '1.10' } })
    const backup = bed.sim.seedBackup({ installId: INSTALL.id, ageMs: 10 * 60 * SECOND })
    const { core } = await bed.restore({ 'backup-id': backup.id, 'notification-emails': 'ops@example.com' })
    expect(core.failed).toContain(
      'does not offer restores (POST /installs/{install_id}/backups/{backup_id}/restore answered 403 Missing Authentication Token'
    )
    expect(core.failed).not.toMatch(/allowed|access/)
    expect(bed.sim.restores()).toEqual([])
  })

  it('api-url without /v1: the first request fails at once, saying so; nothing requested', async () => {
    const bed = await setup({ gateway: {} })
    const { core } = await bed.backup({ install: STAGING.id, 'api-url': new URL(bed.sim.url).origin })
    expect(core.failed).toMatch(
      /^The WP Engine API has no route for installs by id at http:\/\/127\.0\.0\.1:\d+ \(.*\): api-url's path does not end in \/v1/
    )
    expect(bed.sim.requests).toHaveLength(1)
  })

  it('a dry run on v1.10 with reuse-within: passes, says a real run would request a backup, and what it could not look for', async () => {
    const bed = await setup({ gateway: { version: '1.10' } })
    const { core } = await bed.backup({ 'reuse-within': '30m', 'dry-run': 'true' })
    expect(core.failed).toBeUndefined()
    expect(core.log.at(-1)).toBe('✅ Dry run passed: a real run would request a new backup and wait for it. Nothing was requested.')
    expect(core.warnings).toEqual([
      noList('the dry run could not look for a backup to reuse or one already running (reuse-within); a real run would request a new one'),
      noList('the dry run could not learn how long backups of the install usually take; a real run keeps the schedule that needs none')
    ])
  })
})

describe('stale records, and the API’s clock', () => {
  const MINUTE = 60 * SECOND
  const HOUR = 60 * MINUTE
  const DAY = 24 * HOUR
  const attempt2 = { context: { ...RUN_CONTEXT, runAttempt: 2 } }

  it('reuse-within: a backup still in_progress 3 days after it was created is not waited for; one warning names it', async () => {
    const bed = await setup()
    const stuck = bed.sim.seedBackup({ installId: INSTALL.id, ageMs: 3 * DAY, durationMs: 4 * DAY })
    const { core } = await bed.backup({ 'reuse-within': '30m' })
    expect(core.warnings).toEqual([
      `Backup ${stuck.id} of mysite is still in_progress 72h after it was created, longer than any backup of the install takes (6h): it looks stuck, so it is not reused or waited for.`
    ])
    expect(core.outputs).toMatchObject({ status: 'completed', reused: 'false' })
    expect(core.outputs['backup-id']).not.toBe(stuck.id)
  })

  it('a re-run: attempt 1’s backup stuck in requested for 7 h is not adopted; a new backup is requested', async () => {
    const bed = await setup()
    const stuck = bed.sim.seedBackup({
      installId: INSTALL.id,
      description: `Pre-deploy ${markerOf({ attempt: 1 })}`,
      ageMs: 7 * HOUR,
      requestedMs: DAY,
      durationMs: DAY
    })
    const { core } = await bed.backup({}, attempt2)
    expect(core.warnings).toEqual([
      expect.stringMatching(new RegExp(`^Backup ${stuck.id} of mysite is still requested 7h after it was created`))
    ])
    expect(core.outputs).toMatchObject({ status: 'completed', reused: 'false' })
    expect(requestsTo(bed.sim, 'POST', /\/backups$/)).toHaveLength(1)
  })

  it('a re-run 3 days later: attempt 1’s completed backup is not this run’s restore point; a new one is requested, and the log says why', async () => {
    const bed = await setup()
    const old = bed.sim.seedBackup({ installId: INSTALL.id, description: `Pre-deploy ${markerOf({ attempt: 1 })}`, ageMs: 3 * DAY })
    const { core } = await bed.backup({}, attempt2)
    expect(core.log).toContain(
      `Backup ${old.id}, requested by attempt 1 of this run, completed but is 72h old, older than 6h, the limit without reuse-within: restoring it would undo what changed since, so it is not this run's restore point. Requesting a new backup.`
    )
    expect(core.outputs).toMatchObject({ status: 'completed', reused: 'false' })
    // Within the limit (reuse-within when set), it is used.
    const soon = await setup()
    const recent = soon.sim.seedBackup({ installId: INSTALL.id, description: `Pre-deploy ${markerOf({ attempt: 1 })}`, ageMs: 20 * MINUTE })
    const rerun = await soon.backup({ 'reuse-within': '30m' }, attempt2)
    expect(rerun.core.outputs).toMatchObject({ 'backup-id': recent.id, reused: 'true' })
  })

  it('backup-id naming a backup in_progress for 3 days: not waited for; the step fails at once and says so', async () => {
    const bed = await setup()
    const stuck = bed.sim.seedBackup({ installId: INSTALL.id, ageMs: 3 * DAY, durationMs: 4 * DAY })
    const { core, start } = await bed.backup({ 'backup-id': stuck.id })
    expect(core.failed).toBe(
      `Backup ${stuck.id} of install mysite (backup-id) is still in_progress 72h after it was created, longer than any backup of the install takes (6h): it looks stuck and will not complete, so the step does not wait for it. Leave backup-id out to request a new backup.`
    )
    expect(bed.clock.now() - start).toBeLessThan(MINUTE)
    const dry = await bed.backup({ 'backup-id': stuck.id, 'dry-run': 'true' })
    expect(dry.core.failed).toMatch(/^Dry run: A real run would stop at once: Backup .* looks stuck/)
  })

  it('the API’s clock an hour behind: a backup 10 minutes old is 10 minutes old, and a new one is expected when it is due', async () => {
    const bed = await setup({ apiClockOffsetMs: -HOUR })
    const recent = bed.sim.seedBackup({ installId: INSTALL.id, ageMs: 10 * MINUTE })
    const { core } = await bed.backup({ 'reuse-within': '30m' })
    expect(core.log).toContain(
      "WP Engine's clock is 1h behind the runner's (by its Date header); backup ages are counted by WP Engine's clock."
    )
    expect(core.outputs).toMatchObject({ 'backup-id': recent.id, reused: 'true' })
    // To within the Date header's whole second: not 1h 10m.
    expect(core.log).toContainEqual(expect.stringMatching(/completed and is 10m( 1s)? old, within reuse-within/))
    // A history of 40 s backups, and a new backup: expected 40 s after its request, by the runner's clock.
    const fresh = await setup({ apiClockOffsetMs: -HOUR })
    for (let day = 1; day <= 3; day++) fresh.sim.seedBackup({ installId: INSTALL.id, ageMs: day * DAY })
    const run = await fresh.backup()
    expect(run.core.log).toContain(
      `Backups of mysite usually take 40s (last 3); expecting completion around ${new Date(run.start + 40 * SECOND).toISOString().slice(11, 19)} UTC.`
    )
  })
})

describe('a history that does not fit: WP Engine’s 40-minute automatic backups beside 20-second on-demand ones', () => {
  const MINUTE = 60 * SECOND
  const DAY = 24 * 60 * MINUTE
  const ON_DEMAND = 20 * SECOND

  async function run(ownBackups: number) {
    const bed = await setup({ requestedMs: 2 * SECOND, durationMs: ON_DEMAND })
    for (let day = 1; day <= 12; day++)
      bed.sim.seedBackup({ installId: INSTALL.id, description: 'Automatic backup', ageMs: day * DAY, durationMs: 40 * MINUTE })
    for (let n = 0; n < ownBackups; n++)
      bed.sim.seedBackup({
        installId: INSTALL.id,
        description: `Pre-deploy ${markerOf({ nonce: `0000000${n}` })}`,
        ageMs: 20 * DAY + n,
        durationMs: ON_DEMAND
      })
    const { core } = await bed.backup()
    const mine = bed.sim.backups().find((b) => b.id === core.outputs['backup-id'])
    const lastCheck = requestsTo(bed.sim, 'GET', STATUS_CHECK).at(-1)
    return { core, lag: (lastCheck?.at ?? 0) - Date.parse(mine?.complete_time ?? '') }
  }

  it('with 3 backups of its own to learn from, paces by them: noticed within seconds', async () => {
    const { core, lag } = await run(3)
    expect(core.log).toContainEqual(
      expect.stringMatching(/^Backups of mysite usually take 20s \(last 3 requested by this action\); expecting/)
    )
    expect(core.outputs.status).toBe('completed')
    expect(lag).toBeGreaterThanOrEqual(0)
    expect(lag).toBeLessThanOrEqual(5 * SECOND)
  })

  it('with none, paced by the automatic ones: still noticed within a minute', async () => {
    const { core, lag } = await run(0)
    expect(core.log).toContainEqual(expect.stringMatching(/^Backups of mysite usually take 40m \(last 12\)/))
    expect(lag).toBeGreaterThanOrEqual(0)
    expect(lag).toBeLessThanOrEqual(MINUTE)
  })
})

describe('the heartbeat', () => {
  it('comes from a timer: with checks 10 minutes apart, the step still says every minute that it is waiting', async () => {
    const MINUTE = 60 * SECOND
    const bed = await setup({ durationMs: 25 * MINUTE })
    const { core } = await bed.backup({ 'poll-interval': '10m' })
    expect(core.outputs.status).toBe('completed')
    const elapsed = core.log.flatMap((line) => /^Still waiting for backup .*, (\d+)m elapsed/.exec(line)?.[1] ?? []).map(Number)
    expect(elapsed.slice(0, 24)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1))
  })
})

describe('the archive asked for is marked', () => {
  it('an archive entry of the backup being archived that does not fit its shape fails fast, as backups do; the backup stays completed', async () => {
    const bed = await setup({
      archiveMs: 20 * SECOND,
      reshape: ({ method, path, body }) =>
        method === 'GET' && /\/archives$/.test(path)
          ? { ...(body as object), results: (body as { results: object[] }).results.map((archive) => ({ ...archive, state: 7 })) }
          : body
    })
    const { core, start } = await bed.backup({ archive: 'true' })
    const backupId = core.outputs['backup-id']
    expect(core.failed).toBe(
      `WP Engine lists an archive of backup ${backupId} of install mysite, but its entry does not match the API's description (archive state is a number, not a status); not waiting for it nor requesting another. Check the install in the WP Engine User Portal, then re-run the job.`
    )
    expect(core.outputs.status).toBe('completed')
    expect(bed.sim.archives()).toHaveLength(1)
    // Not skipped with a warning while the step waits out its timeout.
    expect(core.warnings).toEqual([])
    expect(bed.clock.now() - start).toBeLessThan(60 * SECOND)
  })
})

describe('a completed archive with no link yet', () => {
  const MINUTE = 60 * SECOND
  const archivePosts = (bed: Awaited<ReturnType<typeof setup>>) => requestsTo(bed.sim, 'POST', /\/archives$/)
  const archiveOnly = async (linkDelayMs: number, inputs: Record<string, string> = {}) => {
    const bed = await setup({ archiveMs: 20 * SECOND, archiveLinkDelayMs: linkDelayMs })
    return { bed, ...(await bed.backup({ archive: 'true', ...inputs })) }
  }

  it('a link that comes 40 s later: asked again with backoff, and used; no second archive', async () => {
    const { bed, core } = await archiveOnly(40 * SECOND)
    const [archive] = bed.sim.archives()
    expect(core.failed).toBeUndefined()
    expect(core.log).toContainEqual(
      expect.stringMatching(new RegExp(`^Archive ${archive?.id} has its download link, 4\\ds after it was first seen without one\\.$`))
    )
    expect(core.outputs['archive-url']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/downloads\//)
    expect(archivePosts(bed)).toHaveLength(1)
    // Looks at growing gaps (5 s, then half as long again each time, up to 30 s): a handful of list requests.
    const completedAt = Date.parse(archive?.complete_time ?? '')
    expect(requestsTo(bed.sim, 'GET', /\/archives$/).filter((r) => r.at > completedAt).length).toBeLessThanOrEqual(6)
  })

  it('no link in 5 minutes: only then a new archive is requested', async () => {
    const bed = await setup({ archiveMs: 20 * SECOND, archiveLinkDelayMs: 30 * MINUTE })
    const { core } = await bed.backup({ 'archive-path': 'site.zip' }, { env: { GITHUB_WORKSPACE: '/nonexistent-never-written' } })
    const [first, second] = archivePosts(bed)
    const [archive] = bed.sim.archives()
    expect(core.log).toContainEqual(
      `WP Engine reported archive ${archive?.id} completed, but gave no download link in 5m of asking. Requesting a new archive of backup ${core.outputs['backup-id']} in place of ${archive?.id}.`
    )
    // The first archive completed 20 s after its request; the second was asked for 5 minutes later.
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(5 * MINUTE + 20 * SECOND)
    expect(archivePosts(bed)).toHaveLength(2)
    expect(core.failed).toMatch(/That was a new archive \(.*\), requested when archive .* failed too; re-run the job later\.$/)
  })

  it('the timeout comes first: no new archive, and the line says to raise timeout', async () => {
    const { bed, core } = await archiveOnly(30 * MINUTE, { 'archive-path': 'site.zip', timeout: '4m' })
    const [archive] = bed.sim.archives()
    expect(archivePosts(bed)).toHaveLength(1)
    expect(core.failed).toMatch(
      new RegExp(
        `^Backup .* completed, and WP Engine reported archive ${archive?.id} completed, but gave no download link before the timeout of 4m ran out \\(asked for \\d+m( \\d+s)?\\)\\. Raise timeout; a re-run uses the same archive\\.$`
      )
    )
    expect(core.outputs.status).toBe('completed')
  })
})

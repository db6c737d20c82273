import { describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { defaultInstalls, type Simulator } from '../../sim/server.js'
import { verifyZip } from '../../src/archive/verify-zip.js'
import { FakeClock, INSTALL, RUN_CONTEXT, type RecordingCore } from '../support/helpers.js'
import { backupStep, useStepBed } from '../support/step.js'
import { useWorkspaces } from '../support/workspaces.js'

// The off-site copy, a whole backup step in process against the simulator on a fake clock, with the
// zips written to real temporary directories: the archive requested and downloaded, resumed, verified
// to the last byte, refused and missing links, a stalling server, and several installs in one step.

const MB = 1024 * 1024
const setup = useStepBed()
const workspace = useWorkspaces()
type Bed = Awaited<ReturnType<typeof setup>>

const downloads = (s: Simulator) => s.requests.filter((r) => r.path.startsWith('/downloads/'))
const archivePosts = (s: Simulator) => s.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/archives'))
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')
const errorLines = (core: RecordingCore) => core.log.filter((line) => line.startsWith('::error::'))

/**
 * Whatever happened, every download link the step used was masked, and no link's token shows anywhere
 * a person or a later job reads: the log, the summary, the backups output.
 */
function expectLinksMasked(s: Simulator, core: RecordingCore): void {
  const used = downloads(s).map((r) => s.links().find((link) => link.endsWith(`token=${r.query.token}`)))
  for (const link of [...used, core.outputs['archive-url']].filter(Boolean)) expect(core.text).toContain(`::add-mask::${link}`)
  for (const text of [core.visibleText, core.summaries.join('\n'), core.outputs.backups ?? '']) expect(text).not.toContain('token=')
}

/** The backup step for mysite on the bed's simulator, with its links checked as above. */
async function backup(bed: Bed, inputs: Record<string, string>, more: Parameters<Bed['backup']>[1] = {}): Promise<RecordingCore> {
  const { core } = await bed.backup(inputs, more)
  expectLinksMasked(bed.sim, core)
  return core
}

/** archive-path resolves against the workspace: a fresh directory, removed after the file. */
const inWorkspace = (dir: string) => ({ env: { GITHUB_WORKSPACE: dir } })

describe('archive: an off-site copy of the backup', () => {
  it('requests an archive of the completed backup, waits for it, and downloads a complete zip; the link is masked', async () => {
    const bed = await setup({ archiveBytes: 3 * MB })
    const s = bed.sim
    const dir = workspace()
    const core = await backup(bed, { 'archive-path': 'backups/' }, inWorkspace(dir))
    expect(core.failed).toBeUndefined()
    const [archive] = s.archives()
    expect(archive).toMatchObject({ state: 'completed', backup: { id: core.outputs['backup-id'] } })
    const post = s.requests.find((r) => r.method === 'POST' && r.path.endsWith('/archives'))
    expect(post?.body).toEqual({ backup_id: core.outputs['backup-id'], notification_emails: ['ops@example.com'] })
    const file = join(dir, 'backups', `mysite-${core.outputs['backup-id']}.zip`)
    expect(core.outputs).toMatchObject({
      'archive-id': archive?.id,
      'archive-state': 'completed',
      'archive-url': archive?.download_uri,
      'archive-file': file,
      'archive-bytes': String(3 * MB)
    })
    expect(statSync(file).size).toBe(3 * MB)
    expect(existsSync(`${file}.part`)).toBe(false)
    await expect(verifyZip(file)).resolves.toMatchObject({ entries: 1 })
    // The download carries no API credentials: the link is its own authorisation.
    expect(downloads(s).every((r) => r.authorization === undefined)).toBe(true)
    expect(core.text).toMatch(/Downloaded 3\.0 MB in \d+s \(.+\/s\)\.\nTesting every entry of the zip\.\n/)
    expect(core.text).toContain(`${file} is a sound zip: 1 entry, every size and CRC-32 as its directory says.`)
    expect(core.summaries[0]).toContain(`| Archive | \`${archive?.id}\` (**completed**) |`)
  })

  it('archive: true without a path: outputs only, nothing downloaded', async () => {
    const bed = await setup()
    const core = await backup(bed, { archive: 'true' })
    expect(core.failed).toBeUndefined()
    expect(core.outputs['archive-state']).toBe('completed')
    expect(core.outputs['archive-url']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/downloads\//)
    expect(core.outputs['archive-file']).toBe('')
    expect(downloads(bed.sim)).toHaveLength(0)
  })

  it('an aborted archive fails the step, saying the backup itself completed', async () => {
    const bed = await setup({ archiveOutcome: 'aborted' })
    const core = await backup(bed, { archive: 'true' })
    expect(core.failed).toBeDefined()
    expect(core.outputs).toMatchObject({ status: 'completed', 'archive-state': 'aborted', 'archive-url': '' })
    expect(core.text).toMatch(
      /^::error::Backup [0-9a-f-]{36} completed, but WP Engine aborted its archive [0-9a-f-]{36}: there is no off-site copy\./m
    )
    expect(core.summaries[0]).toContain('## ❌ WP Engine backup of mysite completed, but its archive failed')
  })

  it('a re-run uses the archive the backup already has instead of requesting another', async () => {
    const bed = await setup()
    const s = bed.sim
    const dir = workspace()
    const first = await backup(bed, { archive: 'true' })
    const earlier = s.seedBackup({ installId: INSTALL.id, description: 'x', ageMs: 0 })
    expect(earlier).toBeDefined()
    const again = await backup(
      bed,
      { archive: 'true', 'archive-path': 'site.zip' },
      { context: { ...RUN_CONTEXT, runAttempt: 2 }, ...inWorkspace(dir) }
    )
    expect(again.failed).toBeUndefined()
    expect(again.outputs['backup-id']).toBe(first.outputs['backup-id'])
    expect(again.outputs['archive-id']).toBe(first.outputs['archive-id'])
    expect(s.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/archives'))).toHaveLength(1)
    expect(statSync(join(dir, 'site.zip')).size).toBeGreaterThan(0)
  })
})

describe('a broken or stalled download', () => {
  it('resumes a broken download with a Range request, ends with the whole zip, and archive-sha256 is the SHA-256 of the file on disk', async () => {
    const bed = await setup({ archiveBytes: 8 * MB })
    const s = bed.sim
    s.fault({ path: /^\/downloads\//, type: 'break-download', afterBytes: 3 * MB })
    const dir = workspace()
    const core = await backup(bed, { 'archive-path': 'site.zip' }, inWorkspace(dir))
    expect(core.failed).toBeUndefined()
    const [first, second] = downloads(s)
    expect(downloads(s)).toHaveLength(2)
    expect(first?.status).toBe(200)
    expect(second?.status).toBe(206)
    // Bytes in flight when the connection broke are lost: the resume asks for exactly what is missing.
    const resumedAt = Number(/\nThe archive download broke after [\d.]+ MB \(.+\); resuming at byte (\d+) in 1s\./.exec(core.text)?.[1])
    expect(resumedAt).toBeGreaterThan(2 * MB)
    expect(resumedAt).toBeLessThanOrEqual(3 * MB)
    expect(second?.range).toBe(`bytes=${resumedAt}-`)
    expect(first?.range).toBeUndefined()
    const file = join(dir, 'site.zip')
    expect(statSync(file).size).toBe(8 * MB)
    await expect(verifyZip(file)).resolves.toMatchObject({ entries: 1 })
    expect(core.outputs['archive-sha256']).toMatch(/^[0-9a-f]{64}$/)
    expect(core.outputs['archive-sha256']).toBe(sha256(file))
    // Without archive-recipients the file kept is the zip: both hashes are its own.
    expect(core.outputs['archive-zip-sha256']).toBe(sha256(file))
    expect(core.summaries[0]).toContain(`| SHA-256 | ${sha256(file)} |`)
  })

  it('starts over when the server takes no Range requests', async () => {
    const bed = await setup({ archiveBytes: 2 * MB, archiveRanges: false })
    bed.sim.fault({ path: /^\/downloads\//, type: 'break-download', afterBytes: MB })
    const dir = workspace()
    const core = await backup(bed, { 'archive-path': 'site.zip' }, inWorkspace(dir))
    expect(core.failed).toBeUndefined()
    expect(downloads(bed.sim).map((r) => r.status)).toEqual([200, 200])
    expect(core.text).toContain('starting over (the server does not take Range requests)')
    expect(statSync(join(dir, 'site.zip')).size).toBe(2 * MB)
    await expect(verifyZip(join(dir, 'site.zip'))).resolves.toMatchObject({ entries: 1 })
  })

  it('a server that takes the connection and never answers is dropped at the stall limit, and the download resumed', async () => {
    // The stall limit is real time on the socket (a minute, unit/archive/download.test.ts shows):
    // shortened to a second here through the step's Dependencies.
    const bed = await setup()
    const s = bed.sim
    s.fault({ path: /^\/downloads\//, type: 'hang' })
    const dir = workspace()
    const started = performance.now()
    const core = await backup(bed, { 'archive-path': 'site.zip' }, { ...inWorkspace(dir), downloadStallMs: 1_000 })
    expect(core.failed).toBeUndefined()
    expect(core.text).toContain('\nThe archive download broke after 0 B (no answer for 1s); trying again in 1s.')
    const [hung, answered] = downloads(s)
    expect(hung?.fault).toBe('hang')
    expect(answered?.status).toBe(200)
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_000)
    expect(statSync(join(dir, 'site.zip')).size).toBe(256 * 1024)
  })

  it('a body without Content-Length is downloaded and tested like any other', async () => {
    const bed = await setup({ archiveBody: 'unsized' })
    const dir = workspace()
    const core = await backup(bed, { 'archive-path': 'site.zip' }, inWorkspace(dir))
    expect(core.failed).toBeUndefined()
    expect(core.outputs['archive-sha256']).toBe(sha256(join(dir, 'site.zip')))
  })
})

describe('verified to the last byte', () => {
  it('a zip with one flipped byte inside is rejected, one new archive is tried, and no file is left', async () => {
    const bed = await setup({ archiveZip: 'flipped' })
    const s = bed.sim
    const dir = workspace()
    const core = await backup(bed, { 'archive-path': 'site.zip' }, inWorkspace(dir))
    expect(core.failed).toBeDefined()
    const [first, second] = s.archives()
    const why = 'entry site-backup.sql is damaged: its data has CRC-32 [0-9a-f]{8}, the zip says [0-9a-f]{8}'
    expect(core.text).toMatch(
      new RegExp(
        `^The downloaded archive is not a sound zip file: ${why}\\. It was deleted\\. Requesting a new archive of backup ${core.outputs['backup-id']} in place of ${first?.id}\\.$`,
        'm'
      )
    )
    expect(errorLines(core)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^::error::The downloaded archive is not a sound zip file: ${why}\\. It was deleted\\. That was a new archive \\(${second?.id}\\), requested when archive ${first?.id} failed too; re-run the job later\\.$`
        )
      )
    ])
    expect(archivePosts(s)).toHaveLength(2)
    expect(readdirSync(dir)).toEqual([])
    expect(core.outputs).toMatchObject({ 'archive-id': second?.id, 'archive-file': '', 'archive-bytes': '', 'archive-sha256': '' })
    expect(core.summaries[0]).toContain('## ❌ WP Engine backup of mysite completed, but its archive failed')
  })
})

describe('an expired or missing link', () => {
  it('an expired link is replaced by a fresh one from the archive list; both are masked', async () => {
    const bed = await setup()
    const s = bed.sim
    s.fault({ path: /^\/downloads\//, type: 'expire-link' })
    const dir = workspace()
    const core = await backup(bed, { 'archive-path': 'site.zip' }, inWorkspace(dir))
    expect(core.failed).toBeUndefined()
    expect(core.text).toContain('\nThe download link was refused (HTTP 403); it may have expired. Asking WP Engine for a fresh one.')
    const [expired, fresh] = downloads(s)
    expect([expired?.status, fresh?.status]).toEqual([403, 200])
    expect(expired?.query.token).not.toBe(fresh?.query.token)
    expect(s.links()).toHaveLength(2)
    expect(core.outputs['archive-url']).toContain(`token=${fresh?.query.token}`)
    expect(archivePosts(s)).toHaveLength(1)
    expect(statSync(join(dir, 'site.zip')).size).toBe(256 * 1024)
  })

  it('a link still dead when fresh: one new archive of the same backup, downloaded', async () => {
    const bed = await setup()
    const s = bed.sim
    s.fault({ path: /^\/downloads\//, type: 'expire-link', times: 2 })
    const dir = workspace()
    const core = await backup(bed, { 'archive-path': 'site.zip' }, inWorkspace(dir))
    expect(core.failed).toBeUndefined()
    const [first, second] = s.archives()
    expect(archivePosts(s).map((r) => (r.body as { backup_id: string }).backup_id)).toEqual([
      core.outputs['backup-id'],
      core.outputs['backup-id']
    ])
    expect(core.text).toContain(
      `\nThe download link was refused (HTTP 403), and WP Engine had no fresh link that worked. Requesting a new archive of backup ${core.outputs['backup-id']} in place of ${first?.id}.`
    )
    expect(core.outputs['archive-id']).toBe(second?.id)
    expect(core.outputs['archive-sha256']).toBe(sha256(join(dir, 'site.zip')))
  })

  it('a link that stays dead: the step fails after exactly one new archive', async () => {
    const bed = await setup()
    const s = bed.sim
    s.fault({ path: /^\/downloads\//, type: 'expire-link', times: 10 })
    const dir = workspace()
    const core = await backup(bed, { 'archive-path': 'site.zip' }, inWorkspace(dir))
    expect(core.failed).toBeDefined()
    const [first, second] = s.archives()
    expect(errorLines(core)).toEqual([
      `::error::The download link was refused (HTTP 403), and WP Engine had no fresh link that worked. That was a new archive (${second?.id}), requested when archive ${first?.id} failed too; re-run the job later.`
    ])
    expect(archivePosts(s)).toHaveLength(2)
    expect(downloads(s)).toHaveLength(4)
    expect(readdirSync(dir)).toEqual([])
  })

  it('a completed archive without a link: archive: true asks again for 5 minutes, then says there is none yet, in the log and the summary', async () => {
    const bed = await setup({ archiveLinkDelayMs: 600_000 })
    const core = await backup(bed, { archive: 'true' })
    expect(core.failed).toBeUndefined()
    const [archive] = bed.sim.archives()
    expect(core.text).toContain(
      `::warning::Archive ${archive?.id} is completed, but WP Engine gave no download link in 5m of asking, so there is none to hand on. A re-run uses the same archive, and its link once WP Engine gives one.`
    )
    expect(core.summaries[0]).toContain(`| Archive | \`${archive?.id}\` (**completed**), no download link yet |`)
    expect(core.outputs).toMatchObject({ 'archive-state': 'completed', 'archive-url': '' })
  })

  it('with archive-path, a missing link is fetched again, and the zip downloaded once it is there', async () => {
    const bed = await setup({ archiveLinkDelayMs: 2_000 })
    const dir = workspace()
    const core = await backup(bed, { 'archive-path': 'site.zip' }, inWorkspace(dir))
    expect(core.failed).toBeUndefined()
    const [archive] = bed.sim.archives()
    expect(core.text).toContain(
      `\nArchive ${archive?.id} is completed, but WP Engine gave no download link yet; asking again for up to 5m.`
    )
    expect(archivePosts(bed.sim)).toHaveLength(1)
    expect(statSync(join(dir, 'site.zip')).size).toBe(256 * 1024)
  })
})

describe('several installs in one step', () => {
  // Each install's zip has its own size, so that a mix-up between installs shows.
  const installs = defaultInstalls(1).map((install, n) => ({ ...install, archiveBytes: (n + 1) * MB }))

  it('three installs archived and downloaded in one step, each with its own outputs', async () => {
    const bed = await setup({ installs })
    const s = bed.sim
    const dir = workspace()
    const core = await backup(bed, { install: 'mysite, mysitestaging, filler0001', 'archive-path': 'copies' }, inWorkspace(dir))
    expect(core.failed).toBeUndefined()
    const copies = join(dir, 'copies')
    const backups = JSON.parse(core.outputs.backups!) as Record<string, unknown>[]
    expect(backups).toHaveLength(3)
    for (const [n, entry] of backups.entries()) {
      const install = installs.find((i) => i.name === entry['install-name'])!
      const archive = s.archives().find((a) => a.installId === install.id)!
      const file = join(copies, `${install.name}-${entry['backup-id']}.zip`)
      expect(entry).toMatchObject({
        'install-name': ['mysite', 'mysitestaging', 'filler0001'][n],
        status: 'completed',
        'archive-id': archive.id,
        'archive-state': 'completed',
        'archive-file': file,
        'archive-bytes': install.archiveBytes,
        'archive-sha256': sha256(file)
      })
      expect(archive.backup.id).toBe(entry['backup-id'])
      expect(core.text).toContain(`[${install.name}] ${file} is a sound zip`)
    }
    expect(readdirSync(copies).sort()).toEqual(backups.map((b) => `${b['install-name']}-${b['backup-id']}.zip`).sort())
    expect(JSON.stringify(backups)).not.toContain('download')
    // The single-value outputs are for one install.
    expect(core.outputs).toMatchObject({ 'archive-id': '', 'archive-url': '', 'archive-file': '', 'archive-sha256': '' })
    expect(core.summaries[0]).toMatch(/\| Archive \|\n/)
    expect(core.summaries[0]).toContain(`(**completed**): mysite-${backups[0]!['backup-id']}.zip (2.0 MB) |`)
  })

  it("one install's copy fails: the others are kept, and the step fails naming it", async () => {
    const bed = await setup({
      installs: installs.map((i) => (i.name === 'mysitestaging' ? { ...i, archiveOutcome: 'aborted' as const } : i))
    })
    const dir = workspace()
    const core = await backup(bed, { install: 'mysite mysitestaging', 'archive-path': 'copies' }, inWorkspace(dir))
    expect(core.failed).toBeDefined()
    const [mysite, staging] = JSON.parse(core.outputs.backups!) as Record<string, unknown>[]
    const aborted = bed.sim.archives().find((a) => a.state === 'aborted')
    expect(errorLines(core)).toEqual([
      `::error::Every backup completed, but 1 of 2 installs have no off-site copy (mysitestaging). mysitestaging: Backup ${staging?.['backup-id']} completed, but WP Engine aborted its archive ${aborted?.id}: there is no off-site copy. Re-run the job to request another archive.`
    ])
    expect(core.text).toContain('[mysitestaging] ❌ Backup')
    expect(mysite).toMatchObject({ status: 'completed', 'archive-state': 'completed', 'archive-bytes': 2 * MB })
    expect(staging).toMatchObject({ status: 'completed', 'archive-state': 'aborted', 'archive-file': '', 'archive-bytes': null })
    expect(readdirSync(join(dir, 'copies'))).toEqual([`mysite-${mysite?.['backup-id']}.zip`])
    expect(core.summaries[0]).toContain('## ❌ WP Engine backups completed, but 1 of 2 installs have no off-site copy')
  })

  it('some backups failed and a copy failed too: the failure line names every install, the copy with its reason', async () => {
    const bed = await setup({
      installs: installs.map((i) =>
        i.name === 'mysite'
          ? { ...i, outcome: 'aborted' as const }
          : i.name === 'filler0001'
            ? { ...i, archiveOutcome: 'aborted' as const }
            : i
      )
    })
    const dir = workspace()
    const core = await backup(bed, { install: 'mysite mysitestaging filler0001', 'archive-path': 'copies' }, inWorkspace(dir))
    expect(errorLines(core)).toEqual([
      '::error::1 of 3 installs have no fresh backup, so do not deploy to them: mysite (aborted by WP Engine). 1 more has a backup but no off-site copy: filler0001 (archive aborted by WP Engine). The job summary says why for each.'
    ])
  })

  it('at most three downloads at once, however many installs', async () => {
    const four = defaultInstalls(2).map((install) => ({ ...install, archiveBytes: 256 * 1024 }))
    // Each download is paced to half a second of real time, long enough for all four to overlap if
    // nothing held them back. The simulator stamps requests with the fake clock's time plus the real
    // time gone by: backups still move with the fake clock, and each download's span is its real one.
    const clock = new FakeClock()
    const origin = performance.now()
    const bed = await setup({ installs: four, archiveBytesPerSecond: 512 * 1024, now: () => clock.now() + (performance.now() - origin) })
    const s = bed.sim
    const dir = workspace()
    const { core } = await backupStep(s, {
      clock,
      send: bed.send,
      inputs: { install: four.map((i) => i.name).join(' '), 'archive-path': 'copies/' },
      ...inWorkspace(dir)
    })
    expectLinksMasked(s, core)
    expect(core.failed).toBeUndefined()
    const spans = downloads(s).map((r) => [r.at, r.doneAt ?? Infinity] as const)
    const overlap = Math.max(...spans.map(([at]) => spans.filter(([from, to]) => from <= at && at < to).length))
    expect(spans).toHaveLength(4)
    expect(overlap).toBe(3)
  })
})

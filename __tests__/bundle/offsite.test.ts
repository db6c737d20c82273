import { describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { defaultInstalls, type Simulator } from '../../sim/server.js'
import { ROOT } from '../../scripts/run-action.js'
import { verifyZip } from '../../src/archive/verify-zip.js'
import { backup, downloads, MB, testBed } from '../support/backup-runs.js'

// An off-site copy you can trust: the bundled backup action against the simulator when the disk
// fills, the server stalls or never stops, the zip is damaged, the link dies, and for many installs.

const { freshSim, workspace } = testBed()
const ARCHIVE_POSTS = (s: Simulator) => s.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/archives'))
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')
const errorLines = (stdout: string) => stdout.split('\n').filter((line) => line.startsWith('::error::'))

/**
 * A disk of `bytes` at `dir`, for the bundled action. A real small disk (a tmpfs or a loop mount)
 * needs root, which a developer's machine and CI may not give; this preload fails writes under `dir`
 * with the same ENOSPC error a full disk gives once `bytes` are in use there, and makes statfs report
 * what is left, or `reportedFree` for a disk that something else fills during the download.
 */
function smallDisk(dir: string, bytes: number, reportedFree?: number): Record<string, string> {
  return {
    NODE_OPTIONS: `--import ${join(ROOT, '__tests__', 'fixtures', 'small-disk.mjs')}`,
    SMALL_DISK_DIR: dir,
    SMALL_DISK_BYTES: String(bytes),
    ...(reportedFree === undefined ? {} : { SMALL_DISK_REPORTED_FREE: String(reportedFree) })
  }
}

// First, so that the other tests run while its minute passes.
describe('stalls and endless bodies', () => {
  it.concurrent(
    'a server that takes the connection and never answers is dropped after a minute, and the download resumed',
    async () => {
      const s = await freshSim()
      s.fault({ path: /^\/downloads\//, type: 'hang' })
      const dir = workspace()
      const result = await backup(s, { 'archive-path': 'site.zip' }, { GITHUB_WORKSPACE: dir })
      expect(result.code).toBe(0)
      expect(result.stdout).toContain('\nThe archive download broke after 0 B (no answer for 1m); trying again in 1s.')
      const [hung, answered] = downloads(s)
      expect(hung?.fault).toBe('hang')
      expect(answered?.status).toBe(200)
      expect(answered!.at - hung!.at).toBeGreaterThanOrEqual(60_000)
      expect(statSync(join(dir, 'site.zip')).size).toBe(256 * 1024)
    },
    120_000
  )

  it.concurrent('a body without Content-Length is downloaded and tested like any other', async () => {
    const s = await freshSim({ archiveBody: 'unsized' })
    const dir = workspace()
    const result = await backup(s, { 'archive-path': 'site.zip' }, { GITHUB_WORKSPACE: dir })
    expect(result.code).toBe(0)
    expect(result.outputs['archive-sha256']).toBe(sha256(join(dir, 'site.zip')))
  })
})

describe('a full disk', () => {
  it.concurrent.each([
    ['takes ranges', true],
    ['takes no ranges', false]
  ])(
    'a disk that fills during the download (the server %s): ends at once, naming the path and the need; no file left',
    async (_, ranges) => {
      const s = await freshSim({ archiveBytes: 8 * MB, archiveRanges: ranges })
      const dir = workspace()
      const result = await backup(s, { 'archive-path': 'site.zip' }, { GITHUB_WORKSPACE: dir, ...smallDisk(dir, 3 * MB, 100 * MB) })
      expect(result.code).toBe(1)
      expect(errorLines(result.stdout)).toEqual([
        `::error::The disk ran out of room for the archive at ${join(dir, 'site.zip')} (ENOSPC): it needs 8.0 MB, and 100.0 MB was free when it started: something else on the runner is filling the disk; the partial file was deleted. Free up space on the runner, or set archive-path to a disk with room.`
      ])
      // Once: not a loop of restarts until the timeout, and no new archive (WP Engine is not at fault).
      expect(downloads(s)).toHaveLength(1)
      expect(ARCHIVE_POSTS(s)).toHaveLength(1)
      expect(readdirSync(dir)).toEqual([])
      expect(result.outputs).toMatchObject({ status: 'completed', 'archive-state': 'completed', 'archive-file': '', 'archive-sha256': '' })
    }
  )

  it.concurrent('an archive that cannot fit fails before a byte of it is written', async () => {
    const s = await freshSim({ archiveBytes: 8 * MB })
    const dir = workspace()
    const result = await backup(s, { 'archive-path': 'site.zip' }, { GITHUB_WORKSPACE: dir, ...smallDisk(dir, 3 * MB) })
    expect(result.code).toBe(1)
    expect(errorLines(result.stdout)).toEqual([
      `::error::There is no room for the archive at ${join(dir, 'site.zip')}: it needs 8.0 MB more, and the disk has 3.0 MB free. Free up space on the runner, or set archive-path to a disk with room.`
    ])
    expect(downloads(s)).toHaveLength(1)
    expect(readdirSync(dir)).toEqual([])
  })

  it.concurrent('a body without a size that fills the disk ends at once too', async () => {
    const s = await freshSim({ archiveBytes: 8 * MB, archiveBody: 'unsized' })
    const dir = workspace()
    const result = await backup(s, { 'archive-path': 'site.zip' }, { GITHUB_WORKSPACE: dir, ...smallDisk(dir, 3 * MB, 100 * MB) })
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(
      /^::error::The disk ran out of room for the archive at .*site\.zip \(ENOSPC\): it needs more than the [\d.]+ MB written; the partial file was deleted\./m
    )
    expect(downloads(s)).toHaveLength(1)
    expect(readdirSync(dir)).toEqual([])
  })

  it.concurrent('an endless body without a size stops at the free space, with a clear line; no file left', async () => {
    const s = await freshSim({ archiveBody: 'endless' })
    const dir = workspace()
    const result = await backup(s, { 'archive-path': 'site.zip' }, { GITHUB_WORKSPACE: dir, ...smallDisk(dir, 5 * MB) })
    expect(result.code).toBe(1)
    expect(errorLines(result.stdout)).toEqual([
      `::error::The download server did not announce the archive's size and was still sending after 5.0 MB: that is all the free space on the disk of ${join(dir, 'site.zip')}. Free up space on the runner, or set archive-path to a disk with room.`
    ])
    expect(downloads(s)).toHaveLength(1)
    expect(readdirSync(dir)).toEqual([])
  })
})

describe('verified to the last byte', () => {
  it.concurrent.each([
    ['an empty zip (22 bytes)', { archiveZip: 'empty' }, 'it has no entries'],
    [
      'a zip with one flipped byte inside',
      { archiveZip: 'flipped' },
      'entry site-backup.sql is damaged: its data has CRC-32 [0-9a-f]{8}, the zip says [0-9a-f]{8}'
    ],
    [
      'a zip cut short (its server announced the short size)',
      { archiveTruncatedTo: 200_000 },
      'it is not a readable zip \\(End of central directory record signature not found\\. Either not a zip file, or file is truncated\\)'
    ]
  ] as const)('%s is rejected, one new archive is tried, and no file is left', async (_, options, why) => {
    const s = await freshSim(options)
    const dir = workspace()
    const result = await backup(s, { 'archive-path': 'site.zip' }, { GITHUB_WORKSPACE: dir })
    expect(result.code).toBe(1)
    const [first, second] = s.archives()
    expect(result.stdout).toMatch(
      new RegExp(
        `^The downloaded archive is not a sound zip file: ${why}\\. It was deleted\\. Requesting a new archive of backup ${result.outputs['backup-id']} in place of ${first?.id}\\.$`,
        'm'
      )
    )
    expect(errorLines(result.stdout)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^::error::The downloaded archive is not a sound zip file: ${why}\\. It was deleted\\. That was a new archive \\(${second?.id}\\), requested when archive ${first?.id} failed too; re-run the job later\\.$`
        )
      )
    ])
    expect(ARCHIVE_POSTS(s)).toHaveLength(2)
    expect(readdirSync(dir)).toEqual([])
    expect(result.outputs).toMatchObject({ 'archive-id': second?.id, 'archive-file': '', 'archive-bytes': '', 'archive-sha256': '' })
    expect(result.summary).toContain('## ❌ WP Engine backup of mysite completed, but its archive failed')
  })

  it.concurrent('a ZIP64 archive is accepted', async () => {
    const s = await freshSim({ archiveZip: 'zip64', archiveBytes: 3 * MB })
    const dir = workspace()
    const result = await backup(s, { 'archive-path': 'site.zip' }, { GITHUB_WORKSPACE: dir })
    expect(result.code).toBe(0)
    expect(result.outputs['archive-bytes']).toBe(String(3 * MB))
    await expect(verifyZip(join(dir, 'site.zip'))).resolves.toEqual({ entries: 1 })
  })

  it.concurrent('archive-sha256 is the SHA-256 of the file on disk, also when the download was resumed in the middle', async () => {
    const s = await freshSim({ archiveBytes: 8 * MB })
    s.fault({ path: /^\/downloads\//, type: 'break-download', afterBytes: 3 * MB })
    const dir = workspace()
    const result = await backup(s, { 'archive-path': 'site.zip' }, { GITHUB_WORKSPACE: dir })
    expect(result.code).toBe(0)
    expect(downloads(s).map((r) => r.status)).toEqual([200, 206])
    const file = join(dir, 'site.zip')
    expect(result.outputs['archive-sha256']).toMatch(/^[0-9a-f]{64}$/)
    expect(result.outputs['archive-sha256']).toBe(sha256(file))
    expect(result.summary).toContain(`| SHA-256 | ${sha256(file)} |`)
  })
})

describe('an expired or missing link', () => {
  it.concurrent('an expired link is replaced by a fresh one from the archive list; both are masked', async () => {
    const s = await freshSim()
    s.fault({ path: /^\/downloads\//, type: 'expire-link' })
    const dir = workspace()
    const result = await backup(s, { 'archive-path': 'site.zip' }, { GITHUB_WORKSPACE: dir })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('\nThe download link was refused (HTTP 403); it may have expired. Asking WP Engine for a fresh one.')
    const [expired, fresh] = downloads(s)
    expect([expired?.status, fresh?.status]).toEqual([403, 200])
    expect(expired?.query.token).not.toBe(fresh?.query.token)
    expect(s.links()).toHaveLength(2)
    expect(result.outputs['archive-url']).toContain(`token=${fresh?.query.token}`)
    expect(ARCHIVE_POSTS(s)).toHaveLength(1)
    expect(statSync(join(dir, 'site.zip')).size).toBe(256 * 1024)
  })

  it.concurrent('a link still dead when fresh: one new archive of the same backup, downloaded', async () => {
    const s = await freshSim()
    s.fault({ path: /^\/downloads\//, type: 'expire-link', times: 2 })
    const dir = workspace()
    const result = await backup(s, { 'archive-path': 'site.zip' }, { GITHUB_WORKSPACE: dir })
    expect(result.code).toBe(0)
    const [first, second] = s.archives()
    expect(ARCHIVE_POSTS(s).map((r) => (r.body as { backup_id: string }).backup_id)).toEqual([
      result.outputs['backup-id'],
      result.outputs['backup-id']
    ])
    expect(result.stdout).toContain(
      `\nThe download link was refused (HTTP 403), and WP Engine had no fresh link that worked. Requesting a new archive of backup ${result.outputs['backup-id']} in place of ${first?.id}.`
    )
    expect(result.outputs['archive-id']).toBe(second?.id)
    expect(result.outputs['archive-sha256']).toBe(sha256(join(dir, 'site.zip')))
  })

  it.concurrent('a link that stays dead: the step fails after exactly one new archive', async () => {
    const s = await freshSim()
    s.fault({ path: /^\/downloads\//, type: 'expire-link', times: 10 })
    const dir = workspace()
    const result = await backup(s, { 'archive-path': 'site.zip' }, { GITHUB_WORKSPACE: dir })
    expect(result.code).toBe(1)
    const [first, second] = s.archives()
    expect(errorLines(result.stdout)).toEqual([
      `::error::The download link was refused (HTTP 403), and WP Engine had no fresh link that worked. That was a new archive (${second?.id}), requested when archive ${first?.id} failed too; re-run the job later.`
    ])
    expect(ARCHIVE_POSTS(s)).toHaveLength(2)
    expect(downloads(s)).toHaveLength(4)
    expect(readdirSync(dir)).toEqual([])
  })

  it.concurrent('a completed archive without a link: archive: true says there is none yet, in the log and the summary', async () => {
    const s = await freshSim({ archiveLinkDelayMs: 600_000 })
    const result = await backup(s, { archive: 'true' })
    expect(result.code).toBe(0)
    const [archive] = s.archives()
    expect(result.stdout).toContain(
      `::warning::Archive ${archive?.id} is completed, but WP Engine gave no download link yet, so there is none to hand on. Set archive-path to have the step fetch the link again and download the zip.`
    )
    expect(result.summary).toContain(`| Archive | \`${archive?.id}\` (**completed**), no download link yet |`)
    expect(result.outputs).toMatchObject({ 'archive-state': 'completed', 'archive-url': '' })
  })

  it.concurrent('with archive-path, a missing link is fetched again, and the zip downloaded once it is there', async () => {
    const s = await freshSim({ archiveLinkDelayMs: 2_000 })
    const dir = workspace()
    const result = await backup(s, { 'archive-path': 'site.zip' }, { GITHUB_WORKSPACE: dir })
    expect(result.code).toBe(0)
    const [archive] = s.archives()
    expect(result.stdout).toContain(`\nArchive ${archive?.id} is completed, but WP Engine gave no download link yet; asking again in 5s.`)
    expect(ARCHIVE_POSTS(s)).toHaveLength(1)
    expect(statSync(join(dir, 'site.zip')).size).toBe(256 * 1024)
  })
})

describe('several installs in one step', () => {
  // Each install's zip has its own size, so that a mix-up between installs shows.
  const installs = defaultInstalls(1).map((install, n) => ({ ...install, archiveBytes: (n + 1) * MB }))

  it.concurrent('three installs archived and downloaded in one step, each with its own outputs', async () => {
    const s = await freshSim({ installs })
    const dir = workspace()
    const result = await backup(s, { install: 'mysite, mysitestaging, filler0001', 'archive-path': 'copies' }, { GITHUB_WORKSPACE: dir })
    expect(result.code).toBe(0)
    const copies = join(dir, 'copies')
    const backups = JSON.parse(result.outputs.backups!) as Record<string, unknown>[]
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
      expect(result.stdout).toContain(`[${install.name}] ${file} is a sound zip`)
    }
    expect(readdirSync(copies).sort()).toEqual(backups.map((b) => `${b['install-name']}-${b['backup-id']}.zip`).sort())
    expect(JSON.stringify(backups)).not.toContain('download')
    // The single-value outputs are for one install.
    expect(result.outputs).toMatchObject({ 'archive-id': '', 'archive-url': '', 'archive-file': '', 'archive-sha256': '' })
    expect(result.summary).toMatch(/\| Archive \|\n/)
    expect(result.summary).toContain(`(**completed**): mysite-${backups[0]!['backup-id']}.zip (2.0 MB) |`)
  })

  it.concurrent("one install's copy fails: the others are kept, and the step fails naming it", async () => {
    const s = await freshSim({
      installs: installs.map((i) => (i.name === 'mysitestaging' ? { ...i, archiveOutcome: 'aborted' as const } : i))
    })
    const dir = workspace()
    const result = await backup(s, { install: 'mysite mysitestaging', 'archive-path': 'copies' }, { GITHUB_WORKSPACE: dir })
    expect(result.code).toBe(1)
    const [mysite, staging] = JSON.parse(result.outputs.backups!) as Record<string, unknown>[]
    const aborted = s.archives().find((a) => a.state === 'aborted')
    expect(errorLines(result.stdout)).toEqual([
      `::error::Every backup completed, but 1 of 2 installs have no off-site copy (mysitestaging). mysitestaging: Backup ${staging?.['backup-id']} completed, but WP Engine aborted its archive ${aborted?.id}: there is no off-site copy. Re-run the job to request another archive.`
    ])
    expect(result.stdout).toContain('[mysitestaging] ❌ Backup')
    expect(mysite).toMatchObject({ status: 'completed', 'archive-state': 'completed', 'archive-bytes': 2 * MB })
    expect(staging).toMatchObject({ status: 'completed', 'archive-state': 'aborted', 'archive-file': '', 'archive-bytes': null })
    expect(readdirSync(join(dir, 'copies'))).toEqual([`mysite-${mysite?.['backup-id']}.zip`])
    expect(result.summary).toContain('## ❌ WP Engine backups completed, but 1 of 2 installs have no off-site copy')
  })

  it.concurrent(
    'at most three downloads at once, however many installs',
    async () => {
      const four = defaultInstalls(2).map((install) => ({ ...install, archiveBytes: MB }))
      // Half a megabyte a second: each download takes two seconds, long enough for all four to overlap.
      const s = await freshSim({ installs: four, archiveBytesPerSecond: MB / 2 })
      const dir = workspace()
      const result = await backup(s, { install: four.map((i) => i.name).join(' '), 'archive-path': 'copies/' }, { GITHUB_WORKSPACE: dir })
      expect(result.code).toBe(0)
      const spans = downloads(s).map((r) => [r.at, r.doneAt ?? Infinity] as const)
      const overlap = Math.max(...spans.map(([at]) => spans.filter(([from, to]) => from <= at && at < to).length))
      expect(spans).toHaveLength(4)
      expect(overlap).toBe(3)
    },
    60_000
  )

  it('archive-path that is a file, with several installs, is an input error; nothing is sent', async () => {
    const s = await freshSim()
    const result = await backup(s, { install: 'mysite mysitestaging', 'archive-path': 'package.json' }, { GITHUB_WORKSPACE: ROOT })
    expect(result.stdout).toContain(
      "::error::Invalid input: archive-path 'package.json' is a file, but with 2 installs it must be a directory: each install's zip goes in it as <install>-<backup id>.zip"
    )
    const under = await backup(s, { 'archive-path': 'package.json/copies/' }, { GITHUB_WORKSPACE: ROOT })
    expect(under.stdout).toContain(
      `::error::Invalid input: archive-path 'package.json/copies/' cannot be made: ${join(ROOT, 'package.json')} is a file, not a directory`
    )
    expect(s.requests).toHaveLength(0)
  })
})

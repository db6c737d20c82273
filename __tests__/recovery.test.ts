import { afterAll, describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checkZip } from '../src/archive/zip-check.js'
import { formatBytes, Progress } from '../src/archive/download.js'
import type { Simulator } from '../sim/server.js'
import { zipArchive } from '../sim/zip.js'
import { RESTORE_ACTION, ROOT, runAction } from '../scripts/run-action.js'
import { FakeClock, INSTALL, STAGING, visible } from './helpers.js'
import { actionAgainst, credentialsOf, expectNoCredentialsIn, useSimulators } from './sim-helpers.js'

// The recovery kit: archives and their download with the bundled backup action, and the bundled
// restore action, against the simulator.

const MB = 1024 * 1024
const freshSim = useSimulators({ requestedMs: 200, durationMs: 600, archiveMs: 800 })
const dirs: string[] = []

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wpe-workspace-'))
  dirs.push(dir)
  return dir
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

async function backup(s: Simulator, inputs: Record<string, string>, env: Record<string, string> = {}) {
  const result = await runAction(actionAgainst(s, inputs, env))
  // Whatever happens, the download link is a secret: masked first, never shown.
  for (const archive of s.archives()) {
    if (!archive.download_uri) continue
    expect(result.stdout).toContain(`::add-mask::${archive.download_uri}`)
    for (const stream of [visible(result.stdout), result.stderr, result.summary])
      expect(stream).not.toContain(archive.download_uri.split('?')[1])
  }
  return result
}

const downloads = (s: Simulator) => s.requests.filter((r) => r.path.startsWith('/downloads/'))

describe('archive: an off-site copy of the backup', () => {
  it.concurrent('requests an archive of the completed backup, waits for it, and downloads a complete zip; the link is masked', async () => {
    const s = await freshSim({ archiveBytes: 3 * MB })
    const dir = workspace()
    const result = await backup(s, { 'archive-path': 'backups/' }, { GITHUB_WORKSPACE: dir })
    expect(result.code).toBe(0)
    const [archive] = s.archives()
    expect(archive).toMatchObject({ state: 'completed', backup: { id: result.outputs['backup-id'] } })
    const post = s.requests.find((r) => r.method === 'POST' && r.path.endsWith('/archives'))
    expect(post?.body).toEqual({ backup_id: result.outputs['backup-id'], notification_emails: ['ops@example.com'] })
    const file = join(dir, 'backups', `mysite-${result.outputs['backup-id']}.zip`)
    expect(result.outputs).toMatchObject({
      'archive-id': archive?.id,
      'archive-state': 'completed',
      'archive-url': archive?.download_uri,
      'archive-file': file,
      'archive-bytes': String(3 * MB)
    })
    expect(statSync(file).size).toBe(3 * MB)
    expect(existsSync(`${file}.part`)).toBe(false)
    await expect(checkZip(file)).resolves.toEqual({ entries: 1, bytes: 3 * MB })
    // The download carries no API credentials: the link is its own authorisation.
    expect(downloads(s).every((r) => r.authorization === undefined)).toBe(true)
    expect(result.stdout).toMatch(/Downloaded 3\.0 MB in \d+s \(.+\/s\) to .*\.zip; it is a complete zip\./)
    expect(result.summary).toContain(`| Archive | \`${archive?.id}\` (**completed**) |`)
  })

  it.concurrent('archive: true without a path: outputs only, nothing downloaded', async () => {
    const s = await freshSim()
    const result = await backup(s, { archive: 'true' })
    expect(result.code).toBe(0)
    expect(result.outputs['archive-state']).toBe('completed')
    expect(result.outputs['archive-url']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/downloads\//)
    expect(result.outputs['archive-file']).toBe('')
    expect(downloads(s)).toHaveLength(0)
  })

  it.concurrent('an aborted archive fails the step, saying the backup itself completed', async () => {
    const s = await freshSim({ archiveOutcome: 'aborted' })
    const result = await backup(s, { archive: 'true' })
    expect(result.code).toBe(1)
    expect(result.outputs).toMatchObject({ status: 'completed', 'archive-state': 'aborted', 'archive-url': '' })
    expect(result.stdout).toMatch(
      /^::error::Backup [0-9a-f-]{36} completed, but WP Engine aborted its archive [0-9a-f-]{36}: there is no off-site copy\./m
    )
    expect(result.summary).toContain('## ❌ WP Engine backup of mysite completed, but its archive failed')
  })

  it.concurrent('a re-run uses the archive the backup already has instead of requesting another', async () => {
    const s = await freshSim()
    const dir = workspace()
    const first = await backup(s, { archive: 'true' })
    const earlier = s.seedBackup({ installId: INSTALL.id, description: 'x', ageMs: 0 })
    expect(earlier).toBeDefined()
    const again = await backup(s, { archive: 'true', 'archive-path': 'site.zip' }, { GITHUB_RUN_ATTEMPT: '2', GITHUB_WORKSPACE: dir })
    expect(again.code).toBe(0)
    expect(again.outputs['backup-id']).toBe(first.outputs['backup-id'])
    expect(again.outputs['archive-id']).toBe(first.outputs['archive-id'])
    expect(s.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/archives'))).toHaveLength(1)
    expect(statSync(join(dir, 'site.zip')).size).toBeGreaterThan(0)
  })

  it.concurrent('resumes a broken download with a Range request, and ends with the whole zip', async () => {
    const s = await freshSim({ archiveBytes: 8 * MB })
    s.fault({ path: /^\/downloads\//, type: 'break-download', afterBytes: 3 * MB })
    const dir = workspace()
    const result = await backup(s, { 'archive-path': 'site.zip' }, { GITHUB_WORKSPACE: dir })
    expect(result.code).toBe(0)
    const [first, second] = downloads(s)
    expect(downloads(s)).toHaveLength(2)
    expect(first?.status).toBe(200)
    expect(second?.status).toBe(206)
    // Bytes in flight when the connection broke are lost: the resume asks for exactly what is missing.
    const resumedAt = Number(
      /::warning::The archive download broke after [\d.]+ MB \(.+\); resuming at byte (\d+) in 1s\./.exec(result.stdout)?.[1]
    )
    expect(resumedAt).toBeGreaterThan(2 * MB)
    expect(resumedAt).toBeLessThanOrEqual(3 * MB)
    expect(second?.range).toBe(`bytes=${resumedAt}-`)
    expect(first?.range).toBeUndefined()
    expect(statSync(join(dir, 'site.zip')).size).toBe(8 * MB)
    await expect(checkZip(join(dir, 'site.zip'))).resolves.toMatchObject({ entries: 1 })
  })

  it.concurrent('starts over when the server takes no Range requests', async () => {
    const s = await freshSim({ archiveBytes: 2 * MB, archiveRanges: false })
    s.fault({ path: /^\/downloads\//, type: 'break-download', afterBytes: MB })
    const dir = workspace()
    const result = await backup(s, { 'archive-path': 'site.zip' }, { GITHUB_WORKSPACE: dir })
    expect(result.code).toBe(0)
    expect(downloads(s).map((r) => r.status)).toEqual([200, 200])
    expect(result.stdout).toContain('starting over (the server does not take Range requests)')
    await expect(checkZip(join(dir, 'site.zip'))).resolves.toMatchObject({ bytes: 2 * MB })
  })

  it.concurrent('rejects a truncated zip: the step fails and leaves no file behind', async () => {
    const s = await freshSim({ archiveBytes: MB, archiveTruncatedTo: MB - 4_000 })
    const dir = workspace()
    const result = await backup(s, { 'archive-path': 'site.zip' }, { GITHUB_WORKSPACE: dir })
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(
      /^::error::The downloaded archive is not a complete zip file: its end-of-central-directory record is missing: the file was cut short\. It was deleted; re-run the job to download it again\.$/m
    )
    expect(result.outputs['archive-file']).toBe('')
    expect(existsSync(join(dir, 'site.zip'))).toBe(false)
    expect(existsSync(join(dir, 'site.zip.part'))).toBe(false)
  })

  it.concurrent('an expired link (403) fails at once with a clear line and no retries', async () => {
    const s = await freshSim()
    s.fault({ path: /^\/downloads\//, type: '403' as never })
    const result = await backup(s, { 'archive-path': 'site.zip' }, { GITHUB_WORKSPACE: workspace() })
    expect(result.code).toBe(1)
    expect(result.stdout).toContain(
      '::error::The download link was refused (HTTP 403); it may have expired. Re-run the job to request a fresh archive.'
    )
    expect(downloads(s)).toHaveLength(1)
  })

  it('archive with several installs, or with wait: false, is an input error; nothing is sent', async () => {
    const s = await freshSim()
    const several = await backup(s, { install: 'mysite mysitestaging', archive: 'true' })
    expect(several.stdout).toContain('::error::Invalid input: archive works with one install per step, but install lists 2')
    const noWait = await backup(s, { 'archive-path': 'x.zip', wait: 'false' })
    expect(noWait.stdout).toContain('::error::Invalid input: archive needs wait: true')
    expect(s.requests).toHaveLength(0)
  })

  it('downloads files of hundreds of megabytes with flat memory', async () => {
    const probe = join(ROOT, '__tests__', 'fixtures', 'peak-memory.mjs')
    const peak = async (bytes: number) => {
      const s = await freshSim({ archiveBytes: bytes })
      const dir = workspace()
      const memoryFile = join(dir, 'peak')
      const result = await backup(
        s,
        { 'archive-path': 'site.zip' },
        { GITHUB_WORKSPACE: dir, NODE_OPTIONS: `--import ${probe}`, PEAK_MEMORY_FILE: memoryFile }
      )
      expect(result.code).toBe(0)
      expect(statSync(join(dir, 'site.zip')).size).toBe(bytes)
      rmSync(join(dir, 'site.zip'))
      return Number(readFileSync(memoryFile, 'utf8'))
    }
    // Both sizes are past the point where the garbage collector keeps up with the chunks (measured:
    // 108 MB and 125 MB peak). 300 MB more on disk barely moves it; a buffering download would add 300 MB.
    const small = await peak(100 * MB)
    const large = await peak(400 * MB)
    expect(large - small).toBeLessThan(48 * MB)
    expect(large).toBeLessThan(200 * MB)
  }, 90_000)
})

describe('restore: for a failed deploy', () => {
  async function restore(s: Simulator, inputs: Record<string, string>) {
    const result = await runAction({ script: RESTORE_ACTION, ...actionAgainst(s, inputs) })
    expectNoCredentialsIn([visible(result.stdout)], credentialsOf(s))
    return result
  }

  it.concurrent('restores from a completed backup of the install: accepted, with the options sent', async () => {
    const s = await freshSim()
    const done = s.seedBackup({ installId: INSTALL.id, ageMs: 60_000 })
    const result = await restore(s, { 'backup-id': done.id, 'create-checkpoint': 'false' })
    expect(result.code).toBe(0)
    expect(s.restores()).toEqual([
      expect.objectContaining({
        installId: INSTALL.id,
        backupId: done.id,
        body: { notification_emails: ['ops@example.com'], restore_database: true, create_checkpoint: false }
      })
    ])
    expect(result.outputs).toMatchObject({ accepted: 'true', 'install-id': INSTALL.id, 'install-name': 'mysite', 'backup-id': done.id })
    expect(result.outputs['accepted-at']).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(result.stdout).toContain(`✅ WP Engine accepted the restore of mysite from backup ${done.id}.`)
    // Accepted is what is known: the API gives no restore status, so nothing says "restored".
    expect(result.summary).toContain('## ✅ WP Engine accepted the restore of mysite')
    expect(result.summary).toContain('| Restores | files and database |')
    expect(result.summary).toContain('| Checkpoint first | no |')
    expect(result.summary).toMatch(/\| Accepted \| \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \|/)
    expect(result.summary).not.toMatch(/restored/i)
  })

  it.concurrent('refuses an aborted backup, sending no restore', async () => {
    const s = await freshSim()
    const aborted = s.seedBackup({ installId: INSTALL.id, ageMs: 60_000, outcome: 'aborted' })
    const result = await restore(s, { 'backup-id': aborted.id })
    expect(result.code).toBe(1)
    expect(result.stdout).toContain(
      `::error::Backup ${aborted.id} of install mysite was aborted, so it holds no restore point; nothing was restored.`
    )
    expect(s.requests.filter((r) => r.path.endsWith('/restore'))).toHaveLength(0)
  })

  it.concurrent('refuses a backup that is not finished', async () => {
    const s = await freshSim({ durationMs: 60_000 })
    const running = s.seedBackup({ installId: INSTALL.id, ageMs: 1_000 })
    const result = await restore(s, { 'backup-id': running.id })
    expect(result.code).toBe(1)
    expect(result.stdout).toContain(
      `::error::Backup ${running.id} of install mysite is in_progress, not completed; nothing was restored. Wait for it first`
    )
    expect(s.restores()).toHaveLength(0)
  })

  it.concurrent('refuses a backup of another install', async () => {
    const s = await freshSim()
    const staging = s.seedBackup({ installId: STAGING.id, ageMs: 60_000 })
    const result = await restore(s, { 'backup-id': staging.id })
    expect(result.code).toBe(1)
    expect(result.stdout).toContain(
      `::error::Backup ${staging.id} was not found on install mysite. Check backup-id, and that the backup belongs to this install.`
    )
    expect(s.requests.filter((r) => r.path.endsWith('/restore'))).toHaveLength(0)
  })

  it.concurrent('a lost answer is not resent: it says to check before restoring again', async () => {
    const s = await freshSim()
    const done = s.seedBackup({ installId: INSTALL.id, ageMs: 60_000 })
    s.fault({ method: 'POST', path: /\/restore$/, type: '502' })
    const result = await restore(s, { 'backup-id': done.id })
    expect(result.code).toBe(1)
    expect(s.requests.filter((r) => r.path.endsWith('/restore'))).toHaveLength(1)
    expect(result.stdout).toContain('a second request would restore it twice')
  })

  it.concurrent('bad input: every problem named, nothing sent', async () => {
    const s = await freshSim()
    const result = await restore(s, { install: 'mysite blog', 'backup-id': '', 'restore-database': 'maybe' })
    expect(result.stdout).toContain(
      '::error::Invalid input: install lists 2 installs (mysite, blog): a restore goes to exactly one; backup-id is required'
    )
    expect(result.stdout).toContain("restore-database 'maybe' is not true or false")
    expect(s.requests).toHaveLength(0)
  })
})

describe('checkZip', () => {
  const zipFile = (bytes: Buffer) => {
    const dir = workspace()
    const path = join(dir, 'a.zip')
    writeFileSync(path, bytes)
    return path
  }
  const whole = Buffer.concat([...zipArchive(200_000).read(0, 200_000)])

  it('rejects a zip cut short anywhere', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: whole.length - 1 }), async (cut) => {
        await expect(checkZip(zipFile(whole.subarray(0, cut)))).rejects.toThrow()
      }),
      { numRuns: 60 }
    )
  })

  it('accepts a ZIP64 archive (the format of archives over 4 GiB)', async () => {
    // The same zip, its end record pointing to a ZIP64 end record and locator instead.
    const endAt = whole.length - 22
    const directorySize = whole.readUInt32LE(endAt + 12)
    const directoryOffset = whole.readUInt32LE(endAt + 16)
    const record = Buffer.alloc(56)
    record.writeUInt32LE(0x06064b50, 0)
    record.writeBigUInt64LE(44n, 4)
    record.writeBigUInt64LE(1n, 24)
    record.writeBigUInt64LE(1n, 32)
    record.writeBigUInt64LE(BigInt(directorySize), 40)
    record.writeBigUInt64LE(BigInt(directoryOffset), 48)
    const locator = Buffer.alloc(20)
    locator.writeUInt32LE(0x07064b50, 0)
    locator.writeBigUInt64LE(BigInt(endAt), 8)
    locator.writeUInt32LE(1, 16)
    const end = Buffer.from(whole.subarray(endAt))
    end.writeUInt16LE(0xffff, 10)
    end.writeUInt32LE(0xffffffff, 12)
    end.writeUInt32LE(0xffffffff, 16)
    const zip64 = Buffer.concat([whole.subarray(0, endAt), record, locator, end])
    await expect(checkZip(zipFile(zip64))).resolves.toEqual({ entries: 1, bytes: zip64.length })
    await expect(checkZip(zipFile(Buffer.concat([whole.subarray(0, endAt), locator, end])))).rejects.toThrow('ZIP64 end record is missing')
  })

  it('rejects what is not a zip at all', async () => {
    await expect(checkZip(zipFile(Buffer.from('<html>Access denied</html>'.padEnd(100, ' '))))).rejects.toThrow(
      'it does not start like a zip'
    )
  })
})

describe('download progress', () => {
  it('reports bytes, percent and rate about every 10 seconds', () => {
    const clock = new FakeClock()
    const lines: string[] = []
    const progress = new Progress(clock, { info: (m) => lines.push(m) }, 10_000)
    progress.total = 1000 * MB
    for (let second = 1; second <= 25; second++) {
      clock.advance(1_000)
      progress.add(20 * MB)
    }
    expect(lines).toEqual(['Downloaded 200.0 MB of 1000.0 MB (20 %), 20.0 MB/s', 'Downloaded 400.0 MB of 1000.0 MB (40 %), 20.0 MB/s'])
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(1536)).toBe('1.5 KB')
  })
})

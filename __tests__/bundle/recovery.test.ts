import { describe, expect, it } from '@jest/globals'
import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { verifyZip } from '../../src/archive/verify-zip.js'
import type { Simulator } from '../../sim/server.js'
import { RESTORE_ACTION, runAction } from '../../scripts/run-action.js'
import { backup, downloads, MB, testBed } from '../support/backup-runs.js'
import { INSTALL, STAGING, visible } from '../support/helpers.js'
import { actionAgainst, credentialsOf, expectNoCredentialsIn } from '../support/sim-helpers.js'

// The recovery kit: archives and their download with the bundled backup action, and the bundled
// restore action, against the simulator.

const { freshSim, workspace } = testBed()

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
    await expect(verifyZip(file)).resolves.toEqual({ entries: 1 })
    // The download carries no API credentials: the link is its own authorisation.
    expect(downloads(s).every((r) => r.authorization === undefined)).toBe(true)
    expect(result.stdout).toMatch(/Downloaded 3\.0 MB in \d+s \(.+\/s\); testing every entry\.\n/)
    expect(result.stdout).toContain(`${file} is a sound zip: 1 entry, every size and CRC-32 as its directory says.`)
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
    const resumedAt = Number(/\nThe archive download broke after [\d.]+ MB \(.+\); resuming at byte (\d+) in 1s\./.exec(result.stdout)?.[1])
    expect(resumedAt).toBeGreaterThan(2 * MB)
    expect(resumedAt).toBeLessThanOrEqual(3 * MB)
    expect(second?.range).toBe(`bytes=${resumedAt}-`)
    expect(first?.range).toBeUndefined()
    expect(statSync(join(dir, 'site.zip')).size).toBe(8 * MB)
    await expect(verifyZip(join(dir, 'site.zip'))).resolves.toEqual({ entries: 1 })
  })

  it.concurrent('starts over when the server takes no Range requests', async () => {
    const s = await freshSim({ archiveBytes: 2 * MB, archiveRanges: false })
    s.fault({ path: /^\/downloads\//, type: 'break-download', afterBytes: MB })
    const dir = workspace()
    const result = await backup(s, { 'archive-path': 'site.zip' }, { GITHUB_WORKSPACE: dir })
    expect(result.code).toBe(0)
    expect(downloads(s).map((r) => r.status)).toEqual([200, 200])
    expect(result.stdout).toContain('starting over (the server does not take Range requests)')
    expect(statSync(join(dir, 'site.zip')).size).toBe(2 * MB)
    await expect(verifyZip(join(dir, 'site.zip'))).resolves.toEqual({ entries: 1 })
  })

  it('archive with wait: false is an input error; nothing is sent', async () => {
    const s = await freshSim()
    const noWait = await backup(s, { 'archive-path': 'x.zip', wait: 'false' })
    expect(noWait.stdout).toContain('::error::Invalid input: archive needs wait: true')
    expect(s.requests).toHaveLength(0)
  })
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

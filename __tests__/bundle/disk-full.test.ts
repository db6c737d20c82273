import { describe, expect, it } from '@jest/globals'
import { mkdirSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Simulator } from '../../sim/server.js'
import { ROOT } from '../../scripts/run-action.js'
import { backup, downloads, MB, testBed } from '../support/backup-runs.js'
import { leftInRunnerTemp } from '../support/workspaces.js'

// The bundled backup action against the simulator when the disk fills: the preload
// fixtures/small-disk.mjs, which only a child process can take, makes the disk small and full.
// Every other case of the off-site copy is a step test (step/offsite-copy.test.ts) or a unit test
// (unit/archive/).

const { freshSim, workspace } = testBed()
const ARCHIVE_POSTS = (s: Simulator) => s.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/archives'))
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

describe('a full disk', () => {
  it.concurrent('a disk that fills during the download: ends at once, naming the path and the need; no file left', async () => {
    const s = await freshSim({ archiveBytes: 8 * MB })
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
    // A twentieth of the disk is kept free for the runner: it stops short of 4.75 MB (by what is still being written).
    expect(errorLines(result.stdout)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^::error::The download server did not announce the archive's size and was still sending after [34]\\.\\d MB: that is all the free space on the disk of ${join(dir, 'site.zip')}, but for 256\\.0 KB kept free for the runner\\. Free up space on the runner, or set archive-path to a disk with room\\.$`
        )
      )
    ])
    expect(downloads(s)).toHaveLength(1)
    expect(readdirSync(dir)).toEqual([])
  })
})

describe('a full disk, with archive-recipients', () => {
  const RECIPIENT = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p'
  /** A workspace and a RUNNER_TEMP both on one small disk, as they are on GitHub's runners. */
  const onOneDisk = () => {
    const dir = workspace()
    for (const sub of ['ws', 'temp']) mkdirSync(join(dir, sub))
    return { dir, ws: join(dir, 'ws'), temp: join(dir, 'temp') }
  }

  it.concurrent('the zip and its encrypted copy do not fit together: refused before a byte is written, naming the copy', async () => {
    const s = await freshSim({ archiveBytes: 3 * MB })
    const { dir, ws, temp } = onOneDisk()
    const result = await backup(
      s,
      { 'archive-path': 'site.zip', 'archive-recipients': RECIPIENT },
      { GITHUB_WORKSPACE: ws, RUNNER_TEMP: temp, ...smallDisk(dir, 5 * MB) }
    )
    expect(result.code).toBe(1)
    expect(errorLines(result.stdout)).toEqual([
      expect.stringMatching(
        /^::error::There is no room for the archive at .*\/temp\/wpengine-backup-[^/]+\/site\.zip: it needs 3\.0 MB more, and the disk has 5\.0 MB free, beside what the step's other copies still need of it \(mysite's encrypted copy: 3\.0 MB\)\. /
      )
    ])
    expect(readdirSync(ws)).toEqual([])
    expect(leftInRunnerTemp(temp)).toEqual([])
  })

  it.concurrent('the disk fills while the copy is encrypted: one line naming the copy; neither zip nor partial copy is left', async () => {
    const s = await freshSim({ archiveBytes: 3 * MB })
    const { dir, ws, temp } = onOneDisk()
    const result = await backup(
      s,
      { 'archive-path': 'site.zip', 'archive-recipients': RECIPIENT },
      { GITHUB_WORKSPACE: ws, RUNNER_TEMP: temp, ...smallDisk(dir, 5 * MB, 100 * MB) }
    )
    expect(result.code).toBe(1)
    expect(errorLines(result.stdout)).toEqual([
      `::error::The disk ran out of room for the encrypted copy at ${join(ws, 'site.zip.age')} (ENOSPC): it needs 3.0 MB; the partial file was deleted. Free up space on the runner, or set archive-path to a disk with room.`
    ])
    expect(ARCHIVE_POSTS(s)).toHaveLength(1)
    expect(readdirSync(ws)).toEqual([])
    expect(leftInRunnerTemp(temp)).toEqual([])
    expect(result.outputs).toMatchObject({ 'archive-file': '', 'archive-sha256': '', 'archive-zip-sha256': '' })
  })
})

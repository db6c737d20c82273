import { expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { verifyZip } from '../../src/archive/verify-zip.js'
import { backup, downloads, MB, testBed } from '../support/backup-runs.js'

// A smoke run of the bundled backup action (dist/) with archive-path, as the runner runs it, against
// the simulator. What the off-site copy does and says is tested in step/offsite-copy.test.ts.

const { freshSim, workspace } = testBed()
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')

it('the bundled backup action with archive-path downloads the zip, tests it, sets the archive outputs and masks the link', async () => {
  const s = await freshSim({ archiveBytes: 3 * MB })
  const dir = workspace()
  // backup() checks that every link the action used was masked, and that no token shows anywhere.
  const result = await backup(s, { 'archive-path': 'backups/' }, { GITHUB_WORKSPACE: dir })
  expect(result.code).toBe(0)
  const [archive] = s.archives()
  const file = join(dir, 'backups', `mysite-${result.outputs['backup-id']}.zip`)
  expect(downloads(s)).toHaveLength(1)
  expect(result.stdout).toContain(`::add-mask::${archive?.download_uri}`)
  expect(result.outputs).toMatchObject({
    'archive-id': archive?.id,
    'archive-state': 'completed',
    'archive-url': archive?.download_uri,
    'archive-file': file,
    'archive-bytes': String(3 * MB),
    'archive-sha256': sha256(file)
  })
  expect(existsSync(`${file}.part`)).toBe(false)
  await expect(verifyZip(file)).resolves.toMatchObject({ entries: 1 })
  expect(result.stdout).toContain(`${file} is a sound zip: 1 entry, every size and CRC-32 as its directory says.`)
  expect(result.summary).toContain(`| Archive | \`${archive?.id}\` (**completed**) |`)
})

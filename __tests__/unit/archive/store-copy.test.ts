import { describe, expect, it } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { DiskClaims } from '../../../src/archive/disk-space.js'
import { storeCopy } from '../../../src/archive/store-copy.js'
import { makeZip } from '../../../scripts/hostile-zips.js'
import { useWorkspaces } from '../../support/workspaces.js'

// storeCopy on its own: what it says while it reads a large zip (the step tests show the rest:
// step/offsite-copy.test.ts and step/offsite-encrypted.test.ts).

const workspace = useWorkspaces()

describe('storeCopy', () => {
  it('says how far it has got about every 10 seconds, and the tested zip takes its name', async () => {
    const dir = workspace()
    writeFileSync(join(dir, 'site.zip.part'), makeZip([{ name: 'db.sql', data: randomBytes(5 * 1024 * 1024) }]))
    // A clock that moves 4 s each time it is read: a line every third chunk or so.
    let now = 0
    const clock = { now: () => (now += 4_000), sleep: async () => undefined }
    const lines: string[] = []
    const stored = await storeCopy({
      part: join(dir, 'site.zip.part'),
      file: join(dir, 'site.zip'),
      recipients: [],
      clock,
      deadline: 3_600_000,
      log: { info: (line) => lines.push(line) },
      disk: new DiskClaims()
    })
    expect(lines.filter((line) => line.startsWith('Tested '))).toEqual([
      expect.stringMatching(/^Tested [\d.]+ MB of 5\.0 MB \(\d+ %\)$/),
      expect.stringMatching(/^Tested [\d.]+ MB of 5\.0 MB \(\d+ %\)$/)
    ])
    expect(stored).toMatchObject({ file: join(dir, 'site.zip'), entries: 1 })
    expect(readdirSync(dir)).toEqual(['site.zip'])
  })
})

import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { BadZipError, verifyZip } from '../../../src/archive/verify-zip.js'
import { zipArchive, type ZipKind } from '../../../sim/zip.js'
import { useWorkspaces } from '../../support/workspaces.js'

const workspace = useWorkspaces()

describe('verifyZip: every entry tested, as unzip -t does', () => {
  const zipFile = (bytes: Buffer) => {
    const path = join(workspace(), 'a.zip')
    writeFileSync(path, bytes)
    return path
  }
  const whole = (kind?: ZipKind) => {
    const zip = zipArchive(200_000, kind)
    return Buffer.concat([...zip.read(0, zip.size)])
  }
  const sound = whole()
  // The entry's data: after the 45-byte local header, before the 61-byte central header and the 22-byte end record.
  const data = { from: 45, to: sound.length - 61 - 22 }

  it('accepts a sound zip, and a ZIP64 one (the format of archives over 4 GiB)', async () => {
    await expect(verifyZip(zipFile(sound))).resolves.toEqual({ entries: 1 })
    await expect(verifyZip(zipFile(whole('zip64')))).resolves.toEqual({ entries: 1 })
  })

  it('rejects a zip cut short anywhere', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: sound.length - 1 }), async (cut) => {
        await expect(verifyZip(zipFile(sound.subarray(0, cut)))).rejects.toThrow(BadZipError)
      }),
      { numRuns: 60 }
    )
  })

  it('rejects one flipped byte anywhere in the data, naming the entry and both CRC-32s', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: data.from, max: data.to - 1 }), fc.integer({ min: 1, max: 255 }), async (at, mask) => {
        const damaged = Buffer.from(sound)
        damaged[at] = damaged[at]! ^ mask
        await expect(verifyZip(zipFile(damaged))).rejects.toThrow(
          /^entry site-backup\.sql is damaged: its data has CRC-32 [0-9a-f]{8}, the zip says [0-9a-f]{8}$/
        )
      }),
      { numRuns: 60 }
    )
  })

  it('rejects an empty zip, and what is not a zip at all', async () => {
    await expect(verifyZip(zipFile(whole('empty')))).rejects.toThrow(new BadZipError('it has no entries'))
    await expect(verifyZip(zipFile(Buffer.from('<html>Access denied</html>'.padEnd(100, ' '))))).rejects.toThrow(
      new BadZipError(
        'it is not a readable zip (End of central directory record signature not found. Either not a zip file, or file is truncated)'
      )
    )
  })
})

import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { BadZipError, verifyZip } from '../../../src/archive/verify-zip.js'
import { zipArchive, type ZipKind } from '../../../sim/zip.js'
import { countTooLow, makeZip, manyEntries, overlapBomb, wrappedCount, zip64CountTooHigh } from '../../../scripts/hostile-zips.js'
import { useWorkspaces } from '../../support/workspaces.js'

// verifyZip on zips written to a temporary directory: the simulator's (sound, ZIP64, empty), and
// the ones scripts/hostile-zips.js makes, each refused with what is wrong with it.

const workspace = useWorkspaces()
const MB = 1024 * 1024

const zipFile = (bytes: Buffer) => {
  const path = join(workspace(), 'a.zip')
  writeFileSync(path, bytes)
  return path
}
const whole = (kind?: ZipKind) => {
  const zip = zipArchive(200_000, kind)
  return Buffer.concat([...zip.read(0, zip.size)])
}
const refused = (bytes: Buffer) =>
  verifyZip(zipFile(bytes)).then(
    () => 'accepted',
    (error: Error) => (error instanceof BadZipError ? error.message : `not a BadZipError: ${error.message}`)
  )
/** Where the one entry of a one-entry zip keeps its uncompressed size: in its local header and in its directory header. */
const sizeFields = (zip: Buffer) => [22, zip.readUInt32LE(zip.length - 22 + 16) + 24]

describe('verifyZip: every entry tested, as unzip -t does', () => {
  const sound = whole()
  // The entry's data: after the 45-byte local header, before the 61-byte central header and the 22-byte end record.
  const data = { from: 45, to: sound.length - 61 - 22 }

  it('accepts a sound zip, and a ZIP64 one (the format of archives over 4 GiB)', async () => {
    await expect(verifyZip(zipFile(sound))).resolves.toEqual({ entries: 1, bytes: sound.length })
    await expect(verifyZip(zipFile(whole('zip64')))).resolves.toEqual({ entries: 1, bytes: 200_000 })
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
    expect(await refused(whole('empty'))).toBe('it has no entries')
    expect(await refused(Buffer.from('<html>Access denied</html>'.padEnd(100, ' ')))).toBe(
      'it is not a zip: there is no end record at its end (it is cut short, or not a zip at all)'
    )
  })

  it('hands on every byte of the file in order, each chunk after it is checked', async () => {
    const zip = makeZip([
      { name: 'big.bin', data: randomBytes(3 * MB) },
      { name: 'wp-config.php', data: Buffer.from('<?php\n'.repeat(1000)), method: 8 }
    ])
    const chunks: Buffer[] = []
    await expect(verifyZip(zipFile(zip), { each: (chunk) => void chunks.push(chunk) })).resolves.toEqual({ entries: 2, bytes: zip.length })
    expect(chunks.length).toBeGreaterThan(1)
    expect(Buffer.concat(chunks).equals(zip)).toBe(true)
  })
})

describe('deflated entries', () => {
  const text = Buffer.from('SELECT * FROM wp_posts;\n'.repeat(20_000))

  it('inflates small ones whole and large ones as a stream, with or without data descriptors', async () => {
    const entries = [
      { name: 'small.sql', data: text, method: 8 as const },
      // Random bytes do not compress: over a megabyte of deflated data, inflated as it is read.
      { name: 'large.bin', data: randomBytes(3 * MB), method: 8 as const },
      { name: 'empty.txt', data: Buffer.alloc(0) }
    ]
    await expect(verifyZip(zipFile(makeZip(entries)))).resolves.toMatchObject({ entries: 3 })
    await expect(verifyZip(zipFile(makeZip(entries, { descriptor: true })))).resolves.toMatchObject({ entries: 3 })
  })

  it('rejects a damaged deflate stream, small or large, naming the entry', async () => {
    expect(await refused(makeZip([{ name: 'small.sql', data: text, method: 8 }], { damage: 0 }))).toMatch(/^entry small\.sql is damaged/)
    expect(await refused(makeZip([{ name: 'large.bin', data: randomBytes(3 * MB), method: 8 }], { damage: 0 }))).toMatch(
      /^entry large\.bin is damaged/
    )
  })

  it('holds an entry to the size its directory gives it: one that inflates to more is refused, small or large', async () => {
    for (const data of [text, Buffer.concat([randomBytes(2 * MB), text])]) {
      const zip = makeZip([{ name: 'liar.sql', data, method: 8 }])
      for (const at of sizeFields(zip)) zip.writeUInt32LE(1000, at)
      expect(await refused(zip)).toBe('entry liar.sql inflates to more than the 1000 bytes its directory gives it')
    }
  })

  it('refuses compression it cannot test, and encrypted entries', async () => {
    const bzip2 = makeZip([{ name: 'a.txt', data: Buffer.from('a') }])
    bzip2.writeUInt16LE(12, 8)
    bzip2.writeUInt16LE(12, bzip2.readUInt32LE(bzip2.length - 22 + 16) + 10)
    expect(await refused(bzip2)).toBe(
      'entry a.txt is compressed with method 12, which cannot be tested (only stored and deflated entries can)'
    )
    const encrypted = makeZip([{ name: 'a.txt', data: Buffer.from('a') }])
    encrypted.writeUInt16LE(1, 6)
    encrypted.writeUInt16LE(1, encrypted.readUInt32LE(encrypted.length - 22 + 16) + 8)
    expect(await refused(encrypted)).toBe('entry a.txt is encrypted, so it cannot be tested')
  })
})

describe('the directory, read to its stated size and offset', () => {
  it('a count below what the directory holds: three entries, the third damaged, the end record saying one', async () => {
    expect(await refused(countTooLow())).toBe('its directory holds 3 entries, but its end record says 1')
  })

  it('a 16-bit count that wrapped, with no ZIP64 record: 70,000 entries read as 4,464', async () => {
    expect(await refused(wrappedCount())).toBe(
      'its directory holds 70000 entries, but its end record says 4464 (a count that wrapped past 65,535, with no ZIP64 record)'
    )
  })

  it('a ZIP64 end record whose count disagrees with the directory', async () => {
    expect(await refused(zip64CountTooHigh())).toBe('its directory holds 2 entries, but its end record says 3')
  })

  it('a stated size or offset that does not lead to the end record', async () => {
    const zip = makeZip(['a.txt', 'b.txt'].map((name) => ({ name, data: Buffer.from(name) })))
    const short = Buffer.from(zip)
    short.writeUInt32LE(zip.readUInt32LE(zip.length - 22 + 12) - 1, short.length - 22 + 12)
    expect(await refused(short)).toMatch(
      /^its end record says the directory is \d+ bytes at byte \d+, but the directory must end at byte \d+/
    )
    const moved = Buffer.from(zip)
    moved.writeUInt32LE(zip.readUInt32LE(zip.length - 22 + 16) + 5, moved.length - 22 + 16)
    expect(await refused(moved)).toMatch(/^its end record says the directory is/)
  })

  it('accepts 70,000 entries counted in a ZIP64 end record, every one tested (100,000 within 2 s is a row of the bench)', async () => {
    await expect(verifyZip(zipFile(manyEntries(70_000)))).resolves.toMatchObject({ entries: 70_000 })
  })
})

describe('every byte accounted for', () => {
  it('refuses entries that share bytes (an overlap bomb) before inflating any of them', async () => {
    // 1,000 entries on one stream that inflates to 64 MiB: checked one by one, 64 GB of inflating.
    expect(await refused(overlapBomb(1000, 64 * MB))).toBe('entries b000 and b001 overlap: they share bytes of the file')
  })

  it('refuses bytes before the first entry, and between entries', async () => {
    const zip = makeZip(['a.txt', 'b.txt'].map((name) => ({ name, data: Buffer.from(`${name}\n`) })))
    const directoryAt = zip.readUInt32LE(zip.length - 22 + 16)
    const secondAt = zip.readUInt32LE(directoryAt + 46 + 5 + 42)
    // Four bytes slipped in after the first entry, every offset after them moved on to match.
    const gap = Buffer.concat([zip.subarray(0, secondAt), Buffer.from('JUNK'), zip.subarray(secondAt)])
    gap.writeUInt32LE(secondAt + 4, directoryAt + 4 + 46 + 5 + 42)
    gap.writeUInt32LE(directoryAt + 4, gap.length - 22 + 16)
    expect(await refused(gap)).toBe('4 bytes after entry a.txt belong to no entry')
    const prefixed = Buffer.concat([Buffer.from('#!/bin/sh\n'), zip])
    for (const header of [0, 1])
      prefixed.writeUInt32LE(zip.readUInt32LE(directoryAt + header * 51 + 42) + 10, 10 + directoryAt + header * 51 + 42)
    prefixed.writeUInt32LE(directoryAt + 10, prefixed.length - 22 + 16)
    expect(await refused(prefixed)).toBe('10 bytes before its first entry belong to no entry')
  })

  it('refuses a local header that names another file than the directory', async () => {
    const zip = makeZip([{ name: 'index.php', data: Buffer.from('<?php') }])
    zip.write('evil!.php', 30)
    expect(await refused(zip)).toBe('entry index.php has another name in its local header')
  })

  it('refuses a data descriptor that disagrees with the directory', async () => {
    const zip = makeZip([{ name: 'a.txt', data: Buffer.from('hello') }], { descriptor: true })
    const descriptorAt = 30 + 5 + 5
    zip.writeUInt32LE(6, descriptorAt + 12)
    expect(await refused(zip)).toBe('entry a.txt has a data descriptor that disagrees with the directory')
  })
})

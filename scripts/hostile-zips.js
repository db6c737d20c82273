// @ts-check
// Zips made by script, for the tests of the archive check and for the bench: a small zip writer, and
// the hostile zips that `unzip -t` refuses and a weaker check let through (a count that disagrees
// with the directory, a 16-bit count that wrapped, entries that share one compressed stream). Every
// zip is built in memory, in well under a second; `node scripts/hostile-zips.js DIR` writes them all
// to DIR, to try them with other tools (`unzip -t DIR/*.zip`).
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { crc32, deflateRawSync } from 'node:zlib'

/** @typedef {{ name: string, data: Buffer, method?: 0 | 8 }} ZipEntry */
/**
 * @typedef {{ count?: number, zip64?: boolean, descriptor?: boolean, offsets?: (index: number, offset: number) => number,
 *   damage?: number }} ZipOptions
 */

const MAX_16 = 0xffff
const MAX_32 = 0xffffffff
/** @type {WeakMap<Buffer, Buffer>} */
const deflated = new WeakMap()

/** The entry's data as stored: deflated ones once per distinct buffer, so that a zip of 100,000 copies is quick to make. @param {ZipEntry} entry */
function stored(entry) {
  if (entry.method !== 8) return entry.data
  let packed = deflated.get(entry.data)
  if (!packed) deflated.set(entry.data, (packed = deflateRawSync(entry.data)))
  return packed
}

/**
 * A zip of `entries`, laid out as zip writers do: each local header and its data (and with
 * `descriptor`, a signed data descriptor), then the central directory and the end record. Options
 * make it hostile: `count` is what the end record says instead of the true count (cut to 16 bits
 * without `zip64`), `damage` flips one byte in the middle of that entry's stored data, `zip64` adds
 * the ZIP64 end record and locator.
 * @param {ZipEntry[]} entries @param {ZipOptions} [options]
 */
export function makeZip(entries, { count = entries.length, zip64 = false, descriptor = false, damage } = {}) {
  /** @type {Buffer[]} */
  const parts = []
  /** @type {Buffer[]} */
  const central = []
  let offset = 0
  for (const [index, entry] of entries.entries()) {
    const name = Buffer.from(entry.name)
    const data = Buffer.from(stored(entry))
    const crc = crc32(entry.data)
    if (damage === index) data[data.length >> 1] = (data[data.length >> 1] ?? 0) ^ 0x01
    const local = Buffer.alloc(30 + name.length)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(descriptor ? 0x8 : 0, 6)
    local.writeUInt16LE(entry.method ?? 0, 8)
    local.writeUInt16LE(0x5a21, 12) // a date in 2025
    if (!descriptor) {
      local.writeUInt32LE(crc, 14)
      local.writeUInt32LE(data.length, 18)
      local.writeUInt32LE(entry.data.length, 22)
    }
    local.writeUInt16LE(name.length, 26)
    name.copy(local, 30)
    parts.push(local, data)
    let length = local.length + data.length
    if (descriptor) {
      const trailer = Buffer.alloc(16)
      trailer.writeUInt32LE(0x08074b50, 0)
      trailer.writeUInt32LE(crc, 4)
      trailer.writeUInt32LE(data.length, 8)
      trailer.writeUInt32LE(entry.data.length, 12)
      parts.push(trailer)
      length += trailer.length
    }
    const header = Buffer.alloc(46 + name.length)
    header.writeUInt32LE(0x02014b50, 0)
    header.writeUInt16LE(0x0314, 4) // made by: Unix, 2.0
    header.writeUInt16LE(20, 6)
    header.writeUInt16LE(descriptor ? 0x8 : 0, 8)
    header.writeUInt16LE(entry.method ?? 0, 10)
    header.writeUInt16LE(0x5a21, 14)
    header.writeUInt32LE(crc, 16)
    header.writeUInt32LE(data.length, 20)
    header.writeUInt32LE(entry.data.length, 24)
    header.writeUInt16LE(name.length, 28)
    header.writeUInt32LE(offset, 42)
    name.copy(header, 46)
    central.push(header)
    offset += length
  }
  const directory = Buffer.concat(central)
  return Buffer.concat([...parts, directory, endRecords(count, directory.length, offset, zip64)])
}

/** The end record, after the ZIP64 end record and its locator with `zip64`. @param {number} count @param {number} size @param {number} offset @param {boolean} zip64 */
function endRecords(count, size, offset, zip64) {
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(zip64 ? MAX_16 : count & MAX_16, 8)
  end.writeUInt16LE(zip64 ? MAX_16 : count & MAX_16, 10)
  end.writeUInt32LE(zip64 ? MAX_32 : size, 12)
  end.writeUInt32LE(zip64 ? MAX_32 : offset, 16)
  if (!zip64) return end
  const record = Buffer.alloc(56 + 20)
  record.writeUInt32LE(0x06064b50, 0)
  record.writeBigUInt64LE(44n, 4)
  record.writeUInt16LE(45, 12)
  record.writeUInt16LE(45, 14)
  record.writeBigUInt64LE(BigInt(count), 24)
  record.writeBigUInt64LE(BigInt(count), 32)
  record.writeBigUInt64LE(BigInt(size), 40)
  record.writeBigUInt64LE(BigInt(offset), 48)
  record.writeUInt32LE(0x07064b50, 56)
  record.writeBigUInt64LE(BigInt(offset + size), 56 + 8)
  record.writeUInt32LE(1, 56 + 16)
  return Buffer.concat([record, end])
}

// A few kilobytes of text in a handful of variants, deflated like a site's PHP, CSS and SQL files.
const TEXTS = Array.from({ length: 8 }, (_, n) =>
  Buffer.from(`<?php\n// file ${n}\n${'echo "wp-content/uploads/2025/11/image-1024x768.jpg";\n'.repeat(20 + n * 7)}`)
)

/** A sound zip of `count` small deflated files, as a site with many uploads has; ZIP64 past 65,535 entries. @param {number} count */
export function manyEntries(count) {
  return makeZip(
    Array.from({ length: count }, (_, n) => ({
      name: `wp-content/uploads/f${n}.php`,
      data: /** @type {Buffer} */ (TEXTS[n % TEXTS.length]),
      method: /** @type {const} */ (8)
    })),
    { zip64: count > MAX_16 }
  )
}

/** Three entries, the third damaged, and an end record that says there is one. */
export function countTooLow() {
  const entries = ['index.php', 'wp-config.php', 'database.sql'].map((name) => ({ name, data: Buffer.from(`${name}\n`.repeat(50)) }))
  return makeZip(entries, { count: 1, damage: 2 })
}

/** 70,000 entries and no ZIP64 record: the end record's 16-bit count wrapped to 4,464. */
export function wrappedCount() {
  return makeZip(Array.from({ length: 70_000 }, (_, n) => ({ name: `f${n}`, data: Buffer.from([n & 0xff]) })))
}

/** A ZIP64 end record whose count is one more than its directory holds. */
export function zip64CountTooHigh() {
  return makeZip(
    ['a.txt', 'b.txt'].map((name) => ({ name, data: Buffer.from(name) })),
    { zip64: true, count: 3 }
  )
}

/**
 * An overlap bomb: `entries` directory entries that all point at one local header and one deflated
 * stream of `bytes` zeros, so that a check entry by entry inflates the stream `entries` times.
 * @param {number} entries @param {number} bytes
 */
export function overlapBomb(entries, bytes) {
  const zeros = Buffer.alloc(bytes)
  const base = makeZip([{ name: 'bomb', data: zeros, method: 8 }])
  const centralAt = base.readUInt32LE(base.length - 22 + 16)
  const header = base.subarray(centralAt, base.length - 22)
  const directory = Buffer.concat(
    Array.from({ length: entries }, (_, n) => {
      // The same header over and over, each with a name of its own (of the same length) and local offset 0.
      const copy = Buffer.from(header)
      Buffer.from(`b${String(n % 1000).padStart(3, '0')}`).copy(copy, 46)
      return copy
    })
  )
  return Buffer.concat([base.subarray(0, centralAt), directory, endRecords(entries, directory.length, centralAt, entries > MAX_16)])
}

/** Every hostile zip, by file name. */
export function hostileZips() {
  return {
    'count-too-low.zip': countTooLow(),
    'wrapped-count.zip': wrappedCount(),
    'zip64-count-too-high.zip': zip64CountTooHigh(),
    'overlap-bomb.zip': overlapBomb(1000, 64 * 1024 * 1024)
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = process.argv[2]
  if (!dir) throw new Error('usage: node scripts/hostile-zips.js DIR')
  mkdirSync(dir, { recursive: true })
  for (const [name, zip] of Object.entries(hostileZips())) writeFileSync(join(dir, name), zip)
  writeFileSync(join(dir, 'many-entries.zip'), manyEntries(100_000))
}

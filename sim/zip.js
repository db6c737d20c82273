// @ts-check
// A zip of any size, generated slice by slice: one stored (uncompressed) entry whose content is a
// repeated pseudo-random block. Nothing but the headers is held in memory, so a simulator can serve
// archives of hundreds of megabytes. Besides a plain zip it makes the ones a download must tell
// apart: ZIP64 (the format of archives over 4 GiB), an empty zip, and a zip with one flipped byte.
import { crc32 } from 'node:zlib'

/** @typedef {'zip' | 'zip64' | 'empty' | 'flipped'} ZipKind */

const BLOCK = 64 * 1024
const NAME = Buffer.from('site-backup.sql')
const END_RECORD = 22
const ZIP64_END_RECORD = 56
const ZIP64_LOCATOR = 20
// The ZIP64 extended information extra field: sizes (and, in the central directory, the offset) in 64 bits.
const ZIP64_LOCAL_EXTRA = 4 + 16
const ZIP64_CENTRAL_EXTRA = 4 + 24
const MAX_16 = 0xffff
const MAX_32 = 0xffffffff

/** The repeated content block, from a fixed seed. */
const block = (() => {
  const buf = Buffer.alloc(BLOCK)
  let state = 0x9e3779b9
  for (let i = 0; i < BLOCK; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    buf[i] = state >>> 24
  }
  return buf
})()

/** @type {Map<number, number>} */
const crcBySize = new Map()

/** @param {number} length */
function contentCrc(length) {
  let crc = crcBySize.get(length)
  if (crc === undefined) {
    crc = 0
    for (let at = 0; at < length; at += BLOCK) crc = crc32(block.subarray(0, Math.min(BLOCK, length - at)), crc)
    crcBySize.set(length, crc)
  }
  return crc
}

/** @param {{ entries: number, directorySize: number, directoryOffset: number }} fields */
function endRecord({ entries, directorySize, directoryOffset }) {
  const end = Buffer.alloc(END_RECORD)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries, 8) // entries on this disk
  end.writeUInt16LE(entries, 10) // entries in all
  end.writeUInt32LE(directorySize, 12)
  end.writeUInt32LE(directoryOffset, 16)
  return end
}

/** The ZIP64 end record and its locator, then an end record whose fields all point to them. @param {number} directorySize @param {number} directoryOffset */
function zip64End(directorySize, directoryOffset) {
  const record = Buffer.alloc(ZIP64_END_RECORD + ZIP64_LOCATOR)
  record.writeUInt32LE(0x06064b50, 0)
  record.writeBigUInt64LE(BigInt(ZIP64_END_RECORD - 12), 4) // the record's size after this field
  record.writeUInt16LE(45, 12) // version made by
  record.writeUInt16LE(45, 14) // version needed
  record.writeBigUInt64LE(1n, 24) // entries on this disk
  record.writeBigUInt64LE(1n, 32) // entries in all
  record.writeBigUInt64LE(BigInt(directorySize), 40)
  record.writeBigUInt64LE(BigInt(directoryOffset), 48)
  const locator = ZIP64_END_RECORD
  record.writeUInt32LE(0x07064b50, locator)
  record.writeBigUInt64LE(BigInt(directoryOffset + directorySize), locator + 8) // where the ZIP64 end record is
  record.writeUInt32LE(1, locator + 16) // disks in all
  return Buffer.concat([record, endRecord({ entries: MAX_16, directorySize: MAX_32, directoryOffset: MAX_32 })])
}

/**
 * @param {number} size the zip's total size in bytes (an empty zip is always 22 bytes)
 * @param {ZipKind} [kind]
 * @returns {{ size: number, read(start: number, end: number): Iterable<Buffer> }}
 */
export function zipArchive(size, kind = 'zip') {
  if (kind === 'empty') {
    const end = endRecord({ entries: 0, directorySize: 0, directoryOffset: 0 })
    return { size: end.length, read: (start, stop) => [end.subarray(start, stop)].values() }
  }
  const zip64 = kind === 'zip64'
  const localHeader = 30 + NAME.length + (zip64 ? ZIP64_LOCAL_EXTRA : 0)
  const centralHeader = 46 + NAME.length + (zip64 ? ZIP64_CENTRAL_EXTRA : 0)
  const endRecords = zip64 ? ZIP64_END_RECORD + ZIP64_LOCATOR + END_RECORD : END_RECORD
  const dataLength = size - localHeader - centralHeader - endRecords
  if (dataLength < 0 || (!zip64 && size >= 2 ** 32)) {
    throw new RangeError(`a generated ${kind} must be at least ${size - dataLength} bytes${zip64 ? '' : ' and under 4 GiB'}`)
  }
  const crc = contentCrc(dataLength)
  const version = zip64 ? 45 : 20
  const small = (/** @type {number} */ n) => (zip64 ? MAX_32 : n)

  const local = Buffer.alloc(localHeader)
  local.writeUInt32LE(0x04034b50, 0)
  local.writeUInt16LE(version, 4) // version needed
  local.writeUInt32LE(crc, 14)
  local.writeUInt32LE(small(dataLength), 18) // compressed size (stored)
  local.writeUInt32LE(small(dataLength), 22) // uncompressed size
  local.writeUInt16LE(NAME.length, 26)
  local.writeUInt16LE(localHeader - 30 - NAME.length, 28)
  NAME.copy(local, 30)
  if (zip64) {
    const extra = 30 + NAME.length
    local.writeUInt16LE(0x0001, extra)
    local.writeUInt16LE(16, extra + 2)
    local.writeBigUInt64LE(BigInt(dataLength), extra + 4)
    local.writeBigUInt64LE(BigInt(dataLength), extra + 12)
  }

  const central = Buffer.alloc(centralHeader)
  central.writeUInt32LE(0x02014b50, 0)
  central.writeUInt16LE(version, 4) // version made by
  central.writeUInt16LE(version, 6) // version needed
  central.writeUInt32LE(crc, 16)
  central.writeUInt32LE(small(dataLength), 20)
  central.writeUInt32LE(small(dataLength), 24)
  central.writeUInt16LE(NAME.length, 28)
  central.writeUInt16LE(centralHeader - 46 - NAME.length, 30)
  central.writeUInt32LE(small(0), 42) // the local header's offset
  NAME.copy(central, 46)
  if (zip64) {
    const extra = 46 + NAME.length
    central.writeUInt16LE(0x0001, extra)
    central.writeUInt16LE(24, extra + 2)
    central.writeBigUInt64LE(BigInt(dataLength), extra + 4)
    central.writeBigUInt64LE(BigInt(dataLength), extra + 12)
    central.writeBigUInt64LE(0n, extra + 20)
  }
  const directoryOffset = localHeader + dataLength
  const tail = Buffer.concat([
    central,
    zip64 ? zip64End(centralHeader, directoryOffset) : endRecord({ entries: 1, directorySize: centralHeader, directoryOffset })
  ])
  // One byte in the middle of the content, as a bad disk or a broken proxy would leave it.
  const flippedAt = kind === 'flipped' ? Math.floor(dataLength / 2) : -1

  /** Content bytes [a, b) lie within one block: `read` never crosses a block boundary. @param {number} a @param {number} b */
  function content(a, b) {
    const slice = block.subarray(a % BLOCK, (a % BLOCK) + (b - a))
    if (flippedAt < a || flippedAt >= b) return slice
    const copy = Buffer.from(slice)
    copy[flippedAt - a] = /** @type {number} */ (copy[flippedAt - a]) ^ 0xff
    return copy
  }

  /** The bytes in [start, end), in slices of at most one block. */
  function* read(/** @type {number} */ start, /** @type {number} */ stop) {
    const parts = [
      { from: 0, bytes: (/** @type {number} */ a, /** @type {number} */ b) => local.subarray(a, b), length: localHeader },
      { from: localHeader, bytes: content, length: dataLength },
      { from: directoryOffset, bytes: (/** @type {number} */ a, /** @type {number} */ b) => tail.subarray(a, b), length: tail.length }
    ]
    for (const part of parts) {
      for (let at = Math.max(start, part.from); at < Math.min(stop, part.from + part.length);) {
        const next = Math.min(stop, part.from + part.length, at + BLOCK - ((at - part.from) % BLOCK))
        yield part.bytes(at - part.from, next - part.from)
        at = next
      }
    }
  }
  return { size, read }
}

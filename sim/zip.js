// @ts-check
// A valid zip of any size up to 4 GiB, generated slice by slice: one stored (uncompressed) entry
// whose content is a repeated pseudo-random block. Nothing but the headers is held in memory, so a
// simulator can serve archives of hundreds of megabytes.
import { crc32 } from 'node:zlib'

const BLOCK = 64 * 1024
const NAME = Buffer.from('site-backup.sql')
const LOCAL_HEADER = 30 + NAME.length
const CENTRAL_HEADER = 46 + NAME.length
const END_RECORD = 22

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

/**
 * @param {number} size the zip's total size in bytes
 * @returns {{ size: number, read(start: number, end: number): Generator<Buffer> }}
 */
export function zipArchive(size) {
  const dataLength = size - LOCAL_HEADER - CENTRAL_HEADER - END_RECORD
  if (dataLength < 0 || size >= 2 ** 32) throw new RangeError(`a generated zip must be between ${size - dataLength} bytes and 4 GiB`)
  const crc = contentCrc(dataLength)
  const local = Buffer.alloc(LOCAL_HEADER)
  local.writeUInt32LE(0x04034b50, 0)
  local.writeUInt16LE(20, 4) // version needed
  local.writeUInt32LE(crc, 14)
  local.writeUInt32LE(dataLength, 18) // compressed size (stored)
  local.writeUInt32LE(dataLength, 22) // uncompressed size
  local.writeUInt16LE(NAME.length, 26)
  NAME.copy(local, 30)
  const central = Buffer.alloc(CENTRAL_HEADER + END_RECORD)
  central.writeUInt32LE(0x02014b50, 0)
  central.writeUInt16LE(20, 4) // version made by
  central.writeUInt16LE(20, 6) // version needed
  central.writeUInt32LE(crc, 16)
  central.writeUInt32LE(dataLength, 20)
  central.writeUInt32LE(dataLength, 24)
  central.writeUInt16LE(NAME.length, 28)
  central.writeUInt32LE(0, 42) // the local header's offset
  NAME.copy(central, 46)
  const end = CENTRAL_HEADER
  central.writeUInt32LE(0x06054b50, end)
  central.writeUInt16LE(1, end + 8) // entries on this disk
  central.writeUInt16LE(1, end + 10) // entries in all
  central.writeUInt32LE(CENTRAL_HEADER, end + 12) // central directory size
  central.writeUInt32LE(LOCAL_HEADER + dataLength, end + 16) // central directory offset

  /** The bytes in [start, end), in slices of at most one block. */
  function* read(/** @type {number} */ start, /** @type {number} */ stop) {
    const parts = [
      { from: 0, bytes: (/** @type {number} */ a, /** @type {number} */ b) => local.subarray(a, b), length: LOCAL_HEADER },
      { from: LOCAL_HEADER, bytes: (/** @type {number} */ a, /** @type {number} */ b) => contentSlice(a, b), length: dataLength },
      {
        from: LOCAL_HEADER + dataLength,
        bytes: (/** @type {number} */ a, /** @type {number} */ b) => central.subarray(a, b),
        length: central.length
      }
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

/** Content bytes [a, b) lie within one block: `read` never crosses a block boundary. @param {number} a @param {number} b */
function contentSlice(a, b) {
  return block.subarray(a % BLOCK, (a % BLOCK) + (b - a))
}

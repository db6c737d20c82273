import { open } from 'node:fs/promises'

/** A file that is not a complete zip; the message says what is wrong with it. */
export class IncompleteZipError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'IncompleteZipError'
  }
}

const LOCAL_FILE = 0x04034b50
const CENTRAL_FILE = 0x02014b50
const END = 0x06054b50
const ZIP64_LOCATOR = 0x07064b50
const ZIP64_END = 0x06064b50
const END_SIZE = 22
// The end record may be followed by a comment of up to 65535 bytes.
const END_SEARCH = END_SIZE + 0xffff

/**
 * Checks that the file is a whole zip, reading only its structure: it starts with an entry, the
 * end-of-central-directory record (ZIP64 too, for archives over 4 GiB) is there, and the central
 * directory it points to lies inside the file and starts where it says. A download cut short
 * anywhere loses the end record or moves it, so it fails here.
 */
export async function checkZip(path: string): Promise<{ entries: number; bytes: number }> {
  const file = await open(path, 'r')
  try {
    const { size } = await file.stat()
    if (size < END_SIZE) throw new IncompleteZipError(`it is ${size} bytes long, shorter than any zip`)
    const read = async (position: number, length: number): Promise<Buffer> => {
      const buffer = Buffer.alloc(length)
      const { bytesRead } = await file.read(buffer, 0, length, position)
      return buffer.subarray(0, bytesRead)
    }
    const first = (await read(0, 4)).readUInt32LE(0)
    if (first !== LOCAL_FILE && first !== END) throw new IncompleteZipError('it does not start like a zip')

    const tailStart = Math.max(0, size - END_SEARCH)
    const tail = await read(tailStart, size - tailStart)
    let at = -1
    for (let i = tail.length - END_SIZE; i >= 0; i--) {
      // The comment length must reach exactly to the end of the file, or this is not the real end record.
      if (tail.readUInt32LE(i) === END && i + END_SIZE + tail.readUInt16LE(i + 20) === tail.length) {
        at = i
        break
      }
    }
    if (at < 0) throw new IncompleteZipError('its end-of-central-directory record is missing: the file was cut short')
    const endOffset = tailStart + at
    let entries = tail.readUInt16LE(at + 10)
    let directorySize = tail.readUInt32LE(at + 12)
    let directoryOffset = tail.readUInt32LE(at + 16)
    let directoryEnd = endOffset
    if (entries === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
      const locator = endOffset >= 20 ? await read(endOffset - 20, 20) : Buffer.alloc(0)
      if (locator.length < 20 || locator.readUInt32LE(0) !== ZIP64_LOCATOR) throw new IncompleteZipError('its ZIP64 end locator is missing')
      const recordOffset = Number(locator.readBigUInt64LE(8))
      const record = await read(recordOffset, 56)
      if (record.length < 56 || record.readUInt32LE(0) !== ZIP64_END) throw new IncompleteZipError('its ZIP64 end record is missing')
      entries = Number(record.readBigUInt64LE(32))
      directorySize = Number(record.readBigUInt64LE(40))
      directoryOffset = Number(record.readBigUInt64LE(48))
      directoryEnd = recordOffset
    }
    if (directoryOffset + directorySize !== directoryEnd) {
      throw new IncompleteZipError(
        `its central directory (${directorySize} bytes at ${directoryOffset}) does not end where the end record is (${directoryEnd}): bytes are missing`
      )
    }
    if (entries > 0 && (await read(directoryOffset, 4)).readUInt32LE(0) !== CENTRAL_FILE) {
      throw new IncompleteZipError('its central directory is not where the end record says')
    }
    return { entries, bytes: size }
  } finally {
    await file.close()
  }
}

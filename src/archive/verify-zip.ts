import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import { once } from 'node:events'
import { finished } from 'node:stream/promises'
import zlib, { crc32 } from 'node:zlib'
import { safeText } from '../text/safe-text.js'

/** A file that is not a sound zip; the message says what is wrong with it. */
export class BadZipError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'BadZipError'
  }
}

const LOCAL_HEADER = 0x04034b50
const CENTRAL_HEADER = 0x02014b50
const END_RECORD = 0x06054b50
const ZIP64_END_RECORD = 0x06064b50
const ZIP64_LOCATOR = 0x07064b50
const DESCRIPTOR = 0x08074b50
const END_SIZE = 22
const LOCATOR_SIZE = 20
const ZIP64_END_SIZE = 56
const LOCAL_SIZE = 30
const CENTRAL_SIZE = 46
const MAX_16 = 0xffff
const MAX_32 = 0xffffffff
// Bit 0: the entry is encrypted; bit 3: its CRC-32 and sizes follow its data, in a data descriptor.
const ENCRYPTED = 0x1
const HAS_DESCRIPTOR = 0x8
const STORED = 0
const DEFLATED = 8
// A directory this large would describe millions of entries: no site's archive has one.
const MAX_DIRECTORY_BYTES = 1024 ** 3
// Entries this small are inflated in one call (fast for many small files); larger ones stream through zlib, so memory stays flat.
const WHOLE_INFLATE_BYTES = 1024 * 1024
const READ_BYTES = 1024 * 1024

/** Where each entry is, as the central directory says; kept in typed arrays so that a million entries stay small. */
interface Directory {
  /** The file's bytes from the directory's start to the end: the directory and the end records. */
  tail: Buffer
  directoryOffset: number
  fileSize: number
  count: number
  /** Where each entry's header starts in `tail`. */
  header: Uint32Array
  offset: Float64Array
  compressed: Float64Array
  size: Float64Array
  /** Entry numbers (directory order) sorted by where their data starts in the file. */
  order: Uint32Array
}

/**
 * Tests the zip as `unzip -t` does, and more strictly: the end record (ZIP64 too) must point to a
 * central directory that fills exactly its stated size and holds exactly its stated count; no two
 * entries may share bytes; then every byte of the file is read once, in order, and accounted for:
 * each local header matches its directory entry, each entry's data inflates to its stated size and
 * CRC-32, and nothing lies between entries. `each` is handed every chunk once it has been checked
 * so far (the SHA-256 and the encryption read the very bytes that were tested); a failure found
 * later still fails the whole. A zip with no entries is refused: an archive of a site never is one.
 */
export async function verifyZip(
  path: string,
  { signal, each }: { signal?: AbortSignal; each?: (chunk: Buffer) => void | Promise<void> } = {}
): Promise<{ entries: number; bytes: number }> {
  const directory = await readDirectory(path)
  const check = new ZipCheck(directory)
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: READ_BYTES, end: directory.fileSize - 1 })) {
      signal?.throwIfAborted()
      await check.update(chunk as Buffer)
      await each?.(chunk as Buffer)
    }
    await check.end()
  } finally {
    check.destroy()
  }
  return { entries: directory.count, bytes: directory.fileSize }
}

const bad = (message: string): BadZipError => new BadZipError(message)

/** The end record, the ZIP64 one when there is one, and the central directory they point to, parsed. */
async function readDirectory(path: string): Promise<Directory> {
  const file = await open(path, 'r')
  try {
    const fileSize = (await file.stat()).size
    const read = async (position: number, length: number): Promise<Buffer> => {
      const buffer = Buffer.alloc(length)
      const { bytesRead } = await file.read(buffer, 0, length, position)
      if (bytesRead !== length) throw bad('it changed while it was read')
      return buffer
    }
    const searched = Math.min(fileSize, END_SIZE + MAX_16)
    const end = await read(fileSize - searched, searched)
    // The end record is the last one whose comment reaches exactly the end of the file.
    let at = -1
    for (let i = end.length - END_SIZE; i >= 0; i--) {
      if (end.readUInt32LE(i) === END_RECORD && i + END_SIZE + end.readUInt16LE(i + 20) === end.length) {
        at = i
        break
      }
    }
    if (at < 0) throw bad('it is not a zip: there is no end record at its end (it is cut short, or not a zip at all)')
    const endAt = fileSize - searched + at
    if (end.readUInt16LE(at + 4) !== 0 || end.readUInt16LE(at + 6) !== 0) throw bad('it spans several disks')
    const onDisk = end.readUInt16LE(at + 8)
    let count = end.readUInt16LE(at + 10)
    let directorySize = end.readUInt32LE(at + 12)
    let directoryOffset = end.readUInt32LE(at + 16)
    if (onDisk !== count) throw bad(`its end record says ${onDisk} entries on this disk but ${count} in all`)
    let directoryEnd = endAt
    const locatorAt = endAt - LOCATOR_SIZE
    const locator = locatorAt >= 0 ? await read(locatorAt, LOCATOR_SIZE) : undefined
    if (locator?.readUInt32LE(0) === ZIP64_LOCATOR) {
      const recordAt = number64(locator, 8, 'the ZIP64 locator')
      if (locator.readUInt32LE(4) !== 0 || locator.readUInt32LE(16) !== 1) throw bad('it spans several disks')
      if (recordAt + ZIP64_END_SIZE > locatorAt) throw bad('its ZIP64 locator points past itself')
      const record = await read(recordAt, locatorAt - recordAt)
      if (record.readUInt32LE(0) !== ZIP64_END_RECORD) throw bad('its ZIP64 locator points to no ZIP64 end record')
      // The record's own size, and the record must end where the locator begins.
      if (12 + number64(record, 4, 'the ZIP64 end record') !== record.length)
        throw bad('its ZIP64 end record does not end where its locator begins')
      const onDisk64 = number64(record, 24, 'the ZIP64 end record')
      count = number64(record, 32, 'the ZIP64 end record')
      if (onDisk64 !== count) throw bad(`its ZIP64 end record says ${onDisk64} entries on this disk but ${count} in all`)
      directorySize = number64(record, 40, 'the ZIP64 end record')
      directoryOffset = number64(record, 48, 'the ZIP64 end record')
      directoryEnd = recordAt
    }
    if (directoryOffset + directorySize !== directoryEnd) {
      throw bad(
        `its end record says the directory is ${directorySize} bytes at byte ${directoryOffset}, but the directory must end at byte ${directoryEnd}, where the end records begin`
      )
    }
    if (directorySize > MAX_DIRECTORY_BYTES) throw bad(`its directory is ${directorySize} bytes, more than any site's archive needs`)
    const tail = await read(directoryOffset, fileSize - directoryOffset)
    return { ...parseEntries(tail, directorySize, count), tail, directoryOffset, fileSize }
  } finally {
    await file.close()
  }
}

/** A 64-bit field that a JavaScript number holds exactly. */
function number64(buffer: Buffer, at: number, where: string): number {
  const value = buffer.readBigUInt64LE(at)
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw bad(`${where} has a size or offset beyond 8 PiB`)
  return Number(value)
}

/** The entry's name from its directory header, made safe for a message. */
function nameAt(tail: Buffer, header: number): string {
  return safeText(tail.toString('utf8', header + CENTRAL_SIZE, header + CENTRAL_SIZE + tail.readUInt16LE(header + 28)), 120)
}

/**
 * Every header in the directory, read to its stated size: the count found must be the count stated
 * (a 16-bit count that wrapped past 65,535 without a ZIP64 record is caught here), and no two
 * entries' bytes may overlap.
 */
function parseEntries(tail: Buffer, directorySize: number, stated: number) {
  const capacity = Math.min(stated, Math.floor(directorySize / CENTRAL_SIZE))
  const header = new Uint32Array(capacity)
  const offset = new Float64Array(capacity)
  const compressed = new Float64Array(capacity)
  const size = new Float64Array(capacity)
  let found = 0
  for (let at = 0; at < directorySize; found++) {
    if (directorySize - at < CENTRAL_SIZE || tail.readUInt32LE(at) !== CENTRAL_HEADER)
      throw bad(`its directory is damaged: entry ${found + 1} is not where the one before it ends`)
    const next = at + CENTRAL_SIZE + tail.readUInt16LE(at + 28) + tail.readUInt16LE(at + 30) + tail.readUInt16LE(at + 32)
    if (next > directorySize) throw bad(`its directory is damaged: entry ${found + 1} runs past the directory's stated size`)
    // Past the stated count the zip is refused: count the rest for the message, keep nothing.
    if (found < capacity) {
      const fields = entryFields(tail, at)
      header[found] = at
      offset[found] = fields.offset
      compressed[found] = fields.compressed
      size[found] = fields.size
    }
    at = next
  }
  if (found !== stated) {
    const wrapped = found > MAX_16 && found % (MAX_16 + 1) === stated ? ' (a count that wrapped past 65,535, with no ZIP64 record)' : ''
    throw bad(`its directory holds ${found} entries, but its end record says ${stated}${wrapped}`)
  }
  if (found === 0) throw bad('it has no entries')
  const order = Uint32Array.from({ length: found }, (_, i) => i)
  if (offset.some((value, i) => i > 0 && value < offset[i - 1]!)) order.sort((a, b) => offset[a]! - offset[b]!)
  // The least each entry takes (a local header with its name, and its data): the next must start after it.
  for (let i = 0; i < found; i++) {
    const entry = order[i]!
    const reach = offset[entry]! + LOCAL_SIZE + tail.readUInt16LE(header[entry]! + 28) + compressed[entry]!
    const next = order[i + 1]
    if (next !== undefined && reach > offset[next]!)
      throw bad(`entries ${nameAt(tail, header[entry]!)} and ${nameAt(tail, header[next]!)} overlap: they share bytes of the file`)
  }
  return { count: found, header, offset, compressed, size, order }
}

/** One directory header's sizes and offset, from its ZIP64 extra field where the 32-bit fields are saturated. */
function entryFields(tail: Buffer, at: number) {
  let size = tail.readUInt32LE(at + 24)
  let compressed = tail.readUInt32LE(at + 20)
  let offset = tail.readUInt32LE(at + 42)
  const disk = tail.readUInt16LE(at + 34)
  if (size === MAX_32 || compressed === MAX_32 || offset === MAX_32 || disk === MAX_16) {
    const extra = zip64Extra(tail, at + CENTRAL_SIZE + tail.readUInt16LE(at + 28), tail.readUInt16LE(at + 30))
    const fields = [size === MAX_32, compressed === MAX_32, offset === MAX_32].filter(Boolean).length
    if (!extra || extra.length < fields * 8) throw bad(`entry ${nameAt(tail, at)} has saturated sizes but no ZIP64 field that gives them`)
    let field = 0
    const next = (): number => number64(extra, 8 * field++, `entry ${nameAt(tail, at)}`)
    if (size === MAX_32) size = next()
    if (compressed === MAX_32) compressed = next()
    if (offset === MAX_32) offset = next()
  } else if (disk !== 0) {
    throw bad('it spans several disks')
  }
  return { size, compressed, offset }
}

/** The data of the ZIP64 extended information field (id 1) among the extra fields at `from`. */
function zip64Extra(buffer: Buffer, from: number, length: number): Buffer | undefined {
  for (let at = from; at + 4 <= from + length;) {
    const id = buffer.readUInt16LE(at)
    const size = buffer.readUInt16LE(at + 2)
    if (at + 4 + size > from + length) return undefined
    if (id === 0x0001) return buffer.subarray(at + 4, at + 4 + size)
    at += 4 + size
  }
  return undefined
}

type Stage = 'local' | 'data' | 'descriptor' | 'tail'

/**
 * The zip read once, front to back, every byte accounted for against the directory: where each entry
 * starts, its local header, its data, its data descriptor, then the directory and the end records.
 */
class ZipCheck {
  /** Bytes of the file checked so far. */
  private position = 0
  private stage: Stage = 'local'
  /** The entry being read, by its place in `order`, and its number in the directory. */
  private index = 0
  private entry = 0
  /** Bytes gathered for a header, a descriptor or a small entry's data that straddles chunks. */
  private held = Buffer.alloc(LOCAL_SIZE)
  private heldLength = 0
  private want = LOCAL_SIZE
  private remaining = 0
  private crc = 0
  private inflated = 0
  private inflater: zlib.InflateRaw | undefined
  private inflateError: Error | undefined
  private flags = 0
  private method = 0
  private crcStated = 0

  constructor(private readonly zip: Directory) {
    const first = zip.order[0]!
    if (zip.offset[first] !== 0) throw bad(`${zip.offset[first]} bytes before its first entry belong to no entry`)
    this.entry = first
  }

  async update(chunk: Buffer): Promise<void> {
    let at = 0
    while (at < chunk.length) {
      if (this.stage === 'data') {
        at = await this.data(chunk, at)
      } else if (this.stage === 'tail') {
        const from = this.position - this.zip.directoryOffset
        const length = Math.min(chunk.length - at, this.zip.tail.length - from)
        if (length <= 0 || chunk.compare(this.zip.tail, from, from + length, at, at + length) !== 0)
          throw bad('it changed while it was tested')
        at += length
        this.position += length
      } else {
        at = this.gather(chunk, at)
        if (this.heldLength < this.want) continue
        if (this.stage === 'local') this.localHeader()
        else this.descriptor()
      }
    }
  }

  async end(): Promise<void> {
    if (this.stage !== 'tail' || this.position !== this.zip.fileSize) throw bad('it ended before every entry was read')
  }

  destroy(): void {
    this.inflater?.destroy()
  }

  private get name(): string {
    return nameAt(this.zip.tail, this.zip.header[this.entry]!)
  }

  /** Where the next entry (or, after the last, the directory) starts. */
  private get nextStart(): number {
    const next = this.zip.order[this.index + 1]
    return next === undefined ? this.zip.directoryOffset : this.zip.offset[next]!
  }

  /** Copies bytes into `held` until it has `want`. */
  private gather(chunk: Buffer, at: number): number {
    if (this.held.length < this.want) {
      const grown = Buffer.alloc(this.want)
      this.held.copy(grown, 0, 0, this.heldLength)
      this.held = grown
    }
    const length = Math.min(this.want - this.heldLength, chunk.length - at)
    chunk.copy(this.held, this.heldLength, at, at + length)
    this.heldLength += length
    this.position += length
    return at + length
  }

  /** The local header: its fixed part, then (once its length is known) its name and extra field. */
  private localHeader(): void {
    const { zip, held } = this
    if (this.want === LOCAL_SIZE) {
      if (held.readUInt32LE(0) !== LOCAL_HEADER) throw bad(`entry ${this.name} has no local header where the directory says it starts`)
      this.want = LOCAL_SIZE + held.readUInt16LE(26) + held.readUInt16LE(28)
      if (this.want > LOCAL_SIZE) return
    }
    const { tail } = zip
    const central = zip.header[this.entry]!
    this.flags = tail.readUInt16LE(central + 8)
    this.method = tail.readUInt16LE(central + 10)
    this.crcStated = tail.readUInt32LE(central + 16)
    const nameLength = tail.readUInt16LE(central + 28)
    if (
      held.readUInt16LE(26) !== nameLength ||
      held.compare(tail, central + CENTRAL_SIZE, central + CENTRAL_SIZE + nameLength, LOCAL_SIZE, LOCAL_SIZE + nameLength) !== 0
    )
      throw bad(`entry ${this.name} has another name in its local header`)
    if (this.flags & ENCRYPTED) throw bad(`entry ${this.name} is encrypted, so it cannot be tested`)
    if (this.method !== STORED && this.method !== DEFLATED)
      throw bad(
        `entry ${this.name} is compressed with method ${this.method}, which cannot be tested (only stored and deflated entries can)`
      )
    if (held.readUInt16LE(8) !== this.method || (held.readUInt16LE(6) & HAS_DESCRIPTOR) !== (this.flags & HAS_DESCRIPTOR))
      throw bad(`entry ${this.name} has a local header that disagrees with the directory`)
    if (!(this.flags & HAS_DESCRIPTOR)) this.localSizes(nameLength)
    const compressed = zip.compressed[this.entry]!
    if (this.method === STORED && compressed !== zip.size[this.entry]) throw bad(`entry ${this.name} is stored, but its two sizes differ`)
    if (this.position + compressed > this.nextStart) throw bad(`entry ${this.name} runs into the bytes of the next entry or the directory`)
    this.stage = 'data'
    this.remaining = compressed
    this.crc = 0
    this.inflated = 0
    this.heldLength = 0
    this.want = 0
    if (this.method === DEFLATED && compressed > WHOLE_INFLATE_BYTES) this.startInflater()
    else if (this.method === DEFLATED) this.want = compressed
  }

  /** Without a data descriptor, the local header repeats the directory's CRC-32 and sizes (from its ZIP64 field where saturated). */
  private localSizes(nameLength: number): void {
    const { held, zip } = this
    let compressed = held.readUInt32LE(18)
    let size = held.readUInt32LE(22)
    if (compressed === MAX_32 || size === MAX_32) {
      const extra = zip64Extra(held, LOCAL_SIZE + nameLength, held.readUInt16LE(28))
      if (!extra || extra.length < 16) throw bad(`entry ${this.name} has saturated sizes in its local header but no ZIP64 field`)
      size = number64(extra, 0, `entry ${this.name}`)
      compressed = number64(extra, 8, `entry ${this.name}`)
    }
    if (held.readUInt32LE(14) !== this.crcStated || compressed !== zip.compressed[this.entry] || size !== zip.size[this.entry])
      throw bad(`entry ${this.name} has a local header that disagrees with the directory`)
  }

  private startInflater(): void {
    const inflater = zlib.createInflateRaw({ chunkSize: 256 * 1024 })
    const stated = this.zip.size[this.entry]!
    const name = this.name
    inflater.on('data', (data: Buffer) => {
      this.inflated += data.length
      if (this.inflated > stated) inflater.destroy(bad(`entry ${name} inflates to more than the ${stated} bytes its directory gives it`))
      else this.crc = crc32(data, this.crc)
    })
    inflater.on('error', (error) => (this.inflateError ??= error))
    this.inflater = inflater
  }

  private async data(chunk: Buffer, at: number): Promise<number> {
    const length = Math.min(this.remaining, chunk.length - at)
    const slice = chunk.subarray(at, at + length)
    if (this.method === STORED) {
      this.crc = crc32(slice, this.crc)
      this.inflated += length
      this.position += length
    } else if (this.inflater) {
      if (this.inflateError) throw this.damaged(this.inflateError)
      this.position += length
      if (!this.inflater.write(slice)) await once(this.inflater, 'drain').catch((error: unknown) => Promise.reject(this.damaged(error)))
    } else if (length === this.remaining && this.heldLength === 0) {
      // The whole of a small entry's data in this chunk: inflated where it lies, without a copy.
      this.position += length
      this.inflateWhole(slice)
    } else {
      this.gather(chunk, at)
      if (this.heldLength === this.want) this.inflateWhole(this.held.subarray(0, this.heldLength))
    }
    this.remaining -= length
    if (this.remaining === 0) await this.endOfData()
    return at + length
  }

  private inflateWhole(data: Buffer): void {
    const stated = this.zip.size[this.entry]!
    let result: { buffer: Buffer; engine: zlib.InflateRaw }
    try {
      result = zlib.inflateRawSync(data, { info: true, maxOutputLength: Math.max(1, stated) }) as unknown as typeof result
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
        throw bad(`entry ${this.name} inflates to more than the ${stated} bytes its directory gives it`)
      throw this.damaged(error)
    }
    this.consumedExactly(result.engine.bytesWritten, data.length)
    this.crc = crc32(result.buffer)
    this.inflated = result.buffer.length
  }

  private consumedExactly(consumed: number, compressed: number): void {
    if (consumed !== compressed) throw bad(`entry ${this.name} is damaged: its compressed data ends ${compressed - consumed} bytes early`)
  }

  private damaged(error: unknown): BadZipError {
    if (error instanceof BadZipError) return error
    return bad(`entry ${this.name} is damaged (${reason(error)})`)
  }

  /** The entry's data is all read: its size and CRC-32, then what follows it. */
  private async endOfData(): Promise<void> {
    const { zip } = this
    const inflater = this.inflater
    if (inflater) {
      this.inflater = undefined
      inflater.end()
      await finished(inflater).catch(() => undefined)
      if (this.inflateError) throw this.damaged(this.inflateError)
      this.consumedExactly(inflater.bytesWritten, zip.compressed[this.entry]!)
    }
    const stated = zip.size[this.entry]!
    if (this.inflated !== stated) throw bad(`entry ${this.name} is damaged: it holds ${this.inflated} bytes, the zip says ${stated}`)
    if (this.crc !== this.crcStated)
      throw bad(`entry ${this.name} is damaged: its data has CRC-32 ${hex(this.crc)}, the zip says ${hex(this.crcStated)}`)
    // Between the data and the next entry: its data descriptor (CRC-32 and sizes, with or without a
    // signature, 32 or 64 bits), or nothing at all.
    const between = this.nextStart - this.position
    this.heldLength = 0
    if (this.flags & HAS_DESCRIPTOR) {
      if (![12, 16, 20, 24].includes(between)) throw bad(`entry ${this.name} has no data descriptor where one belongs`)
      this.stage = 'descriptor'
      this.want = between
    } else if (between !== 0) {
      throw bad(`${between} bytes after entry ${this.name} belong to no entry`)
    } else {
      this.nextEntry()
    }
  }

  private descriptor(): void {
    const { held, zip } = this
    // 12 or 20 bytes without the signature, 16 or 24 with it.
    const at = this.want === 16 || this.want === 24 ? 4 : 0
    if (at === 4 && held.readUInt32LE(0) !== DESCRIPTOR) throw bad(`entry ${this.name} has no data descriptor where one belongs`)
    const wide = this.want - at === 20
    const compressed = wide ? number64(held, at + 4, `entry ${this.name}`) : held.readUInt32LE(at + 4)
    const size = wide ? number64(held, at + 12, `entry ${this.name}`) : held.readUInt32LE(at + 8)
    if (held.readUInt32LE(at) !== this.crcStated || compressed !== zip.compressed[this.entry] || size !== zip.size[this.entry])
      throw bad(`entry ${this.name} has a data descriptor that disagrees with the directory`)
    this.nextEntry()
  }

  private nextEntry(): void {
    this.index++
    this.heldLength = 0
    this.want = LOCAL_SIZE
    if (this.index === this.zip.count) {
      this.stage = 'tail'
    } else {
      this.stage = 'local'
      this.entry = this.zip.order[this.index]!
    }
  }
}

const hex = (n: number): string => n.toString(16).padStart(8, '0')

/** zlib's own words, e.g. `invalid stored block lengths`. */
function reason(error: unknown): string {
  return safeText(error instanceof Error ? error.message : String(error), 200).replace(/\.$/, '')
}

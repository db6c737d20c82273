import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, rename, rm, stat } from 'node:fs/promises'
import { once } from 'node:events'
import { finished } from 'node:stream/promises'
import { dirname } from 'node:path'
import type { Clock } from '../time/clock.js'
import { CancelledError } from '../wpengine/errors.js'
import { AgeEncryptor, encryptedSizeLimit } from './age-encrypt.js'
import { DiskClaims, formatBytes, freeSpace, OUT_OF_ROOM, type DiskClaim } from './disk-space.js'
import { DownloadError, timedOut } from './download.js'
import { BadZipError, verifyZip } from './verify-zip.js'

export interface StoreOptions {
  /** The downloaded zip, not yet tested. */
  part: string
  /** Where the copy is kept: the zip itself, or with recipients its age file. */
  file: string
  /** age recipients: the copy is encrypted to them, and no plaintext is kept. */
  recipients: string[]
  clock: Clock
  deadline: number
  signal?: AbortSignal
  log: { info(message: string): void }
  disk: DiskClaims
  /** The encrypted copy's claim on its disk (with recipients), made when the download claimed room for the zip. */
  claim?: DiskClaim
}

export interface Stored {
  /** The file kept, and its size and SHA-256 (hex). */
  file: string
  bytes: number
  sha256: string
  /** The zip's size and SHA-256: the file's own without recipients, the zip inside the age file with them. */
  zipBytes: number
  zipSha256: string
  entries: number
}

const PROGRESS_EVERY_MS = 10_000
// Large writes: fewer system calls at the speed of the encryption.
const WRITE_BUFFER_BYTES = 1024 * 1024

/** The local disk refused a write of the encrypted copy: no retry cures that. */
class WriteFailure extends Error {
  constructor(readonly failure: NodeJS.ErrnoException) {
    super(failure.message)
  }
}

/**
 * Tests the downloaded zip as `unzip -t` would, in one read front to back that also takes its
 * SHA-256 and, with recipients, encrypts those very bytes to an age file beside `file`, renamed to
 * `file` once every entry has passed. Without recipients the tested zip takes the name. Whatever way
 * it fails, neither the zip nor a partial copy is left.
 */
export async function storeCopy(options: StoreOptions): Promise<Stored> {
  const { part, file, recipients, log } = options
  const zipHash = createHash('sha256')
  try {
    if (recipients.length === 0) {
      log.info('Testing every entry of the zip.')
      const { entries, bytes } = await tested(options, (chunk) => void zipHash.update(chunk))
      await rename(part, file)
      const sha256 = zipHash.digest('hex')
      log.info(`${file} is a sound zip: ${entriesText(entries)}, every size and CRC-32 as its directory says.`)
      return { file, bytes, sha256, zipBytes: bytes, zipSha256: sha256, entries }
    }
    return await encrypted(options, zipHash)
  } finally {
    await rm(part, { force: true })
  }
}

async function encrypted(options: StoreOptions, zipHash: ReturnType<typeof createHash>): Promise<Stored> {
  const { part, file, recipients, log, disk, claim } = options
  const directory = dirname(file)
  await mkdir(directory, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
    throw writeFailed(error, file)
  })
  const zipBytes = (await stat(part)).size
  const need = encryptedSizeLimit(zipBytes, recipients.length)
  const free = await freeSpace(directory)
  const others = claim ? disk.owedBesides(claim) : { bytes: 0, by: [] }
  if (need + others.bytes > free) {
    const besides = others.by.length > 0 ? `, beside what the step's other copies still need of it (${others.by.join('; ')})` : ''
    throw new DownloadError(
      `There is no room for the encrypted copy at ${file}: it needs ${formatBytes(need)}, and the disk has ${formatBytes(free)} free${besides}. ` +
        'Free up space on the runner, or set archive-path to a disk with room.'
    )
  }
  log.info(`Testing every entry of the zip and encrypting it to ${recipientsText(recipients.length)}, in one read.`)
  const encryptor = await AgeEncryptor.start(recipients)
  const out = `${file}.part`
  const ageHash = createHash('sha256')
  let bytes = 0
  // Through fs.WriteStream, as the download writes: large writes, and a full disk reported as the download's is.
  const writer = createWriteStream(out, { highWaterMark: WRITE_BUFFER_BYTES })
  let failure: NodeJS.ErrnoException | undefined
  writer.on('error', (error: NodeJS.ErrnoException) => (failure ??= error))
  const write = async (buffers: Buffer[]): Promise<void> => {
    for (const buffer of buffers) {
      if (failure) throw new WriteFailure(failure)
      ageHash.update(buffer)
      bytes += buffer.length
      if (claim) claim.written += buffer.length
      if (!writer.write(buffer)) await once(writer, 'drain').catch(() => undefined)
    }
  }
  try {
    await write([encryptor.header])
    const { entries } = await tested(options, async (chunk) => {
      zipHash.update(chunk)
      const sealed = encryptor.update(chunk)
      if (sealed.length > 0) await write(sealed)
    })
    await write([encryptor.final()])
    writer.end()
    await finished(writer).catch(() => undefined)
    if (failure) throw new WriteFailure(failure)
    await rename(out, file)
    log.info(
      `${file}: the zip is sound (${entriesText(entries)}, every size and CRC-32 as its directory says) and encrypted to ${recipientsText(recipients.length)}; no plaintext copy is kept.`
    )
    return { file, bytes, sha256: ageHash.digest('hex'), zipBytes, zipSha256: zipHash.digest('hex'), entries }
  } catch (error) {
    writer.destroy()
    await finished(writer).catch(() => undefined)
    await rm(out, { force: true })
    if (error instanceof WriteFailure) throw writeFailed(error.failure, file, need)
    throw error
  }
}

/** The zip tested within the step's time, each chunk handed on once checked; a zip that fails is reported as damaged. */
async function tested(
  { part, clock, deadline, signal, recipients, log }: StoreOptions,
  each: (chunk: Buffer) => void | Promise<void>
): Promise<{ entries: number; bytes: number }> {
  const verifying = AbortSignal.any([...(signal ? [signal] : []), AbortSignal.timeout(Math.max(0, deadline - clock.now()))])
  // A line about every 10 seconds, as the download gives: a large zip takes a while to test.
  const total = (await stat(part)).size
  let done = 0
  let saidAt = clock.now()
  const doing = recipients.length > 0 ? 'Tested and encrypted' : 'Tested'
  try {
    return await verifyZip(part, {
      signal: verifying,
      each: async (chunk) => {
        await each(chunk)
        done += chunk.length
        if (clock.now() - saidAt < PROGRESS_EVERY_MS) return
        saidAt = clock.now()
        log.info(`${doing} ${formatBytes(done)} of ${formatBytes(total)} (${Math.floor((done / total) * 100)} %)`)
      }
    })
  } catch (error) {
    if (signal?.aborted) throw new CancelledError()
    if (verifying.aborted) {
      const bytes = (await stat(part).catch(() => undefined))?.size ?? 0
      throw timedOut(bytes, recipients.length > 0 ? 'testing and encrypting the downloaded archive' : 'testing the downloaded archive')
    }
    if (!(error instanceof BadZipError)) throw error
    throw new DownloadError(`The downloaded archive is not a sound zip file: ${error.message}. It was deleted.`, 'damaged')
  }
}

/** One line for a disk that refused the encrypted copy: full, or not writable. */
function writeFailed(error: NodeJS.ErrnoException, file: string, need?: number): DownloadError {
  const code = error.code ?? 'EIO'
  if (OUT_OF_ROOM.has(code)) {
    return new DownloadError(
      `The disk ran out of room for the encrypted copy at ${file} (${code})${need === undefined ? '' : `: it needs ${formatBytes(need)}`}; the partial file was deleted. ` +
        'Free up space on the runner, or set archive-path to a disk with room.'
    )
  }
  return new DownloadError(
    `Could not write the encrypted copy to ${file} (${code}${error.syscall ? ` on ${error.syscall}` : ''}). Set archive-path to a directory the job can write to.`
  )
}

const entriesText = (entries: number): string => `${entries} ${entries === 1 ? 'entry' : 'entries'}`
const recipientsText = (count: number): string => `${count} age ${count === 1 ? 'recipient' : 'recipients'}`

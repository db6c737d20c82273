import http from 'node:http'
import https from 'node:https'
import { createHash, type Hash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, rename, rm, stat, statfs } from 'node:fs/promises'
import { dirname } from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Clock } from '../time/clock.js'
import { formatDuration } from '../time/time-text.js'
import { CancelledError, WpeApiError } from '../wpengine/errors.js'
import { isLoopbackHost, ProxyAgents, ProxyConfigError } from '../wpengine/proxy.js'
import { BadZipError, verifyZip } from './verify-zip.js'

export interface DownloadOptions {
  /** The archive's download link: a bearer URL, never logged. */
  url: URL
  /** Where the zip goes; it is written to `<file>.part` and renamed once checked. */
  file: string
  env: NodeJS.ProcessEnv
  clock: Clock
  deadline: number
  signal?: AbortSignal
  log: { info(message: string): void }
  progressEveryMs?: number
  /** A connection that sends no answer, or no data, for this long is dropped and resumed; DEFAULT_STALL_MS unless given. */
  stallMs?: number
  /** Failed connections in a row, without a byte of progress between them, before giving up. */
  maxFailures?: number
  /** Asked for a fresh link when the server refuses this one (403, 404, 410); undefined when there is none. */
  freshLink?: () => Promise<URL | undefined>
  /** Shared by downloads to one disk at the same time, so that each one's free-space check leaves room for the others. */
  disk?: DiskClaims
  /** The most a body without an announced size may bring. */
  maxUnsizedBytes?: number
}

export interface Downloaded {
  file: string
  bytes: number
  /** Of the file as written, hex: for checking the copy again wherever it is kept. */
  sha256: string
  entries: number
}

/**
 * Why the download failed for good; the message never contains the link. `link`: there is no link
 * that works, even a fresh one; `damaged`: the file is not a sound zip. A new archive of the backup
 * may cure either; nothing on WP Engine's side cures the rest (`failed`).
 */
export class DownloadError extends Error {
  constructor(
    message: string,
    readonly kind: 'link' | 'damaged' | 'failed' = 'failed'
  ) {
    super(message)
    this.name = 'DownloadError'
  }
}

const MAX_REDIRECTS = 5
/**
 * How long a download connection may send no answer, or no data, before it is dropped and resumed: a
 * minute. It is a real-time timer on the socket, not a Clock sleep: a fake clock's sleeps return at
 * once, so a sleep raced against the read would drop every download in a test. Tests shorten it instead
 * (`stallMs` here, `downloadStallMs` in the step's Dependencies).
 */
export const DEFAULT_STALL_MS = 60_000
// The storage WP Engine links to announces every file's size; a body without one is capped at a size no site archive reaches.
const MAX_UNSIZED_BYTES = 64 * 1024 ** 3

/** Bytes in the file so far; 0 when there is none yet. */
async function sizeOf(path: string): Promise<number> {
  return (await stat(path).catch(() => undefined))?.size ?? 0
}

/** What an unprivileged writer may still put on the disk that holds `directory`. */
async function freeSpace(directory: string): Promise<number> {
  const disk = await statfs(directory)
  return disk.bavail * disk.bsize
}

function timedOut(bytes: number, doing = 'downloading the archive'): DownloadError {
  return new DownloadError(`The step's timeout ran out while ${doing} (${formatBytes(bytes)} so far). Raise timeout.`)
}

/** `157286400` → `150.0 MB` (binary megabytes, as download tools show them). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`
}

/** A progress line about every `everyMs`: bytes, percent when the size is known, and the rate since the last line. */
export class Progress {
  private lastAt: number
  private lastBytes = 0
  bytes = 0
  total: number | undefined

  constructor(
    private readonly clock: Clock,
    private readonly log: { info(message: string): void },
    private readonly everyMs: number
  ) {
    this.lastAt = clock.now()
  }

  add(count: number): void {
    this.bytes += count
    const now = this.clock.now()
    if (now - this.lastAt < this.everyMs) return
    const rate = ((this.bytes - this.lastBytes) / Math.max(1, now - this.lastAt)) * 1000
    const of = this.total ? ` of ${formatBytes(this.total)} (${Math.floor((this.bytes / this.total) * 100)} %)` : ''
    this.log.info(`Downloaded ${formatBytes(this.bytes)}${of}, ${formatBytes(rate)}/s`)
    this.lastAt = now
    this.lastBytes = this.bytes
  }

  /** After a restart from the beginning, or a resume at `bytes`. */
  reset(bytes: number): void {
    this.bytes = bytes
    this.lastBytes = bytes
  }
}

/**
 * The downloads writing to one disk at the same time. Each free-space check subtracts what the
 * others are still to write, so that two archives that fit one by one but not together fail
 * before either fills the disk.
 */
export class DiskClaims {
  private readonly downloads = new Set<Progress>()

  add(download: Progress): () => void {
    this.downloads.add(download)
    return () => this.downloads.delete(download)
  }

  /** Bytes the other downloads have announced and not yet written. */
  owedBesides(download: Progress): number {
    let owed = 0
    for (const other of this.downloads) if (other !== download) owed += Math.max(0, (other.total ?? 0) - other.bytes)
    return owed
  }
}

class TransferError extends Error {
  constructor(
    message: string,
    readonly transient: boolean
  ) {
    super(message)
  }
}

/** The local disk refused a write or the file's creation: no retry cures that. */
class WriteFailure extends Error {
  constructor(readonly failure: NodeJS.ErrnoException) {
    super(failure.message)
  }
}

/** The body went past what may be written: its announced size, the free space, or the cap for a body without a size. */
class OverLimit extends Error {}

const REFUSED = new Set([403, 404, 410])
const OUT_OF_ROOM = new Set(['ENOSPC', 'EDQUOT', 'EFBIG'])

/**
 * Streams the archive to disk (memory stays flat whatever its size), resuming a broken transfer
 * with an HTTP Range request where the server allows it (If-Range, so a changed file is fetched
 * whole), and tests the result as `unzip -t` would before it takes the final name. The SHA-256 is
 * taken on the way to the disk. No credentials are ever sent: the link itself is the authorisation.
 * A failure of the local disk ends the download at once; whatever way it fails, no `.part` is left.
 */
export async function downloadArchive(options: DownloadOptions): Promise<Downloaded> {
  const { file, clock, deadline, signal, log } = options
  const maxFailures = options.maxFailures ?? 5
  const stallMs = options.stallMs ?? DEFAULT_STALL_MS
  const part = `${file}.part`
  const directory = dirname(file)
  const progress = new Progress(clock, log, options.progressEveryMs ?? 10_000)
  const disk = options.disk ?? new DiskClaims()
  const release = disk.add(progress)
  // Proxied as the API requests are (HTTPS_PROXY and the rest, read from options.env).
  const agents = new ProxyAgents(options.env, false)
  const started = clock.now()
  let url = options.url
  let etag: string | undefined
  let rangesAccepted = false
  let failures = 0
  // The size of the part when a fresh link was last fetched: a link refused again before any progress is not refreshed twice.
  let refreshedAt: number | undefined
  // Set by every transfer that starts writing; the last one's is the file's.
  let hash: Hash | undefined
  try {
    await mkdir(directory, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
      throw writeFailed(error, file, progress)
    })
    await rm(part, { force: true })
    for (;;) {
      const have = await sizeOf(part)
      try {
        const left = deadline - clock.now()
        if (left <= 0) throw timedOut(have)
        const attemptSignal = AbortSignal.any([...(signal ? [signal] : []), AbortSignal.timeout(left)])
        const resume = have > 0 && rangesAccepted
        const headers: Record<string, string> = {
          'user-agent': 'wpengine-backup-action',
          ...(resume ? { range: `bytes=${have}-`, ...(etag ? { 'if-range': etag } : {}) } : {})
        }
        const response = await get(url, headers, agents, attemptSignal, stallMs)
        const status = response.statusCode ?? 0
        if (REFUSED.has(status)) {
          response.resume()
          if (options.freshLink && refreshedAt !== have) {
            refreshedAt = have
            log.info(`The download link was refused (HTTP ${status}); it may have expired. Asking WP Engine for a fresh one.`)
            const fresh = await options.freshLink()
            if (fresh) {
              url = fresh
              continue
            }
          }
          throw new DownloadError(
            `The download link was refused (HTTP ${status})${options.freshLink ? ', and WP Engine had no fresh link that worked' : ''}.`,
            'link'
          )
        }
        rangesAccepted = response.headers['accept-ranges'] === 'bytes'
        etag = typeof response.headers.etag === 'string' ? response.headers.etag : undefined
        const length = Number(response.headers['content-length'] ?? NaN)
        let offset = 0
        if (status === 206 && resume) {
          const range = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(String(response.headers['content-range'] ?? ''))
          offset = Number(range?.[1] ?? -1)
          if (offset !== have) throw new TransferError('the server resumed at the wrong place', true)
          progress.total = Number(range?.[2]) || have + length || undefined
        } else if (status === 200) {
          progress.total = length || undefined
        } else {
          response.resume()
          throw new TransferError(`the download server answered HTTP ${status}`, status === 408 || status === 429 || status >= 500)
        }
        if (offset === 0 && have > 0) log.info('The server sent the whole file again; starting over.')
        progress.reset(offset)
        // Starting over truncates the part, which gives its bytes back to the disk.
        const free = Math.max(0, (await freeSpace(directory)) + (offset === 0 ? have : 0) - disk.owedBesides(progress))
        const limit = byteLimit(progress.total, offset, free, options.maxUnsizedBytes ?? MAX_UNSIZED_BYTES, file)
        hash = offset === 0 ? createHash('sha256') : await hashOf(part)
        try {
          await receive(response, part, offset > 0, { progress, hash, stallMs, limit: limit.bytes })
        } catch (error) {
          if (error instanceof OverLimit) throw limit.exceeded(progress.bytes)
          if (error instanceof WriteFailure) throw writeFailed(error.failure, file, progress, free)
          throw error
        }
        const size = await sizeOf(part)
        if (progress.total !== undefined && size < progress.total)
          throw new TransferError(`the transfer ended after ${formatBytes(size)} of ${formatBytes(progress.total)}`, true)
        break
      } catch (error) {
        if (signal?.aborted) throw new CancelledError()
        // Failures for good, and the API's own failure to list a fresh link, are not the transfer's to retry.
        if (error instanceof DownloadError || error instanceof WpeApiError) throw error
        const transient = !(error instanceof TransferError) || error.transient
        const reason = error instanceof Error ? error.message : String(error)
        if (clock.now() >= deadline) throw timedOut(progress.bytes)
        const now = await sizeOf(part)
        failures = now > have ? 1 : failures + 1
        if (!transient || failures >= maxFailures) {
          throw new DownloadError(
            transient
              ? `Downloading the archive failed ${failures} times in a row without progress; the last: ${reason}. Re-run the job later.`
              : `${reason.charAt(0).toUpperCase()}${reason.slice(1)}.`
          )
        }
        const delay = Math.min(10_000, 1_000 * 2 ** (failures - 1))
        const next =
          now === 0
            ? 'trying again'
            : rangesAccepted
              ? `resuming at byte ${now}`
              : 'starting over (the server does not take Range requests)'
        log.info(`The archive download broke after ${formatBytes(now)} (${reason}); ${next} in ${formatDuration(delay)}.`)
        if (!rangesAccepted) await rm(part, { force: true })
        await clock.sleep(delay, signal).catch(() => {
          throw new CancelledError()
        })
      }
    }
    const bytes = await sizeOf(part)
    const took = Math.max(1, clock.now() - started)
    log.info(`Downloaded ${formatBytes(bytes)} in ${formatDuration(took)} (${formatBytes((bytes / took) * 1000)}/s); testing every entry.`)
    const { entries } = await verify(part, bytes, options)
    await rename(part, file)
    log.info(`${file} is a sound zip: ${entries} ${entries === 1 ? 'entry' : 'entries'}, every size and CRC-32 as its directory says.`)
    return { file, bytes, sha256: hash!.digest('hex'), entries }
  } catch (error) {
    await rm(part, { force: true })
    throw error
  } finally {
    release()
    agents.destroy()
  }
}

/** Every entry's data and CRC-32, within the step's time; a zip that fails is reported as damaged. */
async function verify(part: string, bytes: number, { clock, deadline, signal }: DownloadOptions): Promise<{ entries: number }> {
  const verifying = AbortSignal.any([...(signal ? [signal] : []), AbortSignal.timeout(Math.max(0, deadline - clock.now()))])
  try {
    return await verifyZip(part, { signal: verifying })
  } catch (error) {
    if (signal?.aborted) throw new CancelledError()
    if (verifying.aborted) throw timedOut(bytes, 'testing the downloaded archive')
    if (!(error instanceof BadZipError)) throw error
    throw new DownloadError(`The downloaded archive is not a sound zip file: ${error.message}. It was deleted.`, 'damaged')
  }
}

/** The SHA-256 of what a resumed download keeps: hashing on the way to the disk starts over from what is on it. */
async function hashOf(path: string): Promise<Hash> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path, { highWaterMark: WRITE_BUFFER_BYTES })) hash.update(chunk as Buffer)
  return hash
}

/**
 * How much this answer may bring, and what to say when it brings more: exactly its announced size,
 * which must fit in the free space; without a size, no more than the free space or the cap.
 */
function byteLimit(total: number | undefined, offset: number, free: number, maxUnsized: number, file: string) {
  if (total !== undefined) {
    const need = total - offset
    if (need > free) {
      throw new DownloadError(
        `There is no room for the archive at ${file}: it needs ${formatBytes(need)} more, and the disk has ${formatBytes(free)} free. ` +
          'Free up space on the runner, or set archive-path to a disk with room.'
      )
    }
    return { bytes: need, exceeded: () => new TransferError('the server sent more than it announced', true) }
  }
  const byRoom = free < maxUnsized - offset
  return {
    bytes: byRoom ? free : maxUnsized - offset,
    exceeded: (written: number) =>
      new DownloadError(
        `The download server did not announce the archive's size and was still sending after ${formatBytes(written)}: ` +
          (byRoom
            ? `that is all the free space on the disk of ${file}. Free up space on the runner, or set archive-path to a disk with room.`
            : `that is the most this action downloads without a size. The download server is misbehaving; re-run the job later.`)
      )
  }
}

/** One line for a disk that refused the file: full, or not writable. */
function writeFailed(error: NodeJS.ErrnoException, file: string, progress: Progress, free?: number): DownloadError {
  const code = error.code ?? 'EIO'
  if (OUT_OF_ROOM.has(code)) {
    // More room was free when the transfer started than it needed (or it would not have started): something else took it.
    const need =
      progress.total === undefined
        ? `it needs more than the ${formatBytes(progress.bytes)} written`
        : `it needs ${formatBytes(progress.total)}${free === undefined ? '' : `, and ${formatBytes(free)} was free when it started: something else on the runner is filling the disk`}`
    return new DownloadError(
      `The disk ran out of room for the archive at ${file} (${code}): ${need}; the partial file was deleted. ` +
        'Free up space on the runner, or set archive-path to a disk with room.'
    )
  }
  return new DownloadError(
    `Could not write the archive to ${file} (${code}${error.syscall ? ` on ${error.syscall}` : ''}). Set archive-path to a directory the job can write to.`
  )
}

/**
 * A GET that follows redirects (there are no credentials to leak), to https, or to http on
 * loopback only. A server that sends no answer within `stallMs` is dropped.
 */
function get(
  url: URL,
  headers: Record<string, string>,
  agents: ProxyAgents,
  signal: AbortSignal,
  stallMs: number,
  redirects = 0
): Promise<http.IncomingMessage> {
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    return Promise.reject(new TransferError('the download link is not an https URL', false))
  }
  let agent: http.Agent
  try {
    agent = agents.agentFor(url)
  } catch (error) {
    // An unusable proxy variable: no retry can help.
    if (error instanceof ProxyConfigError) return Promise.reject(new TransferError(error.message, false))
    throw error
  }
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).get(url, { headers, agent, signal }, (response) => {
      clearTimeout(silence)
      signal.removeEventListener('abort', onAbort)
      const location = response.headers.location
      if (response.statusCode && response.statusCode >= 300 && response.statusCode < 400 && location) {
        response.resume()
        if (redirects >= MAX_REDIRECTS)
          return reject(new TransferError(`the download link redirected more than ${MAX_REDIRECTS} times`, false))
        return resolve(get(new URL(location, url), headers, agents, signal, stallMs, redirects + 1))
      }
      resolve(response)
    })
    const silence = setTimeout(() => request.destroy(new TransferError(`no answer for ${formatDuration(stallMs)}`, true)), stallMs)
    // Node reports an abort only once the request has a socket; a proxy that sits on CONNECT never gives it one.
    const onAbort = (): void => {
      clearTimeout(silence)
      request.destroy()
      reject(signal.reason)
    }
    signal.addEventListener('abort', onAbort, { once: true })
    request.on('error', (error) => {
      clearTimeout(silence)
      signal.removeEventListener('abort', onAbort)
      reject(error)
    })
  })
}

// Large writes: fewer system calls at the speed of a fast link.
const WRITE_BUFFER_BYTES = 1024 * 1024

/**
 * Streams the body into the file through one step that counts, hashes and holds it to `limit`
 * before a byte is written; a connection silent for `stallMs` is dropped.
 */
async function receive(
  response: http.IncomingMessage,
  part: string,
  append: boolean,
  { progress, hash, stallMs, limit }: { progress: Progress; hash: Hash; stallMs: number; limit: number }
): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const arm = (): void => {
    clearTimeout(timer)
    timer = setTimeout(() => response.destroy(new TransferError(`no data for ${formatDuration(stallMs)}`, true)), stallMs)
  }
  let received = 0
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      arm()
      received += chunk.length
      if (received > limit) return done(new OverLimit())
      hash.update(chunk)
      progress.add(chunk.length)
      done(null, chunk)
    }
  })
  const writer = createWriteStream(part, { flags: append ? 'a' : 'w', highWaterMark: WRITE_BUFFER_BYTES })
  // A broken connection ends the file instead of destroying it, so that every byte received (up to a
  // write buffer's worth) reaches the disk and a resume does not fetch it again.
  let broke: unknown
  async function* bodyUntilBreak(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of response) yield chunk as Buffer
    } catch (error) {
      broke = error
    }
  }
  // The pipeline hands one stream's error to the others: the stream that failed first says where the
  // fault is, and only a system call's error (ENOSPC on write, EACCES on open) is the disk's.
  let first: { stream: unknown; error: NodeJS.ErrnoException } | undefined
  for (const stream of [meter, writer] as NodeJS.EventEmitter[]) {
    stream.once('error', (error: NodeJS.ErrnoException) => (first ??= { stream, error }))
  }
  arm()
  try {
    await pipeline(bodyUntilBreak(), meter, writer)
  } catch (error) {
    throw first?.stream === writer && first.error.syscall ? new WriteFailure(first.error) : error
  } finally {
    clearTimeout(timer)
  }
  if (broke !== undefined) throw broke
  if (!response.complete) throw new TransferError('the connection closed before the file was complete', true)
}

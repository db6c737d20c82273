import http from 'node:http'
import https from 'node:https'
import { createWriteStream } from 'node:fs'
import { mkdir, rm, stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { Transform, type Duplex } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import zlib from 'node:zlib'
import type { Clock } from '../time/clock.js'
import { formatDuration } from '../time/time-text.js'
import { safeText } from '../text/safe-text.js'
import { CancelledError, WpeApiError } from '../wpengine/errors.js'
import { isLoopbackHost, ProxyAgents, ProxyConfigError } from '../wpengine/proxy.js'
import { deviceOf, DiskClaims, formatBytes, freeSpace, marginOf, OUT_OF_ROOM, whoFilledTheDisk, type DiskClaim } from './disk-space.js'

export interface DownloadOptions {
  /** The archive's download link: a bearer URL, never logged. */
  url: URL
  /** The zip's path, as messages name it; the bytes go to `<file>.part`, which the caller tests and names. */
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
  /** The files the step's copies are writing, so that each one's free-space check leaves room for the others. */
  disk?: DiskClaims
  /** How this download is named among them: its install. */
  label?: string
  /** Told of this download's claim on the disk before it is checked, to add claims that follow from it (an encrypted copy). */
  onClaim?: (claim: ZipClaim) => void
  /** The most a body without an announced size may bring. */
  maxUnsizedBytes?: number
  /** Follow plain-http links (to loopback only): only when api-url is plain http too, as with the simulator. */
  plainHttp?: boolean
}

/** The download's claim on its disk; `total` is the zip's size once the server announces it. */
export interface ZipClaim extends DiskClaim {
  total?: number
}

export interface Downloaded {
  /** `<file>.part`, complete and not yet tested. */
  part: string
  bytes: number
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

export function timedOut(bytes: number, doing = 'downloading the archive'): DownloadError {
  return new DownloadError(`The step's timeout ran out while ${doing} (${formatBytes(bytes)} so far). Raise timeout.`)
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
// Encodings the step decodes when a server sends one it did not ask for (it asks for none).
const DECODERS: Record<string, () => Duplex> = {
  gzip: () => zlib.createGunzip(),
  'x-gzip': () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
  br: () => zlib.createBrotliDecompress(),
  zstd: () => zlib.createZstdDecompress()
}

/**
 * Streams the archive to `<file>.part` (memory stays flat whatever its size), resuming a broken
 * transfer with an HTTP Range request where the server allows it (If-Range, so a changed file is
 * fetched whole). No credentials are ever sent: the link itself is the authorisation. A body the
 * server encoded (Content-Encoding) though none was asked for is decoded, or refused by name. A
 * failure of the local disk ends the download at once; whatever way it fails, no `.part` is left.
 */
export async function downloadArchive(options: DownloadOptions): Promise<Downloaded> {
  const { file, clock, deadline, signal, log } = options
  const maxFailures = options.maxFailures ?? 5
  const stallMs = options.stallMs ?? DEFAULT_STALL_MS
  const part = `${file}.part`
  const directory = dirname(file)
  const progress = new Progress(clock, log, options.progressEveryMs ?? 10_000)
  const disk = options.disk ?? new DiskClaims()
  // Proxied as the API requests are (HTTPS_PROXY and the rest, read from options.env).
  const agents = new ProxyAgents(options.env, false)
  const started = clock.now()
  let url = options.url
  let etag: string | undefined
  let rangesAccepted = false
  let failures = 0
  // The size of the part when a fresh link was last fetched: a link refused again before any progress is not refreshed twice.
  let refreshedAt: number | undefined
  let encodingSaid = false
  let release = (): void => undefined
  try {
    await mkdir(directory, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
      throw writeFailed(error, file)
    })
    const claim: ZipClaim = {
      label: options.label ?? 'this archive',
      device: await deviceOf(directory),
      written: 0,
      owed: () => (claim.total === undefined ? 0 : claim.total - claim.written)
    }
    release = disk.add(claim)
    options.onClaim?.(claim)
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
          // The zip as stored: a Range counts its bytes, and its size is the file's.
          'accept-encoding': 'identity',
          ...(resume ? { range: `bytes=${have}-`, ...(etag ? { 'if-range': etag } : {}) } : {})
        }
        const response = await get(url, headers, agents, attemptSignal, stallMs, options.plainHttp ?? false)
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
        const decoder = decoderFor(response)
        if (decoder && !encodingSaid) {
          encodingSaid = true
          log.info(
            `The download server sent the archive ${decoder.name}-encoded (Content-Encoding: ${decoder.name}), though the step asked for none; decoding it. A broken transfer starts over, as an encoded body cannot be resumed.`
          )
        }
        // An encoded body's length and ranges count encoded bytes, not the zip's.
        rangesAccepted = !decoder && response.headers['accept-ranges'] === 'bytes'
        etag = typeof response.headers.etag === 'string' ? response.headers.etag : undefined
        const length = decoder ? NaN : Number(response.headers['content-length'] ?? NaN)
        let offset = 0
        if (status === 206 && resume && !decoder) {
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
        claim.total = progress.total
        claim.written = offset
        // Starting over truncates the part, which gives its bytes back to the disk.
        const returned = offset === 0 ? have : 0
        const before = disk.writtenBesides(claim)
        const limit = await byteLimit({ ...options, claim, disk, offset, returned, directory })
        try {
          await receive(response, part, offset > 0, { progress, claim, stallMs, limit, decoder })
        } catch (error) {
          if (error instanceof OverLimit) throw await limit.exceeded(progress.bytes)
          if (error instanceof WriteFailure) throw writeFailed(error.failure, file, { claim, disk, before, free: limit.free })
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
              : `starting over (${encodingSaid ? 'an encoded body cannot be resumed' : 'the server does not take Range requests'})`
        log.info(`The archive download broke after ${formatBytes(now)} (${reason}); ${next} in ${formatDuration(delay)}.`)
        if (!rangesAccepted) await rm(part, { force: true })
        await clock.sleep(delay, signal).catch(() => {
          throw new CancelledError()
        })
      }
    }
    const bytes = await sizeOf(part)
    const took = Math.max(1, clock.now() - started)
    log.info(`Downloaded ${formatBytes(bytes)} in ${formatDuration(took)} (${formatBytes((bytes / took) * 1000)}/s).`)
    return { part, bytes }
  } catch (error) {
    await rm(part, { force: true })
    throw error
  } finally {
    release()
    agents.destroy()
  }
}

/** The decoder for the body's Content-Encoding, if it has one; an encoding the step cannot decode fails the download, by name. */
function decoderFor(response: http.IncomingMessage): { name: string; make: () => Duplex } | undefined {
  const header = String(response.headers['content-encoding'] ?? '')
  const codings = header
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity')
  if (codings.length === 0) return undefined
  const [only] = codings
  const make = codings.length === 1 && only !== undefined ? DECODERS[only] : undefined
  if (!make || !only) {
    response.resume()
    throw new DownloadError(
      `The download server sent the archive with Content-Encoding: ${safeText(header, 60)}, which the step cannot decode (it asked for none, and decodes gzip, deflate, br and zstd). Re-run the job later; if it persists, the storage behind the link is misconfigured.`
    )
  }
  return { name: only, make }
}

/**
 * How much this answer may bring, and what to say when it brings more. With an announced size,
 * exactly that, which must fit in the free space beside what the step's other copies on the disk
 * still need. Without one, no more than the cap, and no more than leaves the disk's margin free
 * beside what the others need: checked again as it goes, as the others write too.
 */
async function byteLimit({
  claim,
  disk,
  offset,
  returned,
  directory,
  file,
  maxUnsizedBytes = MAX_UNSIZED_BYTES
}: Pick<DownloadOptions, 'file' | 'maxUnsizedBytes'> & {
  claim: ZipClaim
  disk: DiskClaims
  offset: number
  returned: number
  directory: string
}): Promise<Limit> {
  const free = (await freeSpace(directory)) + returned
  const others = disk.owedBesides(claim)
  if (claim.total !== undefined) {
    const need = claim.total - offset
    if (need + others.bytes > free) {
      const besides = others.by.length > 0 ? `, beside what the step's other copies still need of it (${others.by.join('; ')})` : ''
      throw new DownloadError(
        `There is no room for the archive at ${file}: it needs ${formatBytes(need)} more, and the disk has ${formatBytes(free)} free${besides}. ` +
          'Free up space on the runner, or set archive-path to a disk with room.'
      )
    }
    return { bytes: need, free, exceeded: async () => new TransferError('the server sent more than it announced', true) }
  }
  const margin = await marginOf(directory)
  const cap = maxUnsizedBytes - offset
  // What the disk leaves this answer, counted from its start: what of it is on the disk already, and
  // the free space beside the margin and the others' needs.
  const room = async (flushed: number): Promise<number> => flushed + (await freeSpace(directory)) - margin - disk.owedBesides(claim).bytes
  return {
    bytes: Math.min(cap, free - margin - others.bytes),
    free,
    recheck: async (flushed) => Math.min(cap, await room(flushed)),
    exceeded: async (written) => {
      const lead = `The download server did not announce the archive's size and was still sending after ${formatBytes(written)}: `
      if ((await room(written)) >= cap)
        return new DownloadError(
          `${lead}that is the most this action downloads without a size. The download server is misbehaving; re-run the job later.`
        )
      const { by } = disk.owedBesides(claim)
      return new DownloadError(
        lead +
          (by.length > 0
            ? `the rest of the disk of ${file} is needed by the step's other copies (${by.join('; ')}), and ${formatBytes(margin)} is kept free for the runner.`
            : `that is all the free space on the disk of ${file}, but for ${formatBytes(margin)} kept free for the runner.`) +
          ' Free up space on the runner, or set archive-path to a disk with room.'
      )
    }
  }
}

interface Limit {
  /** Bytes the answer may bring. */
  bytes: number
  /** The free space when it started, beside what it gave back. */
  free: number
  /** For a body without a size: the bytes it may bring, reckoned again from the disk as it is now (`flushed` of them written to it). */
  recheck?: (flushed: number) => Promise<number>
  exceeded(written: number): Promise<Error>
}

/** One line for a disk that refused the file: full (and who filled it), or not writable. */
function writeFailed(
  error: NodeJS.ErrnoException,
  file: string,
  context?: { claim: ZipClaim; disk: DiskClaims; before: ReturnType<DiskClaims['writtenBesides']>; free: number }
): DownloadError {
  const code = error.code ?? 'EIO'
  if (OUT_OF_ROOM.has(code) && context) {
    const { claim, disk, before, free } = context
    // The room was there when the transfer started (or it would not have started): something took it since.
    const need =
      claim.total === undefined
        ? `it needs more than the ${formatBytes(claim.written)} written`
        : `it needs ${formatBytes(claim.total)}, and ${formatBytes(free)} was free when it started: ${whoFilledTheDisk(disk, claim, before, free - claim.total)}`
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
 * A GET that follows redirects (there are no credentials to leak), to https only; to plain http on
 * loopback with `plainHttp` (api-url is plain http itself). A server that sends no answer within
 * `stallMs` is dropped.
 */
function get(
  url: URL,
  headers: Record<string, string>,
  agents: ProxyAgents,
  signal: AbortSignal,
  stallMs: number,
  plainHttp: boolean,
  redirects = 0
): Promise<http.IncomingMessage> {
  if (url.protocol !== 'https:' && !(plainHttp && url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    const link = redirects === 0 ? 'the download link' : 'the download link redirected to a URL that'
    return Promise.reject(
      new TransferError(
        url.protocol === 'http:'
          ? `${link} is plain http (to ${safeText(url.hostname, 80)}): the step follows only https links, and plain http to loopback only when api-url is plain http too, as with the local simulator`
          : `${link} is not an https URL`,
        false
      )
    )
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
        return resolve(get(new URL(location, url), headers, agents, signal, stallMs, plainHttp, redirects + 1))
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
// How often a download without a size reckons its room again.
const RECHECK_BYTES = 1024 * 1024

/**
 * Streams the body (decoded, when the server encoded it) into the file through one step that counts
 * it and holds it to `limit` before a byte is written; a connection silent for `stallMs` is dropped.
 */
async function receive(
  response: http.IncomingMessage,
  part: string,
  append: boolean,
  {
    progress,
    claim,
    stallMs,
    limit,
    decoder
  }: { progress: Progress; claim: ZipClaim; stallMs: number; limit: Limit; decoder?: { name: string; make: () => Duplex } }
): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const arm = (): void => {
    clearTimeout(timer)
    timer = setTimeout(() => response.destroy(new TransferError(`no data for ${formatDuration(stallMs)}`, true)), stallMs)
  }
  let received = 0
  let allowed = limit.bytes
  let recheckAt = RECHECK_BYTES
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length
      const pass = (): void => {
        progress.add(chunk.length)
        claim.written += chunk.length
        done(null, chunk)
      }
      if (received <= allowed && (!limit.recheck || received < recheckAt)) return pass()
      if (!limit.recheck) return done(new OverLimit())
      // A body without a size: the room left is reckoned again from the disk every so often. It only
      // shrinks (another copy claimed room); bytes still in the write buffer are not on the disk yet.
      recheckAt = received + RECHECK_BYTES
      limit.recheck(writer.bytesWritten).then((bytes) => {
        allowed = Math.min(allowed, bytes)
        if (received > allowed) done(new OverLimit())
        else pass()
      }, done)
    }
  })
  const writer = createWriteStream(part, { flags: append ? 'a' : 'w', highWaterMark: WRITE_BUFFER_BYTES })
  // A broken connection ends the file instead of destroying it, so that every byte received (up to a
  // write buffer's worth) reaches the disk and a resume does not fetch it again.
  let broke: unknown
  async function* bodyUntilBreak(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of response) {
        arm()
        yield chunk as Buffer
      }
    } catch (error) {
      broke = error
    }
  }
  const decode = decoder?.make()
  // The pipeline hands one stream's error to the others: the stream that failed first says where the
  // fault is, and only a system call's error (ENOSPC on write, EACCES on open) is the disk's.
  let first: { stream: unknown; error: NodeJS.ErrnoException } | undefined
  for (const stream of [meter, writer, ...(decode ? [decode] : [])] as NodeJS.EventEmitter[]) {
    stream.once('error', (error: NodeJS.ErrnoException) => (first ??= { stream, error }))
  }
  arm()
  try {
    await (decode ? pipeline(bodyUntilBreak(), decode, meter, writer) : pipeline(bodyUntilBreak(), meter, writer))
  } catch (error) {
    if (first?.stream === writer && first.error.syscall) throw new WriteFailure(first.error)
    if (broke !== undefined) throw broke
    if (decode && first?.stream === decode)
      throw new TransferError(`the ${decoder?.name}-encoded body did not decode (${safeText(first.error.message, 120)})`, true)
    throw error
  } finally {
    clearTimeout(timer)
  }
  if (broke !== undefined) throw broke
  if (!response.complete) throw new TransferError('the connection closed before the file was complete', true)
}

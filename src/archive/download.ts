import http from 'node:http'
import https from 'node:https'
import { createWriteStream } from 'node:fs'
import { mkdir, rename, rm, stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { pipeline } from 'node:stream/promises'
import type { Clock } from '../util/clock.js'
import { formatDuration } from '../util/duration.js'
import { isLoopbackHost } from '../util/hosts.js'
import { CancelledError } from '../wpengine/errors.js'
import { ProxyAgents, ProxyConfigError } from '../wpengine/proxy.js'
import { checkZip, IncompleteZipError } from './zip-check.js'

export interface DownloadOptions {
  /** The archive's download link: a bearer URL, never logged. */
  url: URL
  /** Where the zip goes; it is written to `<file>.part` and renamed once checked. */
  file: string
  env: NodeJS.ProcessEnv
  clock: Clock
  deadline: number
  signal?: AbortSignal
  log: { info(message: string): void; warning(message: string): void }
  progressEveryMs?: number
  /** A connection that delivers nothing for this long is dropped and resumed. */
  stallMs?: number
  /** Failed connections in a row, without a byte of progress between them, before giving up. */
  maxFailures?: number
}

export interface Downloaded {
  file: string
  bytes: number
}

/** Why the download failed for good; the message never contains the link. */
export class DownloadError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'DownloadError'
  }
}

const MAX_REDIRECTS = 5

/** Bytes in the file so far; 0 when there is none yet. */
async function sizeOf(path: string): Promise<number> {
  return (await stat(path).catch(() => undefined))?.size ?? 0
}

function timedOut(bytes: number): DownloadError {
  return new DownloadError(`The step's timeout ran out while downloading the archive (${formatBytes(bytes)} so far). Raise timeout.`)
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

class TransferError extends Error {
  constructor(
    message: string,
    readonly transient: boolean
  ) {
    super(message)
  }
}

/**
 * Streams the archive to disk (memory stays flat whatever its size), resuming a broken transfer
 * with an HTTP Range request where the server allows it (If-Range, so a changed file is fetched
 * whole), and checks the result is a complete zip before it takes the final name. No credentials
 * are ever sent: the link itself is the authorisation.
 */
export async function downloadArchive(options: DownloadOptions): Promise<Downloaded> {
  const { url, file, clock, deadline, signal, log } = options
  const maxFailures = options.maxFailures ?? 5
  const part = `${file}.part`
  await mkdir(dirname(file), { recursive: true })
  await rm(part, { force: true })
  // Proxied as the API requests are (HTTPS_PROXY and the rest, read from options.env).
  const agents = new ProxyAgents(options.env, false)
  const progress = new Progress(clock, log, options.progressEveryMs ?? 10_000)
  const started = clock.now()
  let etag: string | undefined
  let rangesAccepted = false
  let failures = 0
  try {
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
        const response = await get(url, headers, agents, attemptSignal)
        const status = response.statusCode ?? 0
        rangesAccepted = response.headers['accept-ranges'] === 'bytes'
        etag = typeof response.headers.etag === 'string' ? response.headers.etag : undefined
        let offset = 0
        if (status === 206 && resume) {
          offset = Number(/^bytes (\d+)-\d+\/(\d+|\*)$/.exec(String(response.headers['content-range'] ?? ''))?.[1] ?? -1)
          if (offset !== have) throw new TransferError('the server resumed at the wrong place', true)
          progress.total = have + Number(response.headers['content-length'] ?? NaN) || undefined
        } else if (status === 200) {
          progress.total = Number(response.headers['content-length'] ?? NaN) || undefined
        } else {
          response.resume()
          throw new TransferError(
            status === 403 || status === 404 || status === 410
              ? `The download link was refused (HTTP ${status}); it may have expired. Re-run the job to request a fresh archive.`
              : `The download server answered HTTP ${status}.`,
            status === 408 || status === 429 || status >= 500
          )
        }
        if (offset === 0 && have > 0) log.info('The server sent the whole file again; starting over.')
        progress.reset(offset)
        await receive(response, part, offset > 0, progress, options.stallMs ?? 60_000)
        const size = (await stat(part)).size
        if (progress.total !== undefined && size < progress.total)
          throw new TransferError(`the transfer ended after ${formatBytes(size)} of ${formatBytes(progress.total)}`, true)
        break
      } catch (error) {
        if (signal?.aborted) throw new CancelledError()
        if (error instanceof DownloadError) throw error
        const transient = !(error instanceof TransferError) || error.transient
        const reason = error instanceof Error ? error.message : String(error)
        if (clock.now() >= deadline) throw timedOut(progress.bytes)
        const now = await sizeOf(part)
        failures = now > have ? 1 : failures + 1
        if (!transient || failures >= maxFailures) {
          throw new DownloadError(
            transient
              ? `Downloading the archive failed ${failures} times in a row without progress; the last: ${reason}. Re-run the job later.`
              : reason
          )
        }
        const delay = Math.min(10_000, 1_000 * 2 ** (failures - 1))
        log.warning(
          `The archive download broke after ${formatBytes(now)} (${reason}); ${rangesAccepted ? `resuming at byte ${now}` : 'starting over (the server does not take Range requests)'} in ${formatDuration(delay)}.`
        )
        if (!rangesAccepted) await rm(part, { force: true })
        await clock.sleep(delay, signal).catch(() => {
          throw new CancelledError()
        })
      }
    }
    try {
      await checkZip(part)
    } catch (error) {
      await rm(part, { force: true })
      throw new DownloadError(
        `The downloaded archive is not a complete zip file: ${error instanceof IncompleteZipError ? error.message : String(error)}. It was deleted; re-run the job to download it again.`
      )
    }
    await rename(part, file)
    const bytes = (await stat(file)).size
    const took = Math.max(1, clock.now() - started)
    log.info(
      `Downloaded ${formatBytes(bytes)} in ${formatDuration(took)} (${formatBytes((bytes / took) * 1000)}/s) to ${file}; it is a complete zip.`
    )
    return { file, bytes }
  } finally {
    agents.destroy()
  }
}

/** A GET that follows redirects (there are no credentials to leak), to https, or to http on loopback only. */
function get(
  url: URL,
  headers: Record<string, string>,
  agents: ProxyAgents,
  signal: AbortSignal,
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
      signal.removeEventListener('abort', onAbort)
      const location = response.headers.location
      if (response.statusCode && response.statusCode >= 300 && response.statusCode < 400 && location) {
        response.resume()
        if (redirects >= MAX_REDIRECTS)
          return reject(new TransferError(`the download link redirected more than ${MAX_REDIRECTS} times`, false))
        return resolve(get(new URL(location, url), headers, agents, signal, redirects + 1))
      }
      resolve(response)
    })
    // Node reports an abort only once the request has a socket; a proxy that sits on CONNECT never gives it one.
    const onAbort = (): void => {
      request.destroy()
      reject(signal.reason)
    }
    signal.addEventListener('abort', onAbort, { once: true })
    request.on('error', (error) => {
      signal.removeEventListener('abort', onAbort)
      reject(error)
    })
  })
}

// Large writes: fewer system calls at the speed of a fast link.
const WRITE_BUFFER_BYTES = 1024 * 1024

/** Streams the body into the file, counting progress; a connection silent for `stallMs` is dropped. */
async function receive(response: http.IncomingMessage, part: string, append: boolean, progress: Progress, stallMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const arm = (): void => {
    clearTimeout(timer)
    timer = setTimeout(() => response.destroy(new TransferError(`no data for ${formatDuration(stallMs)}`, true)), stallMs)
  }
  // A listener beside the pipe: it sees every chunk, and the pipe still applies backpressure.
  response.on('data', (chunk: Buffer) => {
    arm()
    progress.add(chunk.length)
  })
  arm()
  try {
    await pipeline(response, createWriteStream(part, { flags: append ? 'a' : 'w', highWaterMark: WRITE_BUFFER_BYTES }))
  } finally {
    clearTimeout(timer)
  }
  if (!response.complete) throw new TransferError('the connection closed before the file was complete', true)
}

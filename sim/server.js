// @ts-check
// A local WP Engine API, written from ../shared/wpengine-api (docs and openapi.json): Basic auth,
// offset pagination with absolute next/previous URLs, installs, backups whose status moves on with
// time, archives, /user — and faults a test can switch on request by request.
import http from 'node:http'
import https from 'node:https'
import { randomBytes, randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import zlib from 'node:zlib'
import { zipArchive } from './zip.js'

/** @typedef {import('./zip.js').ZipKind} ZipKind */

/**
 * @typedef {'completed' | 'aborted'} Outcome
 * @typedef {{ id: string, name: string, environment?: string, wp_version?: string, outcome?: Outcome, forbidden?: boolean, archiveBytes?: number,
 *   archiveOutcome?: Outcome }} InstallSeed
 * @typedef {{ id: string, installId: string, description: string, notification_emails: string[], createdAt: number,
 *   requestedMs: number, durationMs: number, outcome: Outcome, wordpress_version: string, listLagMs: number }} BackupRecord
 * @typedef {{ id: string, installId: string, backupId: string, notification_emails: string[], createdAt: number, durationMs: number,
 *   outcome: Outcome, token: string, linkDelayMs: number, listLagMs: number }} ArchiveRecord
 * @typedef {{ installId: string, backupId: string, body: Record<string, unknown>, at: number }} RestoreRecord
 * @typedef {{ installId: string, type: string, at: number }} PurgeRecord
 * @typedef {'429' | '408' | '500' | '502' | '503' | '504' | '401' | '403' | 'reset' | 'hang' | 'lost-answer' | 'invalid-json' | 'field-errors' | 'break-download' | 'expire-link' | 'hostile-error' | 'redirect'} FaultType
 * @typedef {{ method?: string, path?: string | RegExp, type: FaultType, retryAfter?: string, times?: number, afterBytes?: number, errors?: number, message?: string }} FaultRule
 * @typedef {{ method: string, path: string, query: Record<string, string>, authorized: boolean, authorization?: string,
 *   contentType?: string, range?: string, userAgent?: string, body: unknown, rawBody: string, at: number, doneAt?: number, status?: number, fault?: FaultType }} RecordedRequest
 * @typedef {{ status: number, body?: unknown, headers?: Record<string, string> }} Reply
 * @typedef {{ from: number, until: number, answer: '503' | 'reset' | 'mixed', forMs: number, startsWith?: { method: string, path: RegExp } }} Outage
 * @typedef {'1.6.7' | '1.10' | '1.17' | '1.21'} ApiVersion
 * @typedef {{ version?: ApiVersion, unmapped?: number[] }} Gateway
 */

export const DEFAULT_CREDENTIALS = { userId: 'demo-user', password: 'demo-password' }
const API_PREFIX = '/v1'
const MAX_LIMIT = 100
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/
const LOOPBACK = /^(127(?:\.\d{1,3}){3}|localhost|::1)$/
const CACHE_TYPES = ['object', 'page', 'cdn', 'all']
// WP Engine allows one object-cache purge a minute per install (`all` purges the object cache too).
const OBJECT_PURGE_EVERY_MS = 60_000

// The routes of each public swagger version (spec/README.md): before v1.17 only create and status for
// backups; v1.17 adds the list of backups, restore and the list of archives; v1.21 adds create archive.
const OLDEST_ROUTES = [
  'GET /user',
  'GET /installs',
  'GET /installs/{install_id}',
  'POST /installs/{install_id}/backups',
  'GET /installs/{install_id}/backups/{backup_id}'
]
const V1_17_ROUTES = [
  ...OLDEST_ROUTES,
  'GET /installs/{install_id}/backups',
  'POST /installs/{install_id}/backups/{backup_id}/restore',
  'GET /installs/{install_id}/archives'
]
/** @type {Record<ApiVersion, ReadonlySet<string>>} */
export const GATEWAY_ROUTES = {
  '1.6.7': new Set(OLDEST_ROUTES),
  '1.10': new Set(OLDEST_ROUTES),
  1.17: new Set(V1_17_ROUTES),
  1.21: new Set([...V1_17_ROUTES, 'POST /installs/{install_id}/archives'])
}
const MISSING_ROUTE = { status: 403, body: { message: 'Missing Authentication Token' } }

/** `GET /installs/{install_id}/backups`: a path's route, each id named after its collection. @param {string} method @param {string[]} parts */
function routeOf(method, parts) {
  return `${method} /${parts.map((part, i) => (i % 2 === 1 ? `{${(parts[i - 1] ?? '').replace(/s$/, '')}_id}` : part)).join('/')}`
}

// An endless download still ends: when the client hangs up, or after this much.
const ENDLESS_BYTES_BOUND = 16 * 1024 ** 3

/** The zip's bytes, then zeros that never end (up to a bound), as a broken storage server might send. @param {Iterable<Buffer>} zip */
function* endlessly(zip) {
  let sent = 0
  for (const chunk of zip) {
    sent += chunk.length
    yield chunk
  }
  const zeros = Buffer.alloc(64 * 1024)
  for (; sent < ENDLESS_BYTES_BOUND; sent += zeros.length) yield zeros
}

/** The chunks, sent no faster than `perSecond` bytes a second. @param {Iterable<Buffer>} chunks @param {number} perSecond */
async function* paced(chunks, perSecond) {
  const start = Date.now()
  let sent = 0
  for (const chunk of chunks) {
    yield chunk
    sent += chunk.length
    const due = start + (sent / perSecond) * 1000 - Date.now()
    if (due > 0) await new Promise((resolve) => setTimeout(resolve, due))
  }
}

/** A deterministic UUID for the n-th filler install, so logs and tests are stable. @param {number} n */
function fillerId(n) {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`
}

/** The installs the simulator serves by default: `mysite` sits on the second page behind `fillers` others. */
export function defaultInstalls(fillers = 120) {
  /** @type {InstallSeed[]} */
  const installs = []
  for (let n = 1; n <= fillers; n++)
    installs.push({ id: fillerId(n), name: `filler${String(n).padStart(4, '0')}`, environment: 'development' })
  installs.push({ id: '294deacc-d8b8-4005-82c4-0727ba8ddde0', name: 'mysite', environment: 'production', wp_version: '6.8.1' })
  installs.push({ id: '3f9b0c7e-1a2b-4c3d-8e9f-0a1b2c3d4e5f', name: 'mysitestaging', environment: 'staging', wp_version: '6.8.1' })
  return installs
}

/**
 * @param {{
 *   host?: string, port?: number,
 *   credentials?: { userId: string, password: string },
 *   installs?: InstallSeed[],
 *   requestedMs?: number, durationMs?: number, outcome?: Outcome,
 *   legacyInitiated?: boolean,
 *   latencyMs?: number,
 *   archiveMs?: number, archiveOutcome?: Outcome, archiveBytes?: number, archiveTruncatedTo?: number, archiveRanges?: boolean,
 *   archiveZip?: ZipKind, archiveBody?: 'sized' | 'unsized' | 'endless', archiveLinkDelayMs?: number, archiveBytesPerSecond?: number,
 *   archiveEncoding?: 'gzip' | 'br' | 'compress',
 *   backupListLagMs?: number, archiveListLagMs?: number,
 *   rateLimit?: { perSecond: number, burst?: number },
 *   now?: () => number,
 *   log?: (line: string) => void,
 *   hostile?: (field: string) => string | undefined,
 *   reshape?: (answer: { method: string, path: string, body: unknown }) => unknown,
 *   gateway?: Gateway,
 *   apiClockOffsetMs?: number,
 *   tls?: { key: string | Buffer, cert: string | Buffer },
 * }} [options]
 */
export async function startSimulator(options = {}) {
  const host = options.host ?? '127.0.0.1'
  if (!LOOPBACK.test(host)) throw new Error(`The simulator binds to loopback only, not ${host}`)
  const credentials = options.credentials ?? DEFAULT_CREDENTIALS
  const expectedAuth = `Basic ${Buffer.from(`${credentials.userId}:${credentials.password}`).toString('base64')}`
  const now = options.now ?? Date.now
  const installs = options.installs ?? defaultInstalls()
  const settings = {
    requestedMs: options.requestedMs ?? 1_000,
    durationMs: options.durationMs ?? 4_000,
    outcome: options.outcome ?? /** @type {Outcome} */ ('completed'),
    legacyInitiated: options.legacyInitiated ?? false,
    /** How long every answer takes (real time), so that concurrent requests overlap as they do against the real API. */
    latencyMs: options.latencyMs ?? 0,
    /** How long an archive takes to build, and how it ends. */
    archiveMs: options.archiveMs ?? 2_000,
    archiveOutcome: options.archiveOutcome ?? /** @type {Outcome} */ ('completed'),
    /** The size of the zip each download serves (generated, never held in memory). */
    archiveBytes: options.archiveBytes ?? 256 * 1024,
    /** Serve the zip cut short at this many bytes, as a broken archive would be. */
    archiveTruncatedTo: options.archiveTruncatedTo,
    /** Whether downloads honour Range requests. */
    archiveRanges: options.archiveRanges ?? true,
    /** What the zip is: sound (zip or zip64), empty, or with one byte flipped in its entry's data. */
    archiveZip: options.archiveZip ?? /** @type {ZipKind} */ ('zip'),
    /** `sized`: with Content-Length; `unsized`: chunked, no size; `endless`: chunked, and never ends. */
    archiveBody: options.archiveBody ?? 'sized',
    /** A completed archive is listed without a download link for this long, as the API allows. */
    archiveLinkDelayMs: options.archiveLinkDelayMs ?? 0,
    /** How fast each download is sent; 0 is as fast as the connection goes. */
    archiveBytesPerSecond: options.archiveBytesPerSecond ?? 0,
    /**
     * A Content-Encoding the download server applies whatever the client asked for, as a misconfigured
     * storage or proxy does: gzip and br encoded for real, `compress` only named (no client decodes it).
     */
    archiveEncoding: options.archiveEncoding,
    /** A new backup shows up in the install's list only this long after it was made (a lagging list); GET by id has it at once. */
    backupListLagMs: options.backupListLagMs ?? 0,
    /** A new archive shows up in the install's list only this long after it was made. */
    archiveListLagMs: options.archiveListLagMs ?? 0,
    /**
     * The account's rate limit, as API Gateway enforces one: a bucket of `burst` requests (perSecond
     * unless given), refilled at `perSecond` by the simulator's clock. A request that finds it empty is
     * answered 429 with no Retry-After (as recorded traffic shows) and takes nothing from it.
     */
    rateLimit: options.rateLimit,
    /**
     * A hostile or broken API: called with a field's name (`backup.description`, `archive.state`, …) for
     * every free-text field of every answer; a string it returns is sent in place of the real value.
     */
    hostile: options.hostile,
    /**
     * An API whose answers do not fit their shape: called with every 2xx answer of the API (method, path
     * below /v1, body); what it returns is sent instead.
     */
    reshape: options.reshape,
    /**
     * In front of the API, as AWS API Gateway is in front of WP Engine's: a route the version lacks (and
     * any path outside /v1) answers 403 Missing Authentication Token, whatever the credentials; a
     * backend answer whose status is in `unmapped` arrives as 500 with the backend's message.
     */
    gateway: options.gateway,
    /** How far the API's clock (its times and its Date header) is ahead of `now` (negative: behind). */
    apiClockOffsetMs: options.apiClockOffsetMs ?? 0
  }
  /** A time by the API's clock, as its answers write it. @param {number} t */
  const apiTime = (t) => new Date(t + settings.apiClockOffsetMs).toISOString()
  /** The real value, or what `hostile` puts in its place. @template T @param {string} field @param {T} value @returns {T | string} */
  const odd = (field, value) => settings.hostile?.(field) ?? value
  /** @type {ArchiveRecord[]} */
  const archives = []
  /** @type {RestoreRecord[]} */
  const restores = []
  /** Every cache purge the API accepted. @type {PurgeRecord[]} */
  const purges = []
  /** @type {BackupRecord[]} */
  const backups = []
  /** @type {FaultRule[]} */
  const faults = []
  /** Spans of time in which the whole API fails. @type {Outage[]} */
  const outages = []
  /** @type {RecordedRequest[]} */
  const requests = []
  /** @type {Set<import('node:net').Socket>} */
  const sockets = new Set()
  const concurrency = { current: 0, max: 0 }
  /** The rate limit's bucket: requests left, as of `at`. */
  const bucket = { tokens: Infinity, at: now() }
  /** @type {string} */
  let origin = ''

  /** @param {BackupRecord} b */
  function statusOf(b) {
    const age = now() - b.createdAt
    if (age < b.requestedMs) return 'requested'
    if (age < b.durationMs) return settings.legacyInitiated ? 'initiated' : 'in_progress'
    return b.outcome
  }

  /** @param {BackupRecord} b */
  function backupJson(b) {
    const status = statusOf(b)
    return {
      id: b.id,
      status,
      description: odd('backup.description', b.description),
      create_time: odd('backup.create_time', apiTime(b.createdAt)),
      complete_time: status === 'completed' || status === 'aborted' ? apiTime(b.createdAt + b.durationMs) : null,
      wordpress_version: odd('backup.wordpress_version', b.wordpress_version),
      ...(settings.hostile ? { note: odd('backup.extra', null) } : {})
    }
  }

  /** @param {ArchiveRecord} a */
  function archiveState(a) {
    const age = now() - a.createdAt
    if (age < a.durationMs / 4) return 'requested'
    if (age < a.durationMs) return 'in_progress'
    return a.outcome
  }

  /** A hostile API's text in a download link's query, encoded, and short enough that the link still fits in a request line. */
  function hostileNote() {
    if (!settings.hostile) return ''
    const text = String(odd('archive.link', ''))
      .slice(0, 1_000)
      .replace(/[\ud800-\udfff]/g, '\ufffd')
    return `&note=${encodeURIComponent(text)}`
  }

  /** Every download link the API has handed out, fresh or since expired. @type {Set<string>} */
  const links = new Set()

  /** @param {ArchiveRecord} a @param {boolean} [handedOut] an answer of the API, not a look from a test */
  function archiveJson(a, handedOut = false) {
    const state = archiveState(a)
    const at = apiTime
    const link =
      state === 'completed' && now() >= a.createdAt + a.durationMs + a.linkDelayMs
        ? `${origin}/downloads/${a.id}.zip?token=${a.token}${hostileNote()}`
        : null
    if (link && handedOut) links.add(link)
    return {
      id: a.id,
      backup: { id: a.backupId },
      notification_emails: odd('archive.notification_emails', a.notification_emails),
      // A hostile state only while it is not completed, so that the archive can still finish.
      state: state === 'completed' ? state : odd('archive.state', state),
      create_time: at(a.createdAt),
      start_time: at(a.createdAt + a.durationMs / 4),
      complete_time: state === 'completed' ? at(a.createdAt + a.durationMs) : null,
      abort_time: state === 'aborted' ? at(a.createdAt + a.durationMs) : null,
      download_uri: link
    }
  }

  /** @param {InstallSeed} i @param {boolean} single */
  function installJson(i, single) {
    return {
      id: i.id,
      name: i.name,
      account: { id: 'eeda3227-9a39-46ae-9e14-20958bb4e6c9' },
      php_version: odd('install.php_version', '8.2'),
      status: 'active',
      site: null,
      cname: odd('install.cname', `${i.name}.wpengine.com`),
      stable_ips: null,
      environment: odd('install.environment', i.environment ?? 'production'),
      primary_domain: odd('install.primary_domain', `${i.name}.wpengine.com`),
      is_multisite: false,
      created_at: '2025-06-12T09:56:42.386Z',
      ...(single ? { wp_version: i.wp_version ?? '6.8.1', defer_wordpress_upgrades_until: null } : {})
    }
  }

  /**
   * Offset pagination as the API does it: `limit` (at most 100) and `offset`, `count`, and fully
   * formed `next`/`previous` URLs.
   * @template T @param {string} path @param {Record<string, string>} query @param {T[]} items @returns {Reply}
   */
  function page(path, query, items) {
    const limit = query.limit === undefined ? MAX_LIMIT : Number(query.limit)
    const offset = query.offset === undefined ? 0 : Number(query.offset)
    /** @type {{ resource: string, field: string, type: string, code: string, message: string }[]} */
    const errors = []
    if (!Number.isInteger(limit) || limit < 0 || limit > MAX_LIMIT)
      errors.push(fieldError('Pagination', 'limit', 'invalid', `limit must be an integer from 0 to ${MAX_LIMIT}`))
    if (!Number.isInteger(offset) || offset < 0)
      errors.push(fieldError('Pagination', 'offset', 'invalid', 'offset must be a non-negative integer'))
    if (errors.length > 0) return { status: 400, body: { message: 'Invalid pagination parameters', errors } }
    const url = (/** @type {number} */ o) => `${origin}${API_PREFIX}${path}?limit=${limit}&offset=${o}`
    return {
      status: 200,
      body: {
        previous: offset > 0 ? url(Math.max(0, offset - limit)) : null,
        next: offset + limit < items.length ? url(offset + limit) : null,
        count: items.length,
        results: items.slice(offset, offset + limit)
      }
    }
  }

  /** @param {string} resource @param {string} field @param {string} code @param {string} message */
  function fieldError(resource, field, code, message) {
    return { resource, field, type: 'invalid_value', code, message }
  }

  /** @param {string} id */
  function findInstall(id) {
    return installs.find((i) => i.id === id.toLowerCase())
  }

  /** @param {string} method @param {string} path @param {Record<string, string>} query @param {unknown} body @returns {Reply} */
  function route(method, path, query, body) {
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent)
    const notFound = { status: 404, body: { message: 'Not Found' } }
    if (method === 'GET' && path === '/user') {
      return {
        status: 200,
        body: {
          id: 'fd8e24a5-1f16-4b80-af5f-d748bcc9e64d',
          first_name: 'Demo',
          last_name: 'User',
          email: 'demo@example.com',
          phone_number: null
        }
      }
    }
    if (parts[0] !== 'installs') return notFound
    if (parts.length === 1 && method === 'GET') {
      const listed = installs.map((i) => installJson(i, false))
      // A hostile API lists one install that breaks the documented shape, first of all.
      if (settings.hostile)
        listed.unshift({ ...installJson({ id: 'x', name: 'x' }, false), id: odd('install.id', 'x'), name: odd('install.name', 'X') })
      return page('/installs', query, listed)
    }
    const install = parts[1] !== undefined && UUID.test(parts[1]) ? findInstall(parts[1]) : undefined
    if (!install) return notFound
    if (install.forbidden) return { status: 403, body: { message: "You don't have permission to perform that action" } }
    if (parts.length === 2 && method === 'GET') return { status: 200, body: installJson(install, true) }
    const own = backups.filter((b) => b.installId === install.id)
    if (parts[2] === 'backups' && parts.length === 3 && method === 'GET')
      return page(`/installs/${install.id}/backups`, query, own.filter((b) => now() >= b.createdAt + b.listLagMs).map(backupJson))
    if (parts[2] === 'backups' && parts.length === 3 && method === 'POST') return createBackup(install, body)
    if (parts[2] === 'backups' && parts.length === 4 && method === 'GET') {
      const backup = own.find((b) => b.id === parts[3]?.toLowerCase())
      return backup ? { status: 200, body: backupJson(backup) } : notFound
    }
    if (parts[2] === 'backups' && parts.length === 5 && parts[4] === 'restore' && method === 'POST') {
      const backup = own.find((b) => b.id === parts[3]?.toLowerCase())
      return backup ? restore(install, backup, body) : notFound
    }
    if (parts[2] === 'purge_cache' && parts.length === 3 && method === 'POST') return purgeCache(install, body)
    if (parts[2] === 'archives' && parts.length === 3 && method === 'GET') {
      const own = archives.filter((a) => a.installId === install.id && now() >= a.createdAt + a.listLagMs)
      return page(
        `/installs/${install.id}/archives`,
        query,
        own.map((a) => archiveJson(a, true))
      )
    }
    if (parts[2] === 'archives' && parts.length === 3 && method === 'POST') return createArchive(install, own, body)
    return notFound
  }

  /** @param {InstallSeed} install @param {unknown} body @returns {Reply} */
  function createBackup(install, body) {
    const input = /** @type {Record<string, unknown>} */ (body && typeof body === 'object' ? body : {})
    const errors = []
    if (typeof input.description !== 'string' || input.description.trim() === '') {
      errors.push(fieldError('Backup', 'description', 'blank', "description can't be blank"))
    }
    const emails = input.notification_emails
    if (!Array.isArray(emails) || emails.length === 0) {
      errors.push(fieldError('Backup', 'notification_emails', 'blank', "notification_emails can't be blank"))
    } else {
      for (const email of emails) {
        if (typeof email !== 'string' || !EMAIL.test(email))
          errors.push(fieldError('Backup', 'notification_emails', 'invalid', `${String(email)} is not a valid email address`))
      }
    }
    if (errors.length > 0) return { status: 400, body: { message: 'Invalid Backup: the request has invalid fields', errors } }
    /** @type {BackupRecord} */
    const backup = {
      id: randomUUID(),
      installId: install.id,
      description: /** @type {string} */ (input.description),
      notification_emails: /** @type {string[]} */ (emails),
      createdAt: now(),
      requestedMs: settings.requestedMs,
      durationMs: Math.max(settings.durationMs, settings.requestedMs),
      outcome: install.outcome ?? settings.outcome,
      wordpress_version: install.wp_version ?? '6.8.1',
      listLagMs: settings.backupListLagMs
    }
    backups.push(backup)
    const answer = backupJson(backup)
    return { status: 202, body: { ...answer, status: odd('backup.status', answer.status) } }
  }

  /** @param {unknown} emails */
  function emailErrors(emails) {
    if (!Array.isArray(emails) || emails.length === 0)
      return [fieldError('Request', 'notification_emails', 'blank', "notification_emails can't be blank")]
    return emails
      .filter((e) => typeof e !== 'string' || !EMAIL.test(e))
      .map((e) => fieldError('Request', 'notification_emails', 'invalid', `${String(e)} is not a valid email address`))
  }

  /** Answers 202 with no body, as the live docs describe; the archive then shows up in the list. @param {InstallSeed} install @param {BackupRecord[]} own @param {unknown} body @returns {Reply} */
  function createArchive(install, own, body) {
    const input = /** @type {Record<string, unknown>} */ (body && typeof body === 'object' ? body : {})
    const errors = emailErrors(input.notification_emails)
    const backup = own.find((b) => b.id === String(input.backup_id ?? '').toLowerCase())
    if (!backup) errors.push(fieldError('Archive', 'backup_id', 'invalid', 'backup_id must name a backup of this install'))
    else if (statusOf(backup) !== 'completed') errors.push(fieldError('Archive', 'backup_id', 'invalid', 'the backup is not completed'))
    if (errors.length > 0) return { status: 400, body: { message: 'Invalid Archive: the request has invalid fields', errors } }
    archives.push({
      id: randomUUID(),
      installId: install.id,
      backupId: /** @type {BackupRecord} */ (backup).id,
      notification_emails: /** @type {string[]} */ (input.notification_emails),
      createdAt: now(),
      durationMs: settings.archiveMs,
      outcome: install.archiveOutcome ?? settings.archiveOutcome,
      token: randomBytes(16).toString('hex'),
      linkDelayMs: settings.archiveLinkDelayMs,
      listLagMs: settings.archiveListLagMs
    })
    return { status: 202 }
  }

  /** @param {InstallSeed} install @param {BackupRecord} backup @param {unknown} body @returns {Reply} */
  function restore(install, backup, body) {
    const input = /** @type {Record<string, unknown>} */ (body && typeof body === 'object' ? body : {})
    const errors = emailErrors(input.notification_emails)
    for (const flag of ['restore_database', 'create_checkpoint']) {
      if (input[flag] !== undefined && typeof input[flag] !== 'boolean')
        errors.push(fieldError('Restore', flag, 'invalid', `${flag} must be true or false`))
    }
    if (statusOf(backup) !== 'completed')
      errors.push(fieldError('Restore', 'backup_id', 'invalid', 'only a completed backup can be restored'))
    if (errors.length > 0) return { status: 400, body: { message: 'Invalid Restore: the request has invalid fields', errors } }
    restores.push({ installId: install.id, backupId: backup.id, body: input, at: now() })
    return { status: 202 }
  }

  /**
   * Answers 202 with no body. An object-cache purge (`object` or `all`) within a minute of the last
   * one of the install is refused with 429, without Retry-After, as recorded traffic shows none.
   * @param {InstallSeed} install @param {unknown} body @returns {Reply}
   */
  function purgeCache(install, body) {
    const type = body && typeof body === 'object' ? /** @type {Record<string, unknown>} */ (body).type : undefined
    if (typeof type !== 'string' || !CACHE_TYPES.includes(type)) {
      const message = `type must be one of ${CACHE_TYPES.join(', ')}`
      return {
        status: 400,
        body: { message: 'Invalid Cache: the request has invalid fields', errors: [fieldError('Cache', 'type', 'invalid', message)] }
      }
    }
    const object = (/** @type {string} */ t) => t === 'object' || t === 'all'
    const last = purges.findLast((p) => p.installId === install.id && object(p.type))
    if (object(type) && last && now() - last.at < OBJECT_PURGE_EVERY_MS) return { status: 429, body: { message: 'Too Many Requests' } }
    purges.push({ installId: install.id, type, at: now() })
    return { status: 202 }
  }

  /**
   * The archive's zip, generated as it is sent, with Range support (when its size is announced).
   * Faults: `break-download` cuts the connection after `afterBytes`; `hang` takes the connection and
   * never answers; `expire-link` refuses the link as expired, and the next listing hands out a fresh one.
   * @param {http.IncomingMessage} req @param {http.ServerResponse} res
   * @param {RecordedRequest} record @param {FaultRule | undefined} fault
   */
  function download(req, res, record, fault) {
    const match = /^\/downloads\/([0-9a-f-]{36})\.zip$/.exec(new URL(req.url ?? '/', origin).pathname)
    const archive = archives.find((a) => a.id === match?.[1])
    const token = new URL(req.url ?? '/', origin).searchParams.get('token')
    const reply = (/** @type {number} */ status, /** @type {http.OutgoingHttpHeaders} */ headers = {}) => {
      record.status = status
      res.writeHead(status, headers)
    }
    const expired = () => {
      reply(403, { 'content-type': 'application/xml' })
      res.end('<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>')
    }
    if (fault) record.fault = fault.type
    if (fault?.type === 'reset') return req.socket.destroy()
    if (fault?.type === 'hang') return
    if (fault && /^\d+$/.test(fault.type)) {
      reply(Number(fault.type), { 'content-type': 'application/xml' })
      return res.end('<Error><Code>ServiceUnavailable</Code></Error>')
    }
    if (!archive || archiveState(archive) !== 'completed' || token !== archive.token) return expired()
    if (fault?.type === 'expire-link') {
      archive.token = randomBytes(16).toString('hex')
      return expired()
    }
    const zip = zipArchive(installs.find((i) => i.id === archive.installId)?.archiveBytes ?? settings.archiveBytes, settings.archiveZip)
    const size = Math.min(zip.size, settings.archiveTruncatedTo ?? zip.size)
    const encoding = settings.archiveEncoding
    const sized = settings.archiveBody === 'sized' && !encoding
    const ranges = settings.archiveRanges && sized
    const etag = `"${archive.id}-${size}"`
    const range = ranges ? /^bytes=(\d+)-$/.exec(String(req.headers.range ?? '')) : null
    const ifRange = req.headers['if-range']
    const start = range && (!ifRange || ifRange === etag) ? Number(range[1]) : 0
    if (start >= size && start > 0) {
      reply(416, { 'content-range': `bytes */${size}` })
      return res.end()
    }
    const headers = {
      'content-type': 'application/zip',
      ...(encoding ? { 'content-encoding': encoding } : {}),
      etag,
      ...(sized ? { 'content-length': size - start } : {}),
      ...(ranges ? { 'accept-ranges': 'bytes' } : {})
    }
    if (start > 0) reply(206, { ...headers, 'content-range': `bytes ${start}-${size - 1}/${size}` })
    else reply(200, headers)
    const bytes = settings.archiveBody === 'endless' ? endlessly(zip.read(0, size)) : zip.read(start, size)
    const plain = Readable.from(settings.archiveBytesPerSecond > 0 ? paced(bytes, settings.archiveBytesPerSecond) : bytes)
    const encoder = encoding === 'gzip' ? zlib.createGzip() : encoding === 'br' ? zlib.createBrotliCompress() : undefined
    const body = encoder ? plain.pipe(encoder) : plain
    res.on('close', () => {
      body.destroy()
      plain.destroy()
    })
    if (fault?.type === 'break-download') {
      let sent = 0
      const limit = fault.afterBytes ?? Math.floor((size - start) / 2)
      body.on('data', (/** @type {Buffer} */ chunk) => {
        if (sent + chunk.length >= limit) {
          body.pause()
          res.write(chunk.subarray(0, Math.max(0, limit - sent)), () => req.socket.destroy())
          body.destroy()
          return
        }
        sent += chunk.length
        if (!res.write(chunk)) {
          body.pause()
          res.once('drain', () => body.resume())
        }
      })
      body.on('end', () => res.end())
      return
    }
    body.pipe(res)
  }

  /** A backend answer the gateway does not map arrives as 500, with the backend's message. @param {Reply} reply @returns {Reply} */
  function unmapped(reply) {
    if (!settings.gateway?.unmapped?.includes(reply.status)) return reply
    const said = /** @type {{ message?: unknown } | undefined} */ (reply.body)?.message
    return { status: 500, body: { message: typeof said === 'string' ? said : 'Internal server error' } }
  }

  /** Whether the rate limit lets one more request through now (and counts it). */
  function withinRateLimit() {
    const limit = settings.rateLimit
    if (!limit) return true
    const burst = limit.burst ?? limit.perSecond
    const t = now()
    bucket.tokens = Math.min(burst, bucket.tokens + (Math.max(0, t - bucket.at) * limit.perSecond) / 1000)
    bucket.at = t
    if (bucket.tokens < 1) return false
    bucket.tokens--
    return true
  }

  /** @param {string} method @param {string} path */
  function takeFault(method, path) {
    const index = faults.findIndex(
      (f) => (!f.method || f.method === method) && (!f.path || (typeof f.path === 'string' ? f.path === path : f.path.test(path)))
    )
    if (index < 0) return undefined
    const fault = /** @type {FaultRule} */ (faults[index])
    fault.times = (fault.times ?? 1) - 1
    if (fault.times <= 0) faults.splice(index, 1)
    return fault
  }

  /** @type {http.RequestListener} */
  const handle = (req, res) => {
    const chunks = /** @type {Buffer[]} */ ([])
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      concurrency.current++
      concurrency.max = Math.max(concurrency.max, concurrency.current)
      res.on('close', () => {
        concurrency.current--
        record.doneAt = now()
      })
      const url = new URL(req.url ?? '/', origin)
      const rawBody = Buffer.concat(chunks).toString('utf8')
      let body
      try {
        body = rawBody === '' ? undefined : JSON.parse(rawBody)
      } catch {
        body = rawBody
      }
      const path = url.pathname.startsWith(API_PREFIX) ? url.pathname.slice(API_PREFIX.length) || '/' : url.pathname
      /** @type {RecordedRequest} */
      const record = {
        method: req.method ?? 'GET',
        path,
        query: Object.fromEntries(url.searchParams),
        authorized: req.headers.authorization === expectedAuth,
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        range: req.headers.range,
        userAgent: req.headers['user-agent'],
        body,
        rawBody,
        at: now()
      }
      requests.push(record)
      const send = (/** @type {Reply} */ reply) => {
        record.status = reply.status
        const body =
          settings.reshape && reply.status < 300 && reply.body !== undefined
            ? settings.reshape({ method: record.method, path, body: reply.body })
            : reply.body
        const text = body === undefined ? '' : JSON.stringify(body)
        res.writeHead(reply.status, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(text),
          // The API's clock, not the host's: the simulator may run on a test's fake clock.
          date: new Date(now() + settings.apiClockOffsetMs).toUTCString(),
          ...reply.headers
        })
        res.end(text)
        options.log?.(`${record.method} ${url.pathname}${url.search} → ${reply.status}${record.fault ? ` (fault: ${record.fault})` : ''}`)
      }
      // A download link is a bearer URL on the storage host: no Basic auth, a token instead.
      if (url.pathname.startsWith('/downloads/') && record.method === 'GET')
        return download(req, res, record, takeFault(record.method, path))
      if (settings.gateway) {
        const routes = GATEWAY_ROUTES[settings.gateway.version ?? '1.21']
        const parts = path.split('/').filter(Boolean)
        if (!url.pathname.startsWith(`${API_PREFIX}/`) || !routes.has(routeOf(record.method, parts))) return send(MISSING_ROUTE)
      }
      if (!url.pathname.startsWith(`${API_PREFIX}/`)) return send({ status: 404, body: { message: 'Not Found' } })
      for (const o of outages) {
        if (o.startsWith && o.startsWith.method === record.method && o.startsWith.path.test(path)) {
          o.from = record.at
          o.until = record.at + o.forMs
          o.startsWith = undefined
        }
      }
      const down = outages.find((o) => record.at >= o.from && record.at < o.until)
      if (down) {
        // The whole API is down: nothing is acted on, every request is answered 503 or cut off.
        record.fault = down.answer === 'mixed' ? (requests.length % 2 === 0 ? '503' : 'reset') : down.answer
        options.log?.(`${record.method} ${url.pathname} → outage: ${record.fault}`)
        if (record.fault === 'reset') return req.socket.destroy()
        return send({ status: 503, body: { message: 'Service Unavailable' } })
      }
      const fault = takeFault(record.method, path)
      if (fault) {
        record.fault = fault.type
        options.log?.(`${record.method} ${url.pathname} → fault: ${fault.type}`)
        switch (fault.type) {
          case 'reset':
            return req.socket.destroy()
          case 'hang':
            return
          case 'invalid-json':
            record.status = 200
            res.writeHead(200, { 'content-type': 'application/json' })
            return res.end('{"id": "e41fa98f-ea80-4654-b229-a9b765d0863a", "status": ')
          case 'field-errors':
            // A 400 the way the API words one, for validation the action cannot foresee.
            return send({
              status: 400,
              body: {
                message: 'Invalid Backup: the request has invalid fields',
                errors: [
                  fieldError('Backup', 'description', 'too_long', 'Description is too long (maximum is 255 characters)'),
                  fieldError('Backup', 'notification_emails', 'invalid', 'ops@example.com is not allowed to receive notifications')
                ]
              }
            })
          case 'hostile-error':
            // A 400 in the hostile API's words, with as many field errors as the rule says (the words of
            // the first twenty: thousands of long hostile errors would pass the client's 4 MiB limit on answers).
            return send({
              status: 400,
              body: {
                message: odd('error.message', 'Invalid request'),
                errors: Array.from({ length: fault.errors ?? 3 }, (_, n) =>
                  n < 20
                    ? fieldError(
                        String(odd('error.resource', 'Backup')),
                        String(odd('error.field', `field${n}`)),
                        'invalid',
                        String(odd('error.text', `error ${n}`))
                      )
                    : fieldError('Backup', `field${n}`, 'invalid', `error ${n}`)
                )
              }
            })
          case 'redirect':
            // A header can carry no line break, nor pass Node's 16 KiB of headers: what cannot go on the wire is written as %XX, and it is cut.
            return send({
              status: 302,
              body: { message: 'Found' },
              headers: {
                location: String(odd('error.location', 'https://elsewhere.invalid/'))
                  .replace(/[^\x20-\x7e]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
                  .slice(0, 8_000)
              }
            })
          case 'lost-answer':
            // The API acts on the request, then the answer never arrives.
            if (record.authorized) route(record.method, path, record.query, body)
            return req.socket.destroy()
          default: {
            const status = Number(fault.type)
            const message =
              fault.message ?? (status === 429 ? 'Too Many Requests' : 'An unexpected error occurred, please try again in a few minutes')
            return send({ status, body: { message }, headers: fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter } })
          }
        }
      }
      // The gateway turns a request away before anything else looks at it.
      if (!withinRateLimit()) return send({ status: 429, body: { message: 'Too Many Requests' } })
      if (!record.authorized) return send({ status: 401, body: { message: 'Bad Credentials' } })
      const reply = unmapped(route(record.method, path, record.query, body))
      if (settings.latencyMs > 0) setTimeout(() => send(reply), settings.latencyMs)
      else send(reply)
    })
  }
  // Over https with the given certificate, to exercise the TLS path the real API uses.
  const server = options.tls ? https.createServer(options.tls, handle) : http.createServer(handle)
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => resolve(undefined))
  })
  const address = /** @type {import('node:net').AddressInfo} */ (server.address())
  origin = `${options.tls ? 'https' : 'http'}://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`

  return {
    /** The base URL to give the action as api-url. */
    url: `${origin}${API_PREFIX}`,
    port: address.port,
    credentials,
    installs,
    /** Every request received, in order. */
    requests,
    /** The most requests that were being answered at the same time. */
    concurrency,
    /** Changes how backups requested from now on behave. */
    configure(/** @type {Partial<typeof settings>} */ changes) {
      Object.assign(settings, changes)
    },
    /**
     * The whole API fails for `forMs` from `fromMs` (the simulator's time; now if not given), or from the
     * first request that matches `startsWith`: every API request is answered 503, or cut off (`reset`),
     * or each in turn (`mixed`), and none is acted on. Downloads are not affected.
     */
    outage(
      /** @type {{ fromMs?: number, forMs: number, answer?: Outage['answer'], startsWith?: Outage['startsWith'] }} */ {
        fromMs,
        forMs,
        answer = '503',
        startsWith
      }
    ) {
      const from = startsWith ? Infinity : (fromMs ?? now())
      /** @type {Outage} */
      const outage = { from, until: from + forMs, answer, forMs, startsWith }
      outages.push(outage)
      /** Ends the outage now (for a simulator that outlives the test that called it). */
      return () => void outages.splice(outages.indexOf(outage), 1)
    },
    /** Queues a fault for the next matching request(s). */
    fault(/** @type {FaultRule} */ rule) {
      faults.push({ times: 1, ...rule })
    },
    /** Archives as the API would list them, across all installs. */
    archives: () => archives.map((a) => ({ installId: a.installId, ...archiveJson(a) })),
    /** Every download link the API has handed out, including expired ones. */
    links: () => [...links],
    /** Every restore the API accepted. */
    restores: () => restores.map((r) => ({ ...r })),
    /** Every cache purge the API accepted. */
    purges: () => purges.map((p) => ({ ...p })),
    /** Backups as the API would list them, across all installs. */
    backups: () => backups.map((b) => ({ installId: b.installId, notification_emails: b.notification_emails, ...backupJson(b) })),
    /**
     * Adds a backup directly, as if requested `ageMs` ago (e.g. by another step): it stays requested for
     * `requestedMs`, is in progress until `durationMs` after its creation, then ends with `outcome`. A
     * backup still running is one with `durationMs` longer than `ageMs`; history is backups that ended.
     */
    seedBackup(
      /** @type {{ installId: string, description?: string, ageMs?: number, outcome?: Outcome, requestedMs?: number, durationMs?: number }} */ seed
    ) {
      const requestedMs = seed.requestedMs ?? settings.requestedMs
      /** @type {BackupRecord} */
      const backup = {
        id: randomUUID(),
        installId: seed.installId,
        description: seed.description ?? 'Seeded backup',
        notification_emails: ['ops@example.com'],
        createdAt: now() - (seed.ageMs ?? 0),
        requestedMs,
        durationMs: Math.max(seed.durationMs ?? settings.durationMs, requestedMs),
        outcome: seed.outcome ?? settings.outcome,
        wordpress_version: '6.8.1',
        listLagMs: 0
      }
      backups.push(backup)
      return backupJson(backup)
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(() => resolve(undefined)))
    }
  }
}

/** @typedef {Awaited<ReturnType<typeof startSimulator>>} Simulator */

// @ts-check
// What `npm run sim -- [flags]` makes of its flags: the simulator's options, or the text to print and
// the exit code to end with (help, a bad flag). sim/cli.js acts on it; tests read it in process.
import { parseArgs } from 'node:util'
import { readFileSync } from 'node:fs'
import { defaultInstalls, DEFAULT_CREDENTIALS, GATEWAY_ROUTES } from './server.js'

export const HELP = `Usage: npm run sim -- [options]

A local WP Engine API for trying and testing the action; binds to loopback only.

  --port N            port to listen on (default 8787; 0 picks a free one)
  --host HOST         loopback address to bind (default 127.0.0.1)
  --requested SECS    how long a new backup stays 'requested' (default 1)
  --duration SECS     how long a new backup takes in all (default 4)
  --outcome STATE     completed or aborted (default completed)
  --latency MS        delay every answer by MS milliseconds (default 0)
  --rate-limit N      allow N requests a second across the account (burst N); answer 429 past it
  --installs N        filler installs listed before 'mysite' (default 120, so it is on page 2)
  --user ID           API user id to accept (default ${DEFAULT_CREDENTIALS.userId})
  --password PW       API password to accept (default ${DEFAULT_CREDENTIALS.password})
  --fault SPEC        inject a fault: METHOD:PATH_REGEX:TYPE[:TIMES[:RETRY_AFTER[:MESSAGE]]], e.g.
                      POST:/backups$:503:2  or  GET:.:429:1:5  or  POST:/backups$:500:1::Forbidden
                      (repeatable; MESSAGE, the error's message, may hold colons)
                      TYPE: 408 429 500 502 503 504 reset hang lost-answer invalid-json field-errors
                      (on /downloads/: also break-download expire-link)
  --gateway VERSION   behave like WP Engine's API gateway in front of that API version
                      (${Object.keys(GATEWAY_ROUTES).join(', ')}): a route the version lacks, and any path
                      outside /v1, answers 403 {"message":"Missing Authentication Token"}
  --unmapped CODES    with --gateway: backend statuses the gateway passes on as 500 with the
                      backend's message, e.g. 403,404
  --tls-cert PATH     serve https with this certificate (PEM); needs --tls-key
  --tls-key PATH      the certificate's private key (PEM)
  --ready-file PATH   write the API URL to PATH once listening
  --quiet             do not log requests
`

/** Where the command stops before it serves: what to print on stdout or stderr, and the exit code. */
export class CliExit extends Error {
  /** @param {number} code @param {{ stdout?: string, stderr?: string }} text */
  constructor(code, text) {
    super(text.stderr ?? text.stdout ?? '')
    this.name = 'CliExit'
    this.code = code
    this.stdout = text.stdout ?? ''
    this.stderr = text.stderr ?? ''
  }
}

/** @param {string} message */
const refuse = (message) => new CliExit(2, { stderr: message })

/** @param {string} name @param {string} text */
function number(name, text) {
  const n = Number(text)
  if (!Number.isFinite(n) || n < 0) throw refuse(`--${name} '${text}' is not a non-negative number\n`)
  return n
}

/**
 * The simulator's options from the command's flags, checked in the order the command has always
 * checked them; throws a CliExit for --help or a bad flag.
 * @param {string[]} args
 */
export function readSimArgs(args) {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string', default: '8787' },
      host: { type: 'string', default: '127.0.0.1' },
      requested: { type: 'string', default: '1' },
      duration: { type: 'string', default: '4' },
      outcome: { type: 'string', default: 'completed' },
      latency: { type: 'string', default: '0' },
      'rate-limit': { type: 'string' },
      installs: { type: 'string', default: '120' },
      user: { type: 'string', default: DEFAULT_CREDENTIALS.userId },
      password: { type: 'string', default: DEFAULT_CREDENTIALS.password },
      fault: { type: 'string', multiple: true, default: [] },
      gateway: { type: 'string' },
      unmapped: { type: 'string' },
      'ready-file': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false }
    }
  })
  if (values.help) throw new CliExit(0, { stdout: HELP })
  const outcome = values.outcome
  if (outcome !== 'completed' && outcome !== 'aborted') throw refuse(`--outcome '${outcome}' must be completed or aborted\n`)
  const versions = /** @type {string[]} */ (Object.keys(GATEWAY_ROUTES))
  if (values.gateway !== undefined && !versions.includes(values.gateway))
    throw refuse(`--gateway '${values.gateway}' must be one of ${versions.join(', ')}\n`)
  if (values.unmapped !== undefined && values.gateway === undefined) throw refuse('--unmapped needs --gateway\n')
  const unmapped = (values.unmapped ?? '')
    .split(',')
    .filter(Boolean)
    .map((code) => number('unmapped', code))
  if (Boolean(values['tls-cert']) !== Boolean(values['tls-key'])) throw refuse('--tls-cert and --tls-key go together\n')
  return {
    options: {
      tls:
        values['tls-cert'] && values['tls-key']
          ? { cert: readFileSync(values['tls-cert']), key: readFileSync(values['tls-key']) }
          : undefined,
      host: values.host,
      port: number('port', values.port),
      credentials: { userId: values.user, password: values.password },
      installs: defaultInstalls(number('installs', values.installs)),
      requestedMs: number('requested', values.requested) * 1000,
      durationMs: number('duration', values.duration) * 1000,
      outcome: /** @type {'completed' | 'aborted'} */ (outcome),
      latencyMs: number('latency', values.latency),
      rateLimit: values['rate-limit'] === undefined ? undefined : { perSecond: number('rate-limit', values['rate-limit']) },
      gateway:
        values.gateway === undefined ? undefined : { version: /** @type {import('./server.js').ApiVersion} */ (values.gateway), unmapped }
    },
    /** The --fault specs, read with readFault once the simulator is listening. */
    faults: values.fault,
    readyFile: values['ready-file'],
    quiet: values.quiet
  }
}

/**
 * One --fault spec as the simulator's fault rule; throws a CliExit when it is not one.
 * @param {string} spec
 * @returns {import('./server.js').FaultRule}
 */
export function readFault(spec) {
  const [method, path, type, times = '1', retryAfter, ...said] = spec.split(':')
  if (!method || !path || !type) throw refuse(`--fault '${spec}' is not METHOD:PATH_REGEX:TYPE[:TIMES[:RETRY_AFTER[:MESSAGE]]]\n`)
  return {
    method: method.toUpperCase(),
    path: new RegExp(path),
    type: /** @type {any} */ (type),
    times: number('fault times', times),
    retryAfter: retryAfter || undefined,
    message: said.length > 0 ? said.join(':') : undefined
  }
}

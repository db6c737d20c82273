#!/usr/bin/env node
// @ts-check
// `npm run sim -- [flags]`: the WP Engine API simulator as a command, for local use and CI workflows.
import { parseArgs } from 'node:util'
import { readFileSync, writeFileSync } from 'node:fs'
import { defaultInstalls, DEFAULT_CREDENTIALS, startSimulator } from './server.js'

const HELP = `Usage: npm run sim -- [options]

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
  --fault SPEC        inject a fault: METHOD:PATH_REGEX:TYPE[:TIMES[:RETRY_AFTER]], e.g.
                      POST:/backups$:503:2  or  GET:.:429:1:5   (repeatable)
                      TYPE: 408 429 500 502 503 504 reset hang lost-answer invalid-json field-errors
                      (on /downloads/: also break-download expire-link)
  --tls-cert PATH     serve https with this certificate (PEM); needs --tls-key
  --tls-key PATH      the certificate's private key (PEM)
  --ready-file PATH   write the API URL to PATH once listening
  --quiet             do not log requests
`

const { values } = parseArgs({
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
    'ready-file': { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    quiet: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false }
  }
})

if (values.help) {
  process.stdout.write(HELP)
  process.exit(0)
}

/** @param {string} name @param {string} text */
function number(name, text) {
  const n = Number(text)
  if (!Number.isFinite(n) || n < 0) {
    process.stderr.write(`--${name} '${text}' is not a non-negative number\n`)
    process.exit(2)
  }
  return n
}

if (values.outcome !== 'completed' && values.outcome !== 'aborted') {
  process.stderr.write(`--outcome '${values.outcome}' must be completed or aborted\n`)
  process.exit(2)
}

if (Boolean(values['tls-cert']) !== Boolean(values['tls-key'])) {
  process.stderr.write('--tls-cert and --tls-key go together\n')
  process.exit(2)
}

const sim = await startSimulator({
  tls:
    values['tls-cert'] && values['tls-key'] ? { cert: readFileSync(values['tls-cert']), key: readFileSync(values['tls-key']) } : undefined,
  host: values.host,
  port: number('port', values.port),
  credentials: { userId: values.user, password: values.password },
  installs: defaultInstalls(number('installs', values.installs)),
  requestedMs: number('requested', values.requested) * 1000,
  durationMs: number('duration', values.duration) * 1000,
  outcome: values.outcome,
  latencyMs: number('latency', values.latency),
  rateLimit: values['rate-limit'] === undefined ? undefined : { perSecond: number('rate-limit', values['rate-limit']) },
  log: values.quiet ? undefined : (line) => process.stdout.write(`[sim] ${line}\n`)
})

for (const spec of values.fault) {
  const [method, path, type, times = '1', retryAfter] = spec.split(':')
  if (!method || !path || !type) {
    process.stderr.write(`--fault '${spec}' is not METHOD:PATH_REGEX:TYPE[:TIMES[:RETRY_AFTER]]\n`)
    process.exit(2)
  }
  sim.fault({
    method: method.toUpperCase(),
    path: new RegExp(path),
    type: /** @type {any} */ (type),
    times: number('fault times', times),
    retryAfter
  })
}

process.stdout.write(
  `WP Engine API simulator listening on ${sim.url}\n  user: ${sim.credentials.userId}  password: ${sim.credentials.password}\n  installs: mysite and mysitestaging (IDs ${sim.installs.at(-2)?.id}, ${sim.installs.at(-1)?.id})\n`
)
if (values['ready-file']) writeFileSync(values['ready-file'], `${sim.url}\n`)

for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.once(signal, () => {
    void sim.close().then(() => process.exit(0))
  })
}

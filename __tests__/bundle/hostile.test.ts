import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defaultInstalls, startSimulator, type Simulator } from '../../sim/server.js'
import { ACTION, RESTORE_ACTION, runAction, SAMPLE_RUN_ENV, type ActionResult } from '../../scripts/run-action.js'
import { renderGfm } from '../support/gfm.js'

// A hostile or broken WP Engine API, and hostile inputs, against the bundled actions run as the runner
// runs them. Whatever the text, no line but the action's own may be a workflow command, every secret
// and the download link stay masked, and the summary renders no link, image or HTML.

const MYSITE_ID = '294deacc-d8b8-4005-82c4-0727ba8ddde0'

/** Pieces of text that attack a log, a runner, a Markdown renderer or a length limit. */
const PIECES = [
  '\n',
  '\r\n',
  '\r',
  '::',
  '::add-mask::',
  '::stop-commands::x',
  '::error::',
  '##[add-mask]',
  '##[stop-commands]y',
  '%0A',
  '%25',
  '\u001b[31m',
  '\u001b]8;;https://evil.example\u0007',
  '\u0000',
  '\u0085',
  '\u2028',
  '\u2029',
  '\u202e',
  '\u200b',
  '\ud800',
  '\t',
  ' ',
  'a',
  '[x](https://evil.example/a)',
  '![i](https://evil.example/i.png)',
  '<img src=x onerror=alert(1)>',
  '<a href="https://evil.example">',
  '<script>',
  'https://evil.example/x',
  'www.evil.example',
  'mail@evil.example',
  '&lt;b&gt;',
  '&#60;',
  '|',
  '`',
  '\\',
  '**',
  '# ',
  '1. ',
  '[^1]'
]
const piece = fc.constantFrom(...PIECES)

/** Short hostile text, binary noise, or text long enough to swamp a log line (answers stay under the client's 4 MiB; door.test.ts sends megabytes). */
const hostileText = fc.oneof(
  { weight: 4, arbitrary: fc.array(piece, { minLength: 1, maxLength: 12 }).map((parts) => parts.join('')) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.array(piece, { minLength: 1, maxLength: 4 }), fc.integer({ min: 5_000, max: 30_000 }))
      .map(([parts, size]) => parts.join('').repeat(Math.ceil(size / parts.join('').length)))
  }
)

/** Hostile text as an input: the runner passes inputs in environment variables, which cannot hold a NUL. */
const hostileInput = hostileText.map((text) => text.replace(/\u0000/g, ''))

/** Every free-text field of every answer the simulator gives (see sim/server.js `hostile`). */
const FIELDS = [
  'install.php_version',
  'install.cname',
  'install.environment',
  'install.primary_domain',
  'install.id',
  'install.name',
  'backup.description',
  'backup.create_time',
  'backup.wordpress_version',
  'backup.extra',
  'backup.status',
  'archive.notification_emails',
  'archive.state',
  'archive.link',
  'error.message',
  'error.resource',
  'error.field',
  'error.text',
  'error.location'
] as const
const hostileAnswers = fc.record(
  Object.fromEntries(FIELDS.map((field) => [field, hostileText])) as Record<(typeof FIELDS)[number], typeof hostileText>
)

const OWN_COMMANDS = new Set(['add-mask', 'group', 'endgroup', 'warning', 'error', 'notice', 'debug'])
// What the runner renders from a summary the action writes: its own headings, tables, alerts and lists.
// `code` spans only ever hold ids the door checked (UUIDs, and their first 8 digits): asserted below.
const SUMMARY_TAGS = new Set(['h2', 'p', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'strong', 'blockquote', 'ul', 'li', 'br', 'code'])

let workspace: string
const sims: Simulator[] = []
beforeAll(() => {
  if (!existsSync(ACTION)) throw new Error('dist/index.js is missing: run npm run bundle')
  workspace = mkdtempSync(join(tmpdir(), 'wpe-hostile-'))
})
afterAll(async () => {
  await Promise.all(sims.map((s) => s.close()))
  rmSync(workspace, { recursive: true, force: true })
})

async function hostileSim(answers: Record<string, string>, options: Parameters<typeof startSimulator>[0] = {}): Promise<Simulator> {
  const sim = await startSimulator({
    requestedMs: 0,
    durationMs: 0,
    archiveMs: 0,
    archiveBytes: 4096,
    installs: defaultInstalls(1),
    hostile: (field) => answers[field],
    ...options
  })
  sims.push(sim)
  return sim
}

/** Workflow commands in the output, found as the runner finds them: a line starting with `::` (after any whitespace), or `##[` anywhere. */
function commandsIn(output: string): { name: string; data: string; line: string }[] {
  const found: { name: string; data: string; line: string }[] = []
  for (const line of output.split(/\r\n|\r|\n/)) {
    const trimmed = line.replace(/^[\s\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/, '')
    const end = trimmed.startsWith('::') ? trimmed.indexOf('::', 2) : -1
    if (end >= 0) found.push({ name: trimmed.slice(2, end).split(' ')[0] ?? '', data: trimmed.slice(end + 2), line })
    const legacy = line.indexOf('##[')
    if (legacy >= 0 && line.indexOf(']', legacy) >= 0)
      found.push({ name: `##[${line.slice(legacy + 3, line.indexOf(']', legacy))}]`, data: '', line })
  }
  return found
}

/** A command's data as the runner reads it back (@actions/core escapes %, CR and LF). */
const unescapeData = (data: string): string => data.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')

/** The invariants every run keeps, however it ends. */
function expectSafe(result: ActionResult, secrets: string[]): void {
  const commands = commandsIn(result.stdout)
  for (const command of commands) {
    if (!OWN_COMMANDS.has(command.name))
      throw new Error(`A line the action did not mean as a command is one: ${JSON.stringify(command.line.slice(0, 300))}`)
  }
  // The action masks only the credentials and the download link.
  for (const { name, data } of commands) if (name === 'add-mask') expect(secrets).toContain(unescapeData(data))
  const visible = result.stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n')
  for (const secret of secrets) {
    for (const text of [visible, result.stderr, result.summary]) expect(text.includes(secret)).toBe(false)
  }
  // One readable line per error; a summary GitHub takes; outputs that cannot end early.
  for (const { name, line } of commands) if (name === 'error' || name === 'warning') expect(line.length).toBeLessThan(13_000)
  expect(Buffer.byteLength(result.summary)).toBeLessThanOrEqual(1024 * 1024)
  for (const value of Object.values(result.outputs)) expect(value).not.toMatch(/[\r\n]/)
  const rendered = renderGfm(result.summary)
  for (const tag of rendered.tags)
    if (!SUMMARY_TAGS.has(tag)) throw new Error(`The summary renders <${tag}>: ${rendered.html[1]?.slice(0, 500)}`)
  for (const html of rendered.html) {
    expect(html).not.toMatch(/<[a-z][^>]*\b(href|src)=/i)
    for (const [, id] of html.matchAll(/<code>(.*?)<\/code>/g))
      expect(id).toMatch(/^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$|^[0-9a-f]{8}$/)
  }
}

/** The step's failure line, if it failed: shown when a run that should succeed does not. */
const failureOf = (result: ActionResult): string | undefined => /^::error::(.*)$/m.exec(result.stdout)?.[1]?.slice(0, 500)

/** The password and the Basic token made of it (with the user id given as an input, when there is one). */
function secretsOf(sim: Simulator, userIdInput = ''): string[] {
  const { password } = sim.credentials
  const userId = userIdInput.trim() || sim.credentials.userId
  return [password, Buffer.from(`${userId}:${password}`).toString('base64')]
}

const env = (sim: Simulator) => ({
  ...SAMPLE_RUN_ENV,
  GITHUB_WORKSPACE: workspace,
  WPENGINE_USER_ID: sim.credentials.userId,
  WPENGINE_PASSWORD: sim.credentials.password
})

describe('a hostile API and hostile inputs cannot reach the runner, the secrets or the summary', () => {
  it.concurrent(
    'backup, archive and download with hostile text in every answer and in the description',
    async () => {
      await fc.assert(
        fc.asyncProperty(hostileAnswers, hostileInput, async (answers, description) => {
          const sim = await hostileSim(answers)
          const result = await runAction({
            inputs: {
              install: 'mysite',
              'notification-emails': 'ops@example.com',
              'api-url': sim.url,
              // An answer the door refuses counts as lost: the step then looks for its backup for a quarter
              // of the time left, so a short timeout keeps each run short.
              timeout: '30s',
              description,
              'archive-path': 'backups/'
            },
            env: env(sim)
          })
          const raw = sim.archives()[0]?.download_uri
          const link = raw ? new URL(raw) : undefined
          expectSafe(result, [...secretsOf(sim), ...(link ? [link.href, link.searchParams.get('token') ?? link.href] : [])])
          expect({ code: result.code, failure: failureOf(result) }).toEqual({ code: 0, failure: undefined })
          expect(result.outputs['archive-url']).toBe(link?.href)
          await sim.close()
        }),
        // A hung run is a failure of its own; shrinking would spawn the action again and again.
        { numRuns: 5, timeout: 40_000, endOnFailure: true }
      )
    },
    180_000
  )

  it.concurrent(
    'a refused backup request whose message and field errors are hostile, however many',
    async () => {
      await fc.assert(
        fc.asyncProperty(hostileAnswers, fc.integer({ min: 0, max: 6_000 }), async (answers, errors) => {
          const sim = await hostileSim(answers)
          sim.fault({ method: 'POST', path: /\/backups$/, type: 'hostile-error', errors })
          const result = await runAction({
            inputs: { install: MYSITE_ID, 'notification-emails': 'ops@example.com', 'api-url': sim.url, timeout: '30s' },
            env: env(sim)
          })
          expectSafe(result, secretsOf(sim))
          expect(result.code).toBe(1)
          expect(result.stdout).toMatch(/^::error::WP Engine refused to request a backup of install mysite \(400/m)
          await sim.close()
        }),
        { numRuns: 8, timeout: 40_000 }
      )
    },
    120_000
  )

  it.concurrent(
    'a redirect to a hostile location',
    async () => {
      await fc.assert(
        fc.asyncProperty(hostileAnswers, async (answers) => {
          const sim = await hostileSim(answers)
          sim.fault({ method: 'GET', type: 'redirect' })
          const result = await runAction({
            inputs: { install: 'mysite', 'notification-emails': 'ops@example.com', 'api-url': sim.url, timeout: '30s' },
            env: env(sim)
          })
          expectSafe(result, secretsOf(sim))
          expect(result.stdout).toMatch(/^::error::.*with a redirect \(302 to /m)
          await sim.close()
        }),
        { numRuns: 6, timeout: 40_000 }
      )
    },
    120_000
  )

  it.concurrent(
    'a dry run, with hostile text in every answer and backups completed and still running',
    async () => {
      await fc.assert(
        fc.asyncProperty(hostileAnswers, async (answers) => {
          const sim = await hostileSim(answers)
          for (const hoursAgo of [30, 20, 10]) sim.seedBackup({ installId: MYSITE_ID, ageMs: hoursAgo * 3_600_000, durationMs: 240_000 })
          sim.seedBackup({ installId: MYSITE_ID, ageMs: 60_000, durationMs: 3_600_000 })
          const result = await runAction({
            inputs: { install: 'mysite', 'notification-emails': 'ops@example.com', 'api-url': sim.url, 'dry-run': 'true' },
            env: env(sim)
          })
          expectSafe(result, secretsOf(sim))
          expect({ code: result.code, failure: failureOf(result) }).toEqual({ code: 0, failure: undefined })
          expect(sim.requests.filter((r) => r.method !== 'GET')).toEqual([])
          await sim.close()
        }),
        { numRuns: 6, timeout: 40_000 }
      )
    },
    120_000
  )

  it.concurrent(
    'restore, with hostile text in every answer',
    async () => {
      await fc.assert(
        fc.asyncProperty(hostileAnswers, async (answers) => {
          const sim = await hostileSim(answers)
          const seeded = sim.seedBackup({ installId: MYSITE_ID })
          const result = await runAction({
            script: RESTORE_ACTION,
            inputs: { install: 'mysite', 'backup-id': seeded.id, 'notification-emails': 'ops@example.com', 'api-url': sim.url },
            env: env(sim)
          })
          expectSafe(result, secretsOf(sim))
          expect({ code: result.code, failure: failureOf(result) }).toEqual({ code: 0, failure: undefined })
          expect(sim.restores().map((r) => r.backupId)).toEqual([seeded.id])
          await sim.close()
        }),
        { numRuns: 6, timeout: 40_000 }
      )
    },
    120_000
  )

  const TEXT_INPUTS = [
    'install',
    'notification-emails',
    'description',
    'timeout',
    'poll-interval',
    'backup-id',
    'reuse-within',
    'max-parallel',
    'wait',
    'archive',
    'archive-path',
    'archive-recipients',
    'api-url',
    'api-user-id'
  ]
  it.concurrent(
    'any text input holding hostile text',
    async () => {
      const sim = await hostileSim({})
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...TEXT_INPUTS), hostileInput, async (input, value) => {
          const result = await runAction({
            inputs: {
              install: 'mysite',
              'notification-emails': 'ops@example.com',
              'api-url': sim.url,
              // An answer the door refuses counts as lost: the step then looks for its backup for a quarter
              // of the time left, so a short timeout keeps each run short.
              timeout: '30s',
              wait: 'false',
              // A path with a line break in it is refused before anything is written.
              [input]: input === 'archive-path' ? `\n${value}` : value
            },
            env: env(sim)
          })
          expectSafe(result, secretsOf(sim, input === 'api-user-id' ? value : ''))
        }),
        { numRuns: 20, timeout: 40_000 }
      )
    },
    120_000
  )
})

import { expect } from '@jest/globals'
import fc from 'fast-check'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import YAML from 'yaml'
import { defaultInstalls, type Simulator } from '../../sim/server.js'
import { ROOT } from '../../scripts/run-action.js'
import { renderGfm } from './gfm.js'
import { basicToken } from './helpers.js'

// A hostile or broken WP Engine API, and hostile inputs: the text they are made of, and the invariants
// a step keeps whatever the text. Used in process (step/hostile-text.test.ts, what passes through the
// output sink) and once against the bundled action (bundle/hostile.test.ts, what the runner reads).

/** Pieces of text that attack a log, a runner, a Markdown renderer or a length limit. */
export const PIECES = [
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

/** Short hostile text, binary noise, or text long enough to swamp a log line (answers stay under the client's 4 MiB; step/api-answers.test.ts sends megabytes). */
export const hostileText = fc.oneof(
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
export const asInput = (text: string): string => text.replace(/\u0000/g, '')
export const hostileInput = hostileText.map(asInput)

/** Every free-text field of every answer the simulator gives (see sim/server.js `hostile`). */
export const FIELDS = [
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
export const hostileAnswers = fc.record(
  Object.fromEntries(FIELDS.map((field) => [field, hostileText])) as Record<(typeof FIELDS)[number], typeof hostileText>
)

/** The simulator's options for a hostile API: answers at once, one filler install, a small archive. */
export const hostileOptions = (answers: Record<string, string>) => ({
  requestedMs: 0,
  durationMs: 0,
  archiveMs: 0,
  archiveBytes: 4096,
  installs: defaultInstalls(1),
  hostile: (field: string) => answers[field]
})

/** The inputs each action declares, read from its action.yml. */
export function declaredInputs(file: 'action.yml' | 'restore/action.yml'): string[] {
  const action = YAML.parse(readFileSync(join(ROOT, file), 'utf8')) as { inputs: Record<string, unknown> }
  return Object.keys(action.inputs)
}

/** What the runner got from a step: its log, what else it printed, the summary and the outputs. */
export interface Seen {
  /** The job log, a line a line, as the runner reads it for workflow commands. */
  log: string
  /** The log but for the add-mask commands, which are the one place secrets are meant to appear. */
  visible: string
  /** Anything else a person reads (a process's stderr). */
  other: string[]
  summary: string
  outputs: Record<string, string>
  /** Whether command data is escaped as @actions/core writes it to stdout (%, CR, LF), or as the sink passed it on. */
  escaped: boolean
}

const OWN_COMMANDS = new Set(['add-mask', 'group', 'endgroup', 'warning', 'error', 'notice', 'debug'])
// What the runner renders from a summary the action writes: its own headings, tables, alerts and lists.
// `code` spans only ever hold ids the decoder checked (UUIDs, and their first 8 digits): asserted below.
const SUMMARY_TAGS = new Set(['h2', 'p', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'strong', 'blockquote', 'ul', 'li', 'br', 'code'])

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
/** A command's data as @actions/core writes it. */
const escapeData = (data: string): string => data.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')

/** The invariants every run keeps, however it ends. */
export function expectSafe(seen: Seen, secrets: string[]): void {
  const commands = commandsIn(seen.log)
  for (const command of commands) {
    if (!OWN_COMMANDS.has(command.name))
      throw new Error(`A line the action did not mean as a command is one: ${JSON.stringify(command.line.slice(0, 300))}`)
  }
  // The action masks only the credentials and the download link.
  for (const { name, data } of commands) if (name === 'add-mask') expect(secrets).toContain(seen.escaped ? unescapeData(data) : data)
  for (const secret of secrets) {
    for (const text of [seen.visible, ...seen.other, seen.summary]) expect(text.includes(secret)).toBe(false)
  }
  // One readable line per error, as the runner gets it; a summary GitHub takes; outputs that cannot end early.
  for (const { name, line, data } of commands) {
    const written = seen.escaped ? line : `::${name}::${escapeData(data)}`
    if (name === 'error' || name === 'warning') expect(written.length).toBeLessThan(13_000)
  }
  expect(Buffer.byteLength(seen.summary)).toBeLessThanOrEqual(1024 * 1024)
  for (const value of Object.values(seen.outputs)) expect(value).not.toMatch(/[\r\n]/)
  const rendered = renderGfm(seen.summary)
  for (const tag of rendered.tags)
    if (!SUMMARY_TAGS.has(tag)) throw new Error(`The summary renders <${tag}>: ${rendered.html[1]?.slice(0, 500)}`)
  for (const html of rendered.html) {
    expect(html).not.toMatch(/<[a-z][^>]*\b(href|src)=/i)
    for (const [, id] of html.matchAll(/<code>(.*?)<\/code>/g))
      expect(id).toMatch(/^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$|^[0-9a-f]{8}$/)
  }
}

/** The password and the Basic token made of it (with the user id given as an input, when there is one). */
export function secretsOf(sim: Simulator, userIdInput = ''): string[] {
  const { password } = sim.credentials
  const userId = userIdInput.trim() || sim.credentials.userId
  return [password, basicToken(userId, password)]
}

/** The download link the simulator handed out for the first archive, and its token: secrets too. */
export function linkOf(sim: Simulator): { href?: string; secrets: string[] } {
  const raw = sim.archives()[0]?.download_uri
  const link = raw ? new URL(raw) : undefined
  return { href: link?.href, secrets: link ? [link.href, link.searchParams.get('token') ?? link.href] : [] }
}

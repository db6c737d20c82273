import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { InputError, InputReader } from '../../../src/step/inputs.js'
import type { RunContext } from '../../../src/step/run-context.js'
import { INSTALL } from '../../support/helpers.js'

// The InputReader that the backup and the restore action share: installs, addresses, a backup id,
// credentials and api-url, each checked by the same rule whichever action reads them.

/** What `use` reads of `inputs` (trimmed, as @actions/core gives them); done() throws every problem found. */
function read<T>(inputs: Record<string, string>, use: (reader: InputReader) => T, env: NodeJS.ProcessEnv = {}, context?: RunContext): T {
  const reader = new InputReader((name) => (inputs[name] ?? '').trim(), env, context)
  const value = use(reader)
  reader.done()
  return value
}

function problems(inputs: Record<string, string>, use: (reader: InputReader) => unknown, env: NodeJS.ProcessEnv = {}): string {
  try {
    read(inputs, use, env)
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return (error as InputError).message
  }
  throw new Error('expected an InputError')
}

const installs = (reader: InputReader) => reader.installs()
const emails = (reader: InputReader) => reader.emails(undefined)
const credentials = (reader: InputReader) => reader.credentials()
const apiUrl = (reader: InputReader) => reader.apiUrl()

describe('InputReader', () => {
  describe('install', () => {
    it('takes an ID (any case) as an ID', () => {
      expect(read({ install: INSTALL.id.toUpperCase() }, installs)).toEqual([{ kind: 'id', id: INSTALL.id }])
    })
    it('is required', () => expect(problems({ install: ' ' }, installs)).toContain('install is required'))
    it.each(['MySite', 'my-site', 'ab', '1site', 'abcdefghijklmno', '../users', 'mysite?x=1'])('rejects %j, naming it', (bad) => {
      expect(problems({ install: bad }, installs)).toContain(`install '${bad}' is neither an install name`)
    })
    it('accepts every name the API allows', () => {
      fc.assert(
        fc.property(fc.stringMatching(/^[a-z][a-z0-9]{2,13}$/), (name) =>
          expect(read({ install: name }, installs)).toEqual([{ kind: 'name', name }])
        )
      )
    })
  })

  describe('several installs', () => {
    it('splits on commas, spaces and newlines, keeps the order, and drops repeats', () => {
      expect(read({ install: `shop, blog\n${INSTALL.id.toUpperCase()}  shop,,\n${INSTALL.id}` }, installs)).toEqual([
        { kind: 'name', name: 'shop' },
        { kind: 'name', name: 'blog' },
        { kind: 'id', id: INSTALL.id }
      ])
    })
    it('names every bad one', () => {
      const message = problems({ install: 'shop, My-Blog, x' }, installs)
      expect(message).toContain("install 'My-Blog' is neither")
      expect(message).toContain("install 'x' is neither")
      expect(message).not.toContain("'shop'")
    })
    it('round-trips any list of valid installs, however separated', () => {
      const ref = fc.oneof(
        fc.stringMatching(/^[a-z][a-z0-9]{2,13}$/).map((name) => ({ kind: 'name' as const, name })),
        fc.uuid().map((id) => ({ kind: 'id' as const, id }))
      )
      fc.assert(
        fc.property(
          fc.uniqueArray(ref, { minLength: 1, maxLength: 30, selector: (r) => (r.kind === 'id' ? r.id : r.name) }),
          fc.array(fc.constantFrom(',', ' ', '\n', ', ', ' \n'), { minLength: 30, maxLength: 30 }),
          (refs, separators) => {
            const text = refs.map((r, i) => (r.kind === 'id' ? r.id.toUpperCase() : r.name) + separators[i]).join('')
            expect(read({ install: text }, installs)).toEqual(refs)
          }
        )
      )
    })
  })

  describe('notification-emails', () => {
    it('splits on commas, spaces and newlines, and drops duplicates', () => {
      expect(read({ 'notification-emails': 'a@x.io, b@x.io\nc@x.io  A@X.io,,' }, emails)).toEqual(['a@x.io', 'b@x.io', 'c@x.io'])
    })
    it('names every invalid address', () => {
      const message = problems({ 'notification-emails': 'ok@x.io, nope, also@bad' }, emails)
      expect(message).toContain("notification-emails: 'nope' is not an email address")
      expect(message).toContain("notification-emails: 'also@bad' is not an email address")
    })
    it('refuses an address longer than an address can be, and a list longer than anyone needs', () => {
      const long = `${'a'.repeat(65)}@example.com`
      expect(problems({ 'notification-emails': long }, emails)).toBe(
        `notification-emails: '${long}' is too long for an email address (at most 254 characters, 64 before the @)`
      )
      const many = Array.from({ length: 51 }, (_, n) => `ops${n}@example.com`).join(',')
      expect(problems({ 'notification-emails': many }, emails)).toBe('notification-emails lists 51 addresses; at most 50 are taken')
    })
  })

  describe('backup-id', () => {
    it('must be a UUID', () =>
      expect(problems({ 'backup-id': '123' }, (reader) => reader.backupId(false))).toContain("backup-id '123' is not a backup ID"))

    it('says where the whole ID is when given the 8 digits a summary table shows', () => {
      expect(problems({ 'backup-id': '015c66df' }, (reader) => reader.backupId(false))).toBe(
        "backup-id '015c66df' is not a backup ID (a UUID such as e41fa98f-ea80-4654-b229-a9b765d0863a): it looks like the first 8 characters of one, as the backup step's table of several installs shows them. Copy the whole ID from under that table (Full backup IDs) or from the step's backups output"
      )
    })
  })

  describe('credentials', () => {
    it('fall back to WPENGINE_USER_ID and WPENGINE_PASSWORD', () => {
      const { userId, password } = read({}, credentials, { WPENGINE_USER_ID: 'envuser', WPENGINE_PASSWORD: 'envpw' })
      expect([userId, password]).toEqual(['envuser', 'envpw'])
    })
    it('inputs win over the environment', () => {
      expect(
        read({ 'api-user-id': 'u', 'api-password': 'p' }, credentials, { WPENGINE_USER_ID: 'envuser', WPENGINE_PASSWORD: 'envpw' }).userId
      ).toBe('u')
    })
    it('name what is missing, never the values', () => {
      const message = problems({ 'api-password': 'p' }, credentials)
      expect(message).toContain('Missing WP Engine API credentials: set api-user-id (or WPENGINE_USER_ID)')
      expect(message).not.toContain('api-password (or')
    })
    it("on a fork's pull request, say that GitHub gives it no secrets and how to skip the step", () => {
      const missing = (context: RunContext) => {
        const reader = new InputReader(() => '', {}, context)
        reader.credentials()
        return reader.problems
      }
      expect(missing({ forkPullRequest: true })).toEqual([
        "Missing WP Engine API credentials: this run is for a pull request from a fork, and GitHub gives those no secrets. Skip this step for forks with if: github.event_name != 'pull_request' || github.event.pull_request.head.repo.full_name == github.repository"
      ])
      expect(missing({ pullRequest: 7 })).toEqual([
        'Missing WP Engine API credentials: set api-user-id (or WPENGINE_USER_ID) and api-password (or WPENGINE_PASSWORD), from repository or organization secrets, or from environment secrets, which a job gets only when its environment: names that environment'
      ])
    })
  })

  describe('api-url', () => {
    it.each([
      'http://127.0.0.1:8787/v1',
      'http://localhost:1/v1',
      'http://[::1]:8080/v1',
      'http://127.10.0.3/v1',
      'https://proxy.example.com/wpe/v1'
    ])('accepts %s', (url) => {
      expect(read({ 'api-url': url }, apiUrl).href).toBe(new URL(url).href)
    })
    it.each([
      ['http://api.wpengineapi.com/v1', 'must use https'],
      ['http://10.0.0.1/v1', 'must use https'],
      ['http://127.0.0.1.nip.io/v1', 'must use https'],
      ['ftp://example.com/v1', 'must be an https URL'],
      ['not a url', 'is not a URL'],
      ['https://user:pw@api.example.com/v1', 'must not contain credentials'],
      ['https://api.example.com/v1?x=1', 'must not have a query']
    ])('refuses %s', (url, message) => expect(problems({ 'api-url': url }, apiUrl)).toContain(message))
  })
})

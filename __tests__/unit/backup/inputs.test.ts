import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, sep } from 'node:path'
import { parseInputs, type Settings } from '../../../src/backup/inputs.js'
import { runContextOf } from '../../../src/step/run-context.js'
import { InputError } from '../../../src/step/inputs.js'
import { BACKUP_ID, INSTALL } from '../../support/helpers.js'

const BASE = { install: 'mysite', 'notification-emails': 'ops@example.com', 'api-user-id': 'u', 'api-password': 'p' }

function parse(inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}): Settings {
  return parseInputs((name) => (inputs[name] ?? '').trim(), env)
}

function problems(inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}): string {
  try {
    parse(inputs, env)
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return (error as InputError).message
  }
  throw new Error('expected an InputError')
}

describe('parseInputs', () => {
  it('applies the documented defaults', () => {
    const settings = parse(BASE)
    expect(settings).toMatchObject({
      installs: [{ kind: 'name', name: 'mysite' }],
      maxParallel: 5,
      reuseWithinMs: undefined,
      notificationEmails: ['ops@example.com'],
      description: undefined,
      wait: true,
      timeoutMs: 3_600_000,
      pollIntervalMs: undefined,
      backupId: undefined,
      userId: 'u',
      password: 'p'
    })
    expect(settings.apiUrl.href).toBe('https://api.wpengineapi.com/v1')
  })

  describe('install', () => {
    it('takes an ID (any case) as an ID', () => {
      expect(parse({ ...BASE, install: INSTALL.id.toUpperCase() }).installs).toEqual([{ kind: 'id', id: INSTALL.id }])
    })
    it('is required', () => expect(problems({ ...BASE, install: ' ' })).toContain('install is required'))
    it.each(['MySite', 'my-site', 'ab', '1site', 'abcdefghijklmno', '../users', 'mysite?x=1'])('rejects %j, naming it', (bad) => {
      expect(problems({ ...BASE, install: bad })).toContain(`install '${bad}' is neither an install name`)
    })
    it('accepts every name the API allows', () => {
      fc.assert(
        fc.property(fc.stringMatching(/^[a-z][a-z0-9]{2,13}$/), (name) =>
          expect(parse({ ...BASE, install: name }).installs).toEqual([{ kind: 'name', name }])
        )
      )
    })
  })

  describe('several installs', () => {
    it('splits on commas, spaces and newlines, keeps the order, and drops repeats', () => {
      expect(parse({ ...BASE, install: `shop, blog\n${INSTALL.id.toUpperCase()}  shop,,\n${INSTALL.id}` }).installs).toEqual([
        { kind: 'name', name: 'shop' },
        { kind: 'name', name: 'blog' },
        { kind: 'id', id: INSTALL.id }
      ])
    })
    it('names every bad one', () => {
      const message = problems({ ...BASE, install: 'shop, My-Blog, x' })
      expect(message).toContain("install 'My-Blog' is neither")
      expect(message).toContain("install 'x' is neither")
      expect(message).not.toContain("'shop'")
    })
    it('refuses backup-id with several, saying why', () => {
      expect(problems({ ...BASE, install: 'shop blog', 'backup-id': BACKUP_ID })).toBe(
        'backup-id names one backup of one install, but install lists 2 (shop, blog): give the one install the backup belongs to'
      )
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
            expect(parse({ ...BASE, install: text }).installs).toEqual(refs)
          }
        )
      )
    })
  })

  describe('max-parallel and reuse-within', () => {
    it('reads them', () => {
      expect(parse({ ...BASE, 'max-parallel': '12', 'reuse-within': '30m' })).toMatchObject({ maxParallel: 12, reuseWithinMs: 1_800_000 })
    })
    it.each(['0', '21', '2.5', 'five', '-1'])('rejects max-parallel %j', (bad) => {
      expect(problems({ ...BASE, 'max-parallel': bad })).toBe(`max-parallel '${bad}' is not a whole number from 1 to 20`)
    })
    it.each(['soon', '8d', '200h'])('rejects reuse-within %j', (bad) => {
      expect(problems({ ...BASE, 'reuse-within': bad })).toMatch(new RegExp(`^reuse-within '${bad}' is (not a duration|out of range)`))
    })
  })

  describe('notification-emails', () => {
    it('splits on commas, spaces and newlines, and drops duplicates', () => {
      expect(parse({ ...BASE, 'notification-emails': 'a@x.io, b@x.io\nc@x.io  A@X.io,,' }).notificationEmails).toEqual([
        'a@x.io',
        'b@x.io',
        'c@x.io'
      ])
    })
    it('names every invalid address', () => {
      const message = problems({ ...BASE, 'notification-emails': 'ok@x.io, nope, also@bad' })
      expect(message).toContain("notification-emails: 'nope' is not an email address")
      expect(message).toContain("notification-emails: 'also@bad' is not an email address")
    })
    it('is required when a backup is requested', () => {
      expect(problems({ ...BASE, 'notification-emails': '' })).toContain('notification-emails is required')
    })
    it('is not required with backup-id', () => {
      expect(parse({ ...BASE, 'notification-emails': '', 'backup-id': BACKUP_ID }).notificationEmails).toEqual([])
    })
  })

  describe('wait', () => {
    it.each([
      ['true', true],
      ['TRUE', true],
      ['false', false],
      ['False', false]
    ])('%s', (text, value) => {
      expect(parse({ ...BASE, wait: text }).wait).toBe(value)
    })
    it('rejects anything else', () => expect(problems({ ...BASE, wait: 'yes' })).toContain("wait 'yes' is not true or false"))
  })

  describe('timeout and poll-interval', () => {
    it('parse durations', () => {
      const settings = parse({ ...BASE, timeout: '1h 30m', 'poll-interval': '90s' })
      expect(settings.timeoutMs).toBe(5_400_000)
      expect(settings.pollIntervalMs).toBe(90_000)
      expect(parse({ ...BASE, 'poll-interval': 'auto' }).pollIntervalMs).toBeUndefined()
      expect(parse({ ...BASE, 'poll-interval': ' AUTO ' }).pollIntervalMs).toBeUndefined()
    })
    it.each([
      ['timeout', 'soon', "timeout 'soon' is not a duration"],
      ['timeout', '0s', "timeout '0s' is out of range"],
      ['timeout', '7h', "timeout '7h' is out of range"],
      ['poll-interval', '0s', "poll-interval '0s' is out of range"],
      ['poll-interval', '11m', "poll-interval '11m' is out of range"],
      ['poll-interval', '5 s', "poll-interval '5 s' is not a duration"]
    ])('%s %j is refused', (name, value, message) => expect(problems({ ...BASE, [name]: value })).toContain(message))

    // GitHub's timeout-minutes counts minutes; a bare number here once meant seconds. Neither is guessed.
    it.each(['timeout', 'poll-interval', 'reuse-within'])('a bare number for %s is refused, suggesting both units', (name) => {
      fc.assert(
        fc.property(fc.nat(100_000), (n) => {
          expect(problems({ ...BASE, [name]: String(n) })).toContain(
            `${name} '${n}' has no unit: write ${n}m for ${n} minutes or ${n}s for ${n} seconds`
          )
        }),
        { numRuns: 50 }
      )
    })
  })

  describe('backup-id', () => {
    it('must be a UUID', () => expect(problems({ ...BASE, 'backup-id': '123' })).toContain("backup-id '123' is not a backup ID"))
  })

  describe('credentials', () => {
    it('fall back to WPENGINE_USER_ID and WPENGINE_PASSWORD', () => {
      const settings = parse(
        { install: 'mysite', 'notification-emails': 'a@x.io' },
        { WPENGINE_USER_ID: 'envuser', WPENGINE_PASSWORD: 'envpw' }
      )
      expect([settings.userId, settings.password]).toEqual(['envuser', 'envpw'])
    })
    it('inputs win over the environment', () => {
      expect(parse(BASE, { WPENGINE_USER_ID: 'envuser', WPENGINE_PASSWORD: 'envpw' }).userId).toBe('u')
    })
    it('name what is missing, never the values', () => {
      const message = problems({ install: 'mysite', 'notification-emails': 'a@x.io', 'api-password': 'p' })
      expect(message).toContain('Missing WP Engine API credentials: set api-user-id (or WPENGINE_USER_ID)')
      expect(message).not.toContain('api-password (or')
    })
    it("on a fork's pull request, say that GitHub gives it no secrets and how to skip the step", () => {
      const read = (context: Parameters<typeof parseInputs>[2]) => {
        try {
          parseInputs((name) => ({ install: 'mysite', 'notification-emails': 'a@x.io' })[name] ?? '', {}, context)
        } catch (error) {
          return (error as InputError).problems
        }
        throw new Error('expected an InputError')
      }
      expect(read({ forkPullRequest: true })).toEqual([
        "Missing WP Engine API credentials: this run is for a pull request from a fork, and GitHub gives those no secrets. Skip this step for forks with if: github.event_name != 'pull_request' || github.event.pull_request.head.repo.full_name == github.repository"
      ])
      expect(read({ pullRequest: 7 })).toEqual([
        'Missing WP Engine API credentials: set api-user-id (or WPENGINE_USER_ID) and api-password (or WPENGINE_PASSWORD), from repository or organization secrets, or from environment secrets, which a job gets only when its environment: names that environment'
      ])
    })
  })

  describe('dry-run', () => {
    it('is off by default, and true or false', () => {
      expect(parse(BASE).dryRun).toBe(false)
      expect(parse({ ...BASE, 'dry-run': 'TRUE' }).dryRun).toBe(true)
      expect(problems({ ...BASE, 'dry-run': 'yes' })).toBe("dry-run 'yes' is not true or false")
    })
    it('is refused whatever a real run would refuse, all at once', () => {
      expect(problems({ install: 'My-Site', 'dry-run': 'true', timeout: '45', 'api-user-id': 'u', 'api-password': 'p' })).toBe(
        "install 'My-Site' is neither an install name (3 to 14 lowercase letters and digits, starting with a letter) nor an install ID (a UUID); notification-emails is required to request a backup: WP Engine emails these addresses when the backup completes; timeout '45' has no unit: write 45m for 45 minutes or 45s for 45 seconds"
      )
      expect(parse({ ...BASE, 'dry-run': 'true', 'notification-emails': '', 'backup-id': BACKUP_ID }).dryRun).toBe(true)
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
      expect(parse({ ...BASE, 'api-url': url }).apiUrl.href).toBe(new URL(url).href)
    })
    it.each([
      ['http://api.wpengineapi.com/v1', 'must use https'],
      ['http://10.0.0.1/v1', 'must use https'],
      ['http://127.0.0.1.nip.io/v1', 'must use https'],
      ['ftp://example.com/v1', 'must be an https URL'],
      ['not a url', 'is not a URL'],
      ['https://user:pw@api.example.com/v1', 'must not contain credentials'],
      ['https://api.example.com/v1?x=1', 'must not have a query']
    ])('refuses %s', (url, message) => expect(problems({ ...BASE, 'api-url': url })).toContain(message))
    it('does not echo credentials embedded in the URL', () => {
      expect(problems({ ...BASE, 'api-url': 'https://user:hunter2@api.example.com/v1' })).not.toContain('hunter2')
    })
  })

  it('reports every problem at once', () => {
    const error = (() => {
      try {
        parse({ install: '', wait: 'maybe', timeout: 'x' })
      } catch (e) {
        return e as InputError
      }
      throw new Error('expected an error')
    })()
    expect(error.problems).toHaveLength(5)
  })
})

describe('archive and archive-path', () => {
  const workspace = mkdtempSync(join(tmpdir(), 'wpe-inputs-'))
  writeFileSync(join(workspace, 'notes.txt'), 'x')
  afterAll(() => rmSync(workspace, { recursive: true, force: true }))
  const env = { GITHUB_WORKSPACE: workspace }

  it('archive-path implies archive, is resolved against the workspace, and is a directory when it ends in a slash or names one', () => {
    expect(parse({ ...BASE, 'archive-path': 'site.zip' }, env)).toMatchObject({
      archive: true,
      archivePath: { path: join(workspace, 'site.zip'), isDirectory: false }
    })
    expect(parse({ ...BASE, 'archive-path': 'copies/' }, env).archivePath).toEqual({
      path: join(workspace, 'copies') + sep,
      isDirectory: true
    })
    expect(parse({ ...BASE, 'archive-path': '.' }, env).archivePath).toEqual({ path: workspace, isDirectory: true })
    expect(parse({ ...BASE, archive: 'true' }, env)).toMatchObject({ archive: true, archivePath: undefined })
  })

  it('takes several installs: their zips always go in a directory', () => {
    expect(parse({ ...BASE, install: 'mysite blog', 'archive-path': 'copies' }, env)).toMatchObject({
      installs: [
        { kind: 'name', name: 'mysite' },
        { kind: 'name', name: 'blog' }
      ],
      archive: true,
      archivePath: { path: join(workspace, 'copies') + sep, isDirectory: true }
    })
  })

  it('refuses a path that cannot hold the zips, before anything is sent', () => {
    expect(problems({ ...BASE, install: 'mysite blog', 'archive-path': 'notes.txt' }, env)).toBe(
      "archive-path 'notes.txt' is a file, but with 2 installs it must be a directory: each install's zip goes in it as <install>-<backup id>.zip"
    )
    expect(problems({ ...BASE, 'archive-path': 'notes.txt/copies/site.zip' }, env)).toBe(
      `archive-path 'notes.txt/copies/site.zip' cannot be made: ${join(workspace, 'notes.txt')} is a file, not a directory`
    )
    // One install may overwrite a file it names.
    expect(parse({ ...BASE, 'archive-path': 'notes.txt' }, env).archivePath).toEqual({
      path: join(workspace, 'notes.txt'),
      isDirectory: false
    })
  })

  it('needs wait: true', () => {
    expect(problems({ ...BASE, archive: 'true', wait: 'false' }, env)).toBe(
      'archive needs wait: true: an archive can only be made of a completed backup'
    )
  })
})

describe('archive-recipients', () => {
  const workspace = mkdtempSync(join(tmpdir(), 'wpe-inputs-'))
  afterAll(() => rmSync(workspace, { recursive: true, force: true }))
  const env = { GITHUB_WORKSPACE: workspace }
  const ONE = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p'
  const TWO = 'age1lggyhqrw2nlhcxprm67z43rta597azn8gknawjehu9d9dl0jq3yqqvfafg'

  it('takes age recipients from a multi-line secret or a comma list; none by default', () => {
    expect(parse({ ...BASE, 'archive-path': 'site.zip' }, env).archiveRecipients).toEqual([])
    expect(
      parse({ ...BASE, 'archive-path': 'site.zip', 'archive-recipients': `# offline key\n${ONE}\n${TWO}\n` }, env).archiveRecipients
    ).toEqual([ONE, TWO])
    expect(parse({ ...BASE, 'archive-path': 'site.zip', 'archive-recipients': `${ONE}, ${TWO}` }, env).archiveRecipients).toEqual([
      ONE,
      TWO
    ])
  })

  it('refuses what is not an age recipient, and recipients without archive-path, all at once', () => {
    expect(problems({ ...BASE, 'archive-recipients': `${ONE}\nage1nope`, 'max-parallel': '0' }, env)).toBe(
      [
        "max-parallel '0' is not a whole number from 1 to 20",
        `archive-recipients: 'age1nope' is not an age recipient: give a public key such as ${ONE} (age-keygen prints one)`,
        'archive-recipients needs archive-path: the encrypted copy is written there (with archive alone, nothing is downloaded)'
      ].join('; ')
    )
  })

  it('checks the name the encrypted copy is written to: <archive-path>.age', () => {
    mkdirSync(join(workspace, 'site.zip.age.part'))
    expect(problems({ ...BASE, 'archive-path': 'site.zip', 'archive-recipients': ONE }, env)).toBe(
      "archive-path 'site.zip' cannot be downloaded to: site.zip.age.part, where the download goes first, is a directory"
    )
    expect(parse({ ...BASE, 'archive-path': 'site.zip' }, env).archivePath).toBeDefined()
  })
})

describe('archive-path, checked before anything is sent', () => {
  let workspace: string
  beforeAll(() => {
    workspace = mkdtempSync(join(tmpdir(), 'wpe-inputs-'))
    writeFileSync(join(workspace, 'a-file'), '')
    mkdirSync(join(workspace, 'site.zip.part'))
  })
  afterAll(() => rmSync(workspace, { recursive: true, force: true }))
  const env = () => ({ GITHUB_WORKSPACE: workspace })

  it.each([
    ['out/\n::add-mask::x', "archive-path 'out/ : :add-mask: :x' contains a line break or another invisible character"],
    ['a-file/site.zip', "archive-path 'a-file/site.zip' cannot be made: WORKSPACE/a-file is a file, not a directory"],
    ['a-file/deeper/site.zip', "archive-path 'a-file/deeper/site.zip' cannot be made: WORKSPACE/a-file is a file, not a directory"],
    [`${'x'.repeat(251)}.zip`, `archive-path '${'x'.repeat(79)}…' has a file name longer than 250 bytes, too long to download to`],
    ['site.zip', "archive-path 'site.zip' cannot be downloaded to: site.zip.part, where the download goes first, is a directory"]
  ])('%j is refused, naming the input and the value', (path, problem) => {
    expect(problems({ ...BASE, 'archive-path': path }, env())).toBe(problem.replace('WORKSPACE', workspace))
  })

  it.each(['backups/', 'backups/nested/site.zip', 'a-file', '.', 'new/'])('%j is taken', (path) => {
    expect(parse({ ...BASE, 'archive-path': path }, env()).archivePath).toBeDefined()
  })
})

describe('notification-emails sizes', () => {
  it('refuses an address longer than an address can be, and a list longer than anyone needs', () => {
    const long = `${'a'.repeat(65)}@example.com`
    expect(problems({ ...BASE, 'notification-emails': long })).toBe(
      `notification-emails: '${long}' is too long for an email address (at most 254 characters, 64 before the @)`
    )
    const many = Array.from({ length: 51 }, (_, n) => `ops${n}@example.com`).join(',')
    expect(problems({ ...BASE, 'notification-emails': many })).toBe('notification-emails lists 51 addresses; at most 50 are taken')
  })
})

describe('description', () => {
  it('is sent as one log-safe line', () => {
    expect(parse({ ...BASE, description: 'Deploy\n::stop-commands::x\r\n##[add-mask]y' }).description).toBe(
      'Deploy : :stop-commands: :x # #[add-mask]y'
    )
  })
})

describe('runContextOf: a pull request from a fork', () => {
  const pullRequest = (head: string | null, base = 'acme/shop') => ({
    number: 7,
    head: { repo: head === null ? null : { full_name: head } },
    base: { repo: { full_name: base } }
  })
  const contextOf = (eventName: string, pull_request?: unknown) =>
    runContextOf({ eventName, payload: pull_request ? { pull_request } : {}, repo: { owner: 'acme', repo: 'shop' } } as never)

  it.each([
    ['pull_request', pullRequest('someone/shop'), true],
    ['pull_request_review', pullRequest('someone/shop'), true],
    // The fork was deleted: its pull request still has no secrets.
    ['pull_request', pullRequest(null), true],
    ['pull_request', pullRequest('acme/shop'), undefined],
    // pull_request_target runs in the base repository, with its secrets.
    ['pull_request_target', pullRequest('someone/shop'), undefined],
    ['push', undefined, undefined]
  ])('%s from %j: forkPullRequest %s', (event, pr, fork) => {
    expect(contextOf(event, pr).forkPullRequest).toBe(fork)
  })
})

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, sep } from 'node:path'
import { parseInputs, type Settings } from '../../../src/backup/inputs.js'
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

  describe('several installs', () => {
    it('refuses backup-id with several, saying why', () => {
      expect(problems({ ...BASE, install: 'shop blog', 'backup-id': BACKUP_ID })).toBe(
        'backup-id names one backup of one install, but install lists 2 (shop, blog): give the one install the backup belongs to'
      )
    })
  })

  describe('install rules: patterns, exclude, environment and shard', () => {
    it('takes patterns of names beside names and IDs, in the order given', () => {
      expect(parse({ ...BASE, install: `*dev, blog1\nshop?, ${INSTALL.id}, *` }).installs).toEqual([
        { kind: 'pattern', pattern: '*dev' },
        { kind: 'name', name: 'blog1' },
        { kind: 'pattern', pattern: 'shop?' },
        { kind: 'id', id: INSTALL.id },
        { kind: 'pattern', pattern: '*' }
      ])
    })
    it('refuses a pattern no install name could be written in, naming it', () => {
      expect(problems({ ...BASE, install: 'Shop*, shop-*' })).toBe(
        "install 'Shop*' is neither an install name (3 to 14 lowercase letters and digits, starting with a letter), an install ID (a UUID), nor a pattern of names (lowercase letters, digits, * and ?, e.g. shop*); " +
          "install 'shop-*' is neither an install name (3 to 14 lowercase letters and digits, starting with a letter), an install ID (a UUID), nor a pattern of names (lowercase letters, digits, * and ?, e.g. shop*)"
      )
    })
    it('exclude takes the same, and is optional', () => {
      expect(parse(BASE).exclude).toEqual([])
      expect(parse({ ...BASE, install: '*', exclude: `old*, retired1 ${INSTALL.id}` }).exclude).toEqual([
        { kind: 'pattern', pattern: 'old*' },
        { kind: 'name', name: 'retired1' },
        { kind: 'id', id: INSTALL.id }
      ])
      expect(problems({ ...BASE, exclude: 'old_site' })).toContain("exclude 'old_site' is neither")
    })
    it('environment takes one or more of production, staging and development, in any case', () => {
      expect(parse(BASE).environments).toEqual([])
      expect(parse({ ...BASE, environment: 'Production, staging production' }).environments).toEqual(['production', 'staging'])
      expect(problems({ ...BASE, environment: 'prod, live' })).toBe(
        "environment 'prod' is not one of production, staging, development; environment 'live' is not one of production, staging, development"
      )
    })
    it('shard is K/N, N at most 256 (a matrix has no more jobs)', () => {
      expect(parse(BASE).shard).toBeUndefined()
      expect(parse({ ...BASE, shard: '2/4' }).shard).toEqual({ index: 2, count: 4 })
      expect(parse({ ...BASE, shard: ' 1 / 1 ' }).shard).toEqual({ index: 1, count: 1 })
      expect(problems({ ...BASE, shard: '2' })).toBe(
        "shard '2' is not K/N: write e.g. 2/4 for the second of four jobs (${{ matrix.shard }}/4)"
      )
      for (const bad of ['0/4', '5/4', '1/0', '1/257'])
        expect(problems({ ...BASE, shard: bad })).toBe(
          `shard '${bad}' is out of range: N must be from 1 to 256 (a matrix's most jobs), and K from 1 to N`
        )
    })
    it('refuses backup-id with a rule, naming the rules', () => {
      expect(problems({ ...BASE, install: 'shop*', environment: 'staging', shard: '1/2', 'backup-id': BACKUP_ID })).toBe(
        'backup-id names one backup of one install, so it cannot go with a pattern in install (shop*), environment and shard: give the one install the backup belongs to, alone'
      )
    })
  })

  describe('max-age', () => {
    it('is off by default, and a duration from a minute to 31 days', () => {
      expect(parse(BASE).maxAgeMs).toBeUndefined()
      expect(parse({ ...BASE, 'max-age': '26h' }).maxAgeMs).toBe(26 * 3_600_000)
      expect(problems({ ...BASE, 'max-age': '30s' })).toBe("max-age '30s' is out of range: it must be between 1m and 744h")
      expect(problems({ ...BASE, 'max-age': '26' })).toBe("max-age '26' has no unit: write 26m for 26 minutes or 26s for 26 seconds")
    })
    it('needs wait: true, since a backup not waited for is not completed', () => {
      expect(problems({ ...BASE, 'max-age': '26h', wait: 'false' })).toBe(
        'max-age needs wait: true: a backup that is not waited for is not completed when the step ends'
      )
    })
    it('refuses a reuse-within longer than itself, which could reuse a backup already too old', () => {
      expect(parse({ ...BASE, 'max-age': '26h', 'reuse-within': '20h' })).toMatchObject({
        maxAgeMs: 26 * 3_600_000,
        reuseWithinMs: 20 * 3_600_000
      })
      expect(problems({ ...BASE, 'max-age': '26h', 'reuse-within': '30h' })).toBe(
        'reuse-within (30h) is longer than max-age (26h): a backup it reuses could already be older than max-age allows. Make reuse-within shorter, leaving time for the step itself (e.g. reuse-within: 20h with max-age: 26h)'
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

  describe('dry-run', () => {
    it('is off by default, and true or false', () => {
      expect(parse(BASE).dryRun).toBe(false)
      expect(parse({ ...BASE, 'dry-run': 'TRUE' }).dryRun).toBe(true)
      expect(problems({ ...BASE, 'dry-run': 'yes' })).toBe("dry-run 'yes' is not true or false")
    })
    it('is refused whatever a real run would refuse, all at once', () => {
      expect(problems({ install: 'My-Site', 'dry-run': 'true', timeout: '45', 'api-user-id': 'u', 'api-password': 'p' })).toBe(
        "install 'My-Site' is neither an install name (3 to 14 lowercase letters and digits, starting with a letter), an install ID (a UUID), nor a pattern of names (lowercase letters, digits, * and ?, e.g. shop*); notification-emails is required to request a backup: WP Engine emails these addresses when the backup completes; timeout '45' has no unit: write 45m for 45 minutes or 45s for 45 seconds"
      )
      expect(parse({ ...BASE, 'dry-run': 'true', 'notification-emails': '', 'backup-id': BACKUP_ID }).dryRun).toBe(true)
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

  it('a pattern may choose several: the zips go in a directory, and a file in the way is refused', () => {
    expect(parse({ ...BASE, install: 'shop*', 'archive-path': 'copies' }, env).archivePath).toEqual({
      path: join(workspace, 'copies') + sep,
      isDirectory: true
    })
    expect(problems({ ...BASE, install: 'mysite', environment: 'production', 'archive-path': 'notes.txt' }, env)).toBe(
      "archive-path 'notes.txt' is a file, but with installs chosen by rule (environment) it must be a directory: each install's zip goes in it as <install>-<backup id>.zip"
    )
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

describe('description', () => {
  it('is sent as one log-safe line', () => {
    expect(parse({ ...BASE, description: 'Deploy\n::stop-commands::x\r\n##[add-mask]y' }).description).toBe(
      'Deploy : :stop-commands: :x # #[add-mask]y'
    )
  })
})

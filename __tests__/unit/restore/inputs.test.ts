import { describe, expect, it } from '@jest/globals'
import { parseRestoreInputs, siteUrl, shownUrl, type RestoreSettings } from '../../../src/restore/inputs.js'
import { InputError } from '../../../src/step/inputs.js'
import { BACKUP_ID, INSTALL, RUN_CONTEXT, STAGING } from '../../support/helpers.js'

const BASE = {
  install: 'mysite',
  'backup-id': BACKUP_ID,
  'notification-emails': 'ops@example.com',
  'api-user-id': 'u',
  'api-password': 'p'
}
const OTHER_BACKUP = '0badc0de-0000-4000-8000-000000000001'

function parse(inputs: Record<string, string>, context = RUN_CONTEXT): RestoreSettings {
  return parseRestoreInputs((name) => (inputs[name] ?? '').trim(), {}, context)
}

function problems(inputs: Record<string, string>, context = RUN_CONTEXT): string[] {
  try {
    parse(inputs, context)
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return (error as InputError).problems
  }
  throw new Error('expected an InputError')
}

/** The backup step's backups output, as it writes it. */
const entry = (name: string, id: string, backupId: string, status = 'completed') => ({
  'install-id': id,
  'install-name': name,
  'backup-id': backupId,
  status,
  'create-time': '',
  'complete-time': '',
  'wordpress-version': '',
  reused: false
})

describe('parseRestoreInputs', () => {
  it('applies the documented defaults', () => {
    expect(parse(BASE)).toMatchObject({
      targets: [{ ref: { kind: 'name', name: 'mysite' }, choice: { kind: 'id', id: BACKUP_ID } }],
      restoreDatabase: true,
      createCheckpoint: true,
      purgeCache: undefined,
      verify: undefined,
      maxParallel: 5,
      dryRun: false
    })
  })

  describe('backup-id', () => {
    it('takes latest and this-run, for one install or several', () => {
      expect(parse({ ...BASE, 'backup-id': 'Latest' }).targets.map((t) => t.choice)).toEqual([{ kind: 'latest' }])
      expect(parse({ ...BASE, install: 'mysite, shop', 'backup-id': 'this-run' }).targets).toEqual([
        { ref: { kind: 'name', name: 'mysite' }, choice: { kind: 'this-run' } },
        { ref: { kind: 'name', name: 'shop' }, choice: { kind: 'this-run' } }
      ])
    })

    it('refuses an ID with several installs, and this-run outside a workflow run', () => {
      expect(problems({ ...BASE, install: 'mysite shop' })).toEqual([
        "backup-id names one backup of one install, but install lists 2 (mysite, shop): give backup-id latest or this-run, or the backup step's backups output as backups, to restore several"
      ])
      expect(problems({ ...BASE, 'backup-id': 'this-run' }, {})).toEqual([
        "backup-id this-run needs the workflow run's ID (GITHUB_RUN_ID) to find the backup by the tag in its description, and this environment has none: it works in a GitHub Actions run"
      ])
    })

    it('names the words it takes when given something else', () => {
      expect(problems({ ...BASE, 'backup-id': 'newest' })).toEqual([
        "backup-id 'newest' is not a backup ID (a UUID such as e41fa98f-ea80-4654-b229-a9b765d0863a), or latest or this-run"
      ])
    })
  })

  describe('backups', () => {
    const backups = (value: unknown) => ({ ...BASE, install: '', 'backup-id': '', backups: JSON.stringify(value) })

    it("takes the backup step's output as it is: each install by name, its ID to check, its own backup", () => {
      const settings = parse(backups([entry('mysite', INSTALL.id, BACKUP_ID), entry('mysitestaging', STAGING.id, OTHER_BACKUP)]))
      expect(settings.targets).toEqual([
        { ref: { kind: 'name', name: 'mysite' }, installId: INSTALL.id, choice: { kind: 'backups', id: BACKUP_ID } },
        { ref: { kind: 'name', name: 'mysitestaging' }, installId: STAGING.id, choice: { kind: 'backups', id: OTHER_BACKUP } }
      ])
    })

    it('skips an install the backup step gave no restore point, saying why', () => {
      const settings = parse(backups([entry('mysite', INSTALL.id, BACKUP_ID, 'aborted'), entry('shop', '', '', '')]))
      expect(settings.targets.map((t) => t.skip)).toEqual([
        `its backup ${BACKUP_ID} was aborted, so there is no restore point`,
        'the backup step got no backup of it, so there is no restore point'
      ])
    })

    it.each([
      [
        'not JSON',
        '[{',
        ["backups '[{' is not JSON: give the backup step's backups output as it is, e.g. backups: ${{ steps.backup.outputs.backups }}"]
      ],
      [
        'an object',
        '{}',
        [
          "backups is an object, not a list of installs: give the backup step's backups output as it is, e.g. backups: ${{ steps.backup.outputs.backups }}"
        ]
      ],
      ['empty', '[]', ['backups lists no installs: the backup step backed up none, so there is nothing to restore']],
      [
        "a dry run's output",
        JSON.stringify([{ 'install-name': 'mysite', found: true }]),
        [
          "backups[0] has no backup-id: give the backup step's backups output as it is, e.g. backups: ${{ steps.backup.outputs.backups }} (a dry run's output has none)"
        ]
      ],
      [
        'odd values',
        JSON.stringify([{ 'install-id': 7, 'install-name': 'My Site', 'backup-id': 'x' }]),
        [
          'backups[0] install-id a number is not an install ID (a UUID)',
          "backups[0] install-name 'My Site' is not an install name",
          "backups[0] backup-id 'x' is not a backup ID (a UUID)"
        ]
      ],
      [
        'an install twice',
        JSON.stringify([entry('mysite', INSTALL.id, BACKUP_ID), entry('mysite', INSTALL.id, OTHER_BACKUP)]),
        ['backups[1] names mysite again: each install is restored once, from one backup']
      ]
    ])('refuses %s, naming the entry and value', (_what, text, expected) => {
      expect(problems({ ...BASE, install: '', 'backup-id': '', backups: text })).toEqual(expected)
    })

    it('names the first ten bad entries and counts the rest', () => {
      const found = problems(backups(Array.from({ length: 25 }, () => 'x')))
      expect(found).toHaveLength(11)
      expect(found.at(-1)).toBe('and 15 more problems with entries of backups')
    })

    it('goes without install and backup-id', () => {
      expect(problems({ ...backups([entry('mysite', INSTALL.id, BACKUP_ID)]), install: 'mysite', 'backup-id': 'latest' })).toEqual([
        'backups gives each install its own backup, so install and backup-id must be left out (or backups, to restore one install)'
      ])
    })
  })

  describe('purge-cache', () => {
    it.each([
      ['', undefined],
      ['false', undefined],
      ['true', 'all'],
      ['Page', 'page'],
      ['object', 'object'],
      ['cdn', 'cdn']
    ])('%j purges %j', (text, type) => expect(parse({ ...BASE, 'purge-cache': text }).purgeCache).toBe(type))

    it('refuses anything else', () => {
      expect(problems({ ...BASE, 'purge-cache': 'everything' })).toEqual([
        "purge-cache 'everything' is not true, false, or a cache to purge (all, page, object, cdn)"
      ])
    })
  })

  describe('verify-url, verify-text and verify-timeout', () => {
    it('reads the site to check, what it must hold and for how long', () => {
      expect(
        parse({ ...BASE, 'verify-url': 'https://mysite.com/health?key=1', 'verify-text': 'OK', 'verify-timeout': '5m' }).verify
      ).toEqual({
        url: 'https://mysite.com/health?key=1',
        text: 'OK',
        timeoutMs: 300_000
      })
      expect(parse({ ...BASE, 'verify-url': 'http://mysite.com' }).verify?.timeoutMs).toBe(600_000)
    })

    it("puts each install's name for {install}, and shows no query", () => {
      const verify = { url: 'https://{install}.wpengine.com/?token=s3cret', timeoutMs: 1 }
      expect(siteUrl(verify, 'shop').href).toBe('https://shop.wpengine.com/?token=s3cret')
      expect(shownUrl(siteUrl(verify, 'shop'))).toBe('https://shop.wpengine.com/?…')
    })

    it.each([
      ['mysite.com', "verify-url 'mysite.com' is not a URL"],
      ['ftp://mysite.com/', "verify-url 'ftp://mysite.com/' must be an http or https URL"],
      [
        'https://admin:pw@mysite.com/',
        "verify-url 'https://admin:pw@mysite.com/' must not contain credentials: the site is checked as a visitor sees it, and no credentials are sent with it"
      ],
      ['https://mysite.com/\u202e', "verify-url 'https://mysite.com/' contains a space, a line break or another invisible character"]
    ])('refuses %j', (url, problem) => expect(problems({ ...BASE, 'verify-url': url })).toEqual([problem]))

    it('with several installs, needs {install}', () => {
      expect(problems({ ...BASE, install: 'mysite shop', 'backup-id': 'latest', 'verify-url': 'https://mysite.com/' })).toEqual([
        "verify-url 'https://mysite.com/' names one site, but 2 installs are restored: put {install} where each install's name goes, e.g. https://{install}.wpengine.com/"
      ])
    })

    it('refuses verify-text without verify-url, a text too long, and a timeout out of range', () => {
      expect(problems({ ...BASE, 'verify-text': 'OK', 'verify-timeout': '2h' })).toEqual([
        "verify-timeout '2h' is out of range: it must be between 10s and 1h",
        'verify-text needs verify-url: the address of the page that must hold it'
      ])
      expect(problems({ ...BASE, 'verify-url': 'https://mysite.com', 'verify-text': 'x'.repeat(501) })).toEqual([
        'verify-text is 501 characters long; at most 500 are taken'
      ])
    })
  })

  it('names every problem at once', () => {
    expect(problems({ install: '', 'notification-emails': 'nope', 'purge-cache': 'x', 'max-parallel': '0' }, {})).toEqual([
      "install is required: the install's name (e.g. mysite) or its ID (a UUID), or several with backup-id latest or this-run; or backups, the backup step's backups output",
      "notification-emails: 'nope' is not an email address",
      "purge-cache 'x' is not true, false, or a cache to purge (all, page, object, cdn)",
      "max-parallel '0' is not a whole number from 1 to 20",
      'Missing WP Engine API credentials: set api-user-id (or WPENGINE_USER_ID) and api-password (or WPENGINE_PASSWORD), from repository or organization secrets, or from environment secrets, which a job gets only when its environment: names that environment'
    ])
  })
})

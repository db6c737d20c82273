import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { EventEmitter } from 'node:events'
import { renderGfm } from '../support/gfm.js'
import { useSites } from '../support/site.js'
import { BACKUP_ID, INSTALL, STAGING, type RecordingCore } from '../support/helpers.js'
import { credentialsOf, expectNoCredentialsIn } from '../support/sim-helpers.js'
import { useStepBed } from '../support/step.js'

// The restore action, for a failed deploy: runRestore in process against the simulator on a fake clock.

const setup = useStepBed()
type Bed = Awaited<ReturnType<typeof setup>>

/** The restore step for mysite, with one notification address; no credential shows in its log. */
async function restore(bed: Bed, inputs: Record<string, string>): Promise<RecordingCore> {
  const { core } = await bed.restore({ 'notification-emails': 'ops@example.com', ...inputs })
  expectNoCredentialsIn([core.visibleText], credentialsOf(bed.sim))
  return core
}

describe('restore: for a failed deploy', () => {
  it('restores from a completed backup of the install: accepted, with the options sent', async () => {
    const bed = await setup()
    const s = bed.sim
    const done = s.seedBackup({ installId: INSTALL.id, ageMs: 60_000 })
    const core = await restore(bed, { 'backup-id': done.id, 'create-checkpoint': 'false' })
    expect(core.failed).toBeUndefined()
    expect(s.restores()).toEqual([
      expect.objectContaining({
        installId: INSTALL.id,
        backupId: done.id,
        body: { notification_emails: ['ops@example.com'], restore_database: true, create_checkpoint: false }
      })
    ])
    expect(core.outputs).toMatchObject({ accepted: 'true', 'install-id': INSTALL.id, 'install-name': 'mysite', 'backup-id': done.id })
    expect(core.outputs['accepted-at']).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(core.text).toContain(`✅ WP Engine accepted the restore of mysite from backup ${done.id}.`)
    // Accepted is what is known: the API gives no restore status, so nothing says "restored".
    expect(core.summaries[0]).toContain('## ✅ WP Engine accepted the restore of mysite')
    expect(core.summaries[0]).toContain('| Restores | files and database |')
    expect(core.summaries[0]).toContain('| Checkpoint first | no |')
    expect(core.summaries[0]).toMatch(/\| Accepted \| \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \|/)
    expect(core.summaries[0]).not.toMatch(/restored/i)
  })

  it('refuses an aborted backup, sending no restore', async () => {
    const bed = await setup()
    const aborted = bed.sim.seedBackup({ installId: INSTALL.id, ageMs: 60_000, outcome: 'aborted' })
    const core = await restore(bed, { 'backup-id': aborted.id })
    expect(core.failed).toBeDefined()
    expect(core.text).toContain(
      `::error::Backup ${aborted.id} of install mysite was aborted, so it holds no restore point; nothing was restored.`
    )
    expect(bed.sim.requests.filter((r) => r.path.endsWith('/restore'))).toHaveLength(0)
  })

  it('refuses a backup that is not finished', async () => {
    const bed = await setup({ durationMs: 60_000 })
    const running = bed.sim.seedBackup({ installId: INSTALL.id, ageMs: 1_000 })
    const core = await restore(bed, { 'backup-id': running.id })
    expect(core.failed).toBeDefined()
    expect(core.text).toContain(
      `::error::Backup ${running.id} of install mysite is in_progress, not completed; nothing was restored. Wait for it first`
    )
    expect(bed.sim.restores()).toHaveLength(0)
  })

  it('refuses a backup of another install', async () => {
    const bed = await setup()
    const staging = bed.sim.seedBackup({ installId: STAGING.id, ageMs: 60_000 })
    const core = await restore(bed, { 'backup-id': staging.id })
    expect(core.failed).toBeDefined()
    expect(core.text).toContain(
      `::error::Backup ${staging.id} was not found on install mysite. Check backup-id, and that the backup belongs to this install.`
    )
    expect(bed.sim.requests.filter((r) => r.path.endsWith('/restore'))).toHaveLength(0)
  })

  it('a lost answer is not resent: it says to check before restoring again', async () => {
    const bed = await setup()
    const done = bed.sim.seedBackup({ installId: INSTALL.id, ageMs: 60_000 })
    bed.sim.fault({ method: 'POST', path: /\/restore$/, type: '502' })
    const core = await restore(bed, { 'backup-id': done.id })
    expect(core.failed).toBeDefined()
    expect(bed.sim.requests.filter((r) => r.path.endsWith('/restore'))).toHaveLength(1)
    expect(core.text).toContain('a second request would restore it twice')
  })

  it('bad input: every problem named, nothing sent', async () => {
    const bed = await setup()
    const core = await restore(bed, { install: 'mysite blog', 'backup-id': '015c66df', 'restore-database': 'maybe' })
    expect(core.failed).toMatch(
      /^Invalid input: backup-id '015c66df' is not a backup ID .*; backup-id names one backup of one install, but install lists 2/
    )
    expect(core.failed).toContain("restore-database 'maybe' is not true or false")
    expect(core.summaries[0]).toContain('Nothing was sent to WP Engine.')
    expect(bed.sim.requests).toHaveLength(0)
  })

  it('cancelled before the install is found: its outputs still carry the install and backup the inputs gave', async () => {
    const signals = new EventEmitter()
    // The install's GET never answers; the runner cancels the step meanwhile.
    const bed = await setup({ log: (line) => void (line.endsWith('fault: hang') && signals.emit('SIGTERM')) })
    bed.sim.fault({ method: 'GET', path: `/installs/${INSTALL.id}`, type: 'hang' })
    const { core } = await bed.restore(
      { install: INSTALL.id, 'backup-id': BACKUP_ID, 'notification-emails': 'ops@example.com' },
      { signals }
    )
    expect(core.failed).toBe(`The step was cancelled before the restore of ${INSTALL.id} was requested: nothing was restored.`)
    expect(core.outputs).toMatchObject({ accepted: 'false', 'install-id': INSTALL.id, 'install-name': '', 'backup-id': BACKUP_ID })
    expect(JSON.parse(core.outputs.restores ?? '')).toEqual([
      expect.objectContaining({ 'install-id': INSTALL.id, 'backup-id': BACKUP_ID, outcome: 'cancelled', accepted: false })
    ])
    expect(core.summaries[0]).toContain('## ⚠️ WP Engine restore of')
    expect(bed.sim.restores()).toEqual([])
  })
})

describe('restore: hostile text in its inputs', () => {
  const freshSite = useSites()
  // What attacks a log, a runner or a Markdown renderer.
  const PIECES = [
    '\n',
    '\r',
    '::',
    '::error::x',
    '##[add-mask]',
    '%0A',
    '\u001b[31m',
    '\u202e',
    '[x](https://evil.example/a)',
    '![i](https://evil.example/i.png)',
    '<img src=x>',
    'https://evil.example',
    '|',
    '`',
    '**',
    '# ',
    '{install}',
    '"',
    '}]'
  ]
  const hostile = fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 8 }).map((parts) => parts.join(''))
  const INPUTS = [
    'install',
    'backup-id',
    'backups',
    'purge-cache',
    'verify-url',
    'verify-text',
    'verify-timeout',
    'max-parallel',
    'notification-emails'
  ]
  const OWN_COMMANDS = /^::(add-mask|error|warning|debug)::/
  // What the restore's summaries are made of: headings, tables, quotes, lists, and the folded list of IDs.
  const SUMMARY_TAGS = [
    'h2',
    'p',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
    'strong',
    'blockquote',
    'ul',
    'li',
    'br',
    'code',
    'details',
    'summary'
  ]

  it('can start no workflow command, break no output, and render no link or image in the summary', async () => {
    const bed = await setup()
    const site = await freshSite(() => ({ status: 200, body: 'ok' }))
    const done = bed.sim.seedBackup({ installId: INSTALL.id, ageMs: 60_000 })
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...INPUTS), hostile, async (input, value) => {
        const base = { 'backup-id': done.id, 'notification-emails': 'ops@example.com', 'verify-url': site.url, 'verify-timeout': '10s' }
        const { core } = await bed.restore({ ...base, [input]: value })
        for (const entry of core.log) {
          expect(entry).not.toMatch(/[\r\n]/)
          expect(entry).not.toContain('##[')
          if (entry.startsWith('::')) expect(entry).toMatch(OWN_COMMANDS)
        }
        for (const output of Object.values(core.outputs)) expect(output).not.toMatch(/[\r\n]/)
        const rendered = renderGfm(core.summaries[0] ?? '')
        for (const tag of rendered.tags) expect(SUMMARY_TAGS).toContain(tag)
        for (const html of rendered.html) expect(html).not.toMatch(/<[a-z][^>]*\b(href|src)=/i)
      }),
      { numRuns: 40 }
    )
  })
})

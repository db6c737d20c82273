import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import type { InstallReport, Outcome, Report } from '../../../src/backup/report.js'
import { renderSummary } from '../../../src/backup/summary.js'
import { decodeBackup } from '../../../src/wpengine/decode.js'
import type { SafeText } from '../../../src/text/safe-text.js'
import { renderGfm } from '../../support/gfm.js'
import { MAX_SUMMARY_BYTES } from '../../../src/step/output-sink.js'
import { BACKUP_ID, INSTALL } from '../../support/helpers.js'

const install = INSTALL
const ref = { kind: 'name' as const, name: 'mysite' }
const backup = decodeBackup({
  id: BACKUP_ID,
  status: 'completed',
  description: 'd',
  create_time: '2026-01-01T00:00:00Z',
  complete_time: '2026-01-01T00:04:00Z',
  wordpress_version: '6.8.1'
})

/** The summary of a report whose step outcome and error are given, as the verdict would have them. */
function render({ outcome = 'failed', error, ...report }: Report & { outcome?: Outcome; error?: string }): string {
  const ok = outcome === 'completed' || outcome === 'requested'
  return renderSummary(report, { ok, cancelled: outcome === 'cancelled', outcome, line: error ?? '', error })
}

/** A report of one install, whose outcome is the step's. */
function one(entry: Partial<InstallReport>, error?: string) {
  return { installs: [{ ref, ...entry }], outcome: entry.outcome, error }
}

describe('renderSummary: one install', () => {
  it('heads the table with the install, lists what is known, and writes times as people read them', () => {
    expect(render(one({ install, backup, status: 'completed', waitedMs: 241_000, outcome: 'completed' }))).toBe(
      [
        '## ✅ WP Engine backup of mysite completed',
        '',
        '| Install | mysite (`294deacc-d8b8-4005-82c4-0727ba8ddde0`) |',
        '| :-- | :-- |',
        '| Backup | `e41fa98f-ea80-4654-b229-a9b765d0863a` |',
        '| Status | **completed** |',
        '| Reused | no |',
        '| Description | d |',
        '| Created | 2026-01-01 00:00:00 UTC |',
        '| Completed | 2026-01-01 00:04:00 UTC |',
        '| Waited | 4m 1s |',
        '| Took | 4m |',
        '| WordPress | 6.8.1 |',
        ''
      ].join('\n')
    )
  })

  it("shows the time taken beside the usual range from the install's history, or only the range while it runs", () => {
    const usual = { typicalMs: 250_000, lowMs: 230_000, highMs: 290_000, samples: 12, outliers: 1 }
    expect(render(one({ install, backup, status: 'completed', outcome: 'completed', usual }))).toContain(
      '| Took | 4m; usually 3m 50s–4m 50s (last 12, 1 unusual left out) |'
    )
    const running = { ...backup, status: 'in_progress' as const, complete_time: undefined }
    expect(render(one({ install, backup: running, status: 'in_progress', outcome: 'timeout', usual }, 'x'))).toContain(
      '| Usually takes | 3m 50s–4m 50s (last 12, 1 unusual left out) |'
    )
  })

  it.each([
    [{ reason: 'rerun' as const, attempt: 1, ageMs: 720_000 }, 'yes: requested by attempt 1 of this run, 12m old'],
    [{ reason: 'in-flight' as const, ageMs: 65_000 }, 'yes: already running when this step started, 1m 5s old'],
    [{ reason: 'recent' as const, ageMs: 600_000 }, 'yes: completed within reuse-within, 10m old'],
    [{ reason: 'rerun' as const, attempt: 2 }, 'yes: requested by attempt 2 of this run']
  ])('says why a backup was reused, and how old it is: %j', (reused, text) => {
    expect(render(one({ install, backup, status: 'completed', outcome: 'completed', reused }))).toContain(`| Reused | ${text} |`)
  })

  it('sets what went wrong apart, under the heading', () => {
    expect(render(one({ install, backup, status: 'aborted', outcome: 'aborted' }, 'WP Engine aborted it'))).toContain(
      '## ❌ WP Engine backup of mysite aborted\n\n> WP Engine aborted it\n\n| Install |'
    )
    expect(render(one({ install, backup, status: 'in_progress', outcome: 'timeout' }, 'still running'))).toContain(
      '## ⏱️ WP Engine backup of mysite not finished before the timeout\n\n> still running\n'
    )
  })

  it('a failure before the install was found: the heading and what went wrong, no table of dashes', () => {
    expect(render(one({ outcome: 'failed' }, 'No install named mysite'))).toBe(
      '## ❌ WP Engine backup of mysite failed\n\n> No install named mysite\n'
    )
  })

  it('no completion time before completion', () => {
    const text = render(one({ install, backup, status: 'in_progress', outcome: 'timeout' }, 'x'))
    expect(text).not.toContain('| Completed |')
    expect(text).toContain('| Status | **in\\_progress** |')
  })

  it('keeps text from the API inside its table cell, as the very text it is, whatever it contains', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('|', '<', '>', '&', '`', '\\', '[', ']', '(', ')', '!', '\n', '\r', 'a', ' '), minLength: 1 }),
        (text) => {
          fc.pre(text.trim() !== '')
          const markdown = render(
            one({ install, backup: { ...backup, description: text as SafeText }, status: 'completed', outcome: 'completed' })
          )
          expect(markdown.split('\n')).toHaveLength(13)
          const { cells } = renderGfm(markdown)
          const description = cells.find(([name]) => name === 'Description')
          expect(description?.[1]).toBe(text.replace(/[\r\n]+/g, ' ').trim())
        }
      )
    )
  })
})

describe('renderSummary: several installs', () => {
  const shop = { id: '3f9b0c7e-1a2b-4c3d-8e9f-0a1b2c3d4e5f', name: 'shop' }
  const entries = (outcomes: Outcome[]): InstallReport[] =>
    outcomes.map((outcome, n) => ({
      ref: { kind: 'name', name: `site${n}` },
      install: { ...install, name: `site${n}` },
      backup,
      status: outcome === 'aborted' ? 'aborted' : 'completed',
      outcome,
      waitedMs: 1_000,
      ...(outcome === 'aborted'
        ? { error: `WP Engine aborted backup ${backup.id} of install site${n}`, reason: 'aborted by WP Engine' }
        : {})
    }))

  it('has one compact row per install, in order: outcome, backup, and when it completed or why it was reused', () => {
    const report = {
      installs: [
        { ref, install, backup, status: 'completed' as const, outcome: 'completed' as const, waitedMs: 61_000 },
        {
          ref: { kind: 'name' as const, name: 'shop' },
          install: shop,
          backup,
          status: 'completed' as const,
          outcome: 'completed' as const,
          reused: { reason: 'recent' as const, ageMs: 60_000 }
        }
      ],
      outcome: 'completed' as const
    }
    expect(render(report)).toBe(
      [
        '## ✅ WP Engine backups completed for 2 installs',
        '',
        '| Install | Outcome | Backup | Details |',
        '| :-- | :-- | :-- | :-- |',
        `| mysite | ✅\u00a0completed | \`${backup.id.slice(0, 8)}\` | completed 2026-01-01 00:04:00 UTC, after 1m 1s |`,
        `| shop | ✅\u00a0completed | \`${backup.id.slice(0, 8)}\` | reused (completed within reuse-within, 1m old), completed 2026-01-01 00:04:00 UTC |`,
        '',
        '<details><summary>Full backup IDs</summary>',
        '',
        `- mysite: \`${backup.id}\``,
        `- shop: \`${backup.id}\``,
        '',
        '</details>',
        ''
      ].join('\n')
    )
  })

  it('folds each whole backup ID away under the table, to copy, for the installs that have a backup', () => {
    const text = render({
      installs: [{ ref: { kind: 'name', name: 'gone' }, outcome: 'failed', error: 'not found' }, ...entries(['completed', 'aborted'])],
      outcome: 'failed',
      error: 'x'
    })
    const { html } = renderGfm(text)
    // marked renders raw HTML as GitHub does; the list inside stays Markdown, each ID one code span.
    expect(html[1]).toContain('<details><summary>Full backup IDs</summary>')
    expect(html[1]).toContain(`<li>site0: <code>${backup.id}</code></li>\n<li>site1: <code>${backup.id}</code></li>`)
    expect(html[1]).not.toContain('<li>gone')
    // The table's rows keep the short form.
    expect(text).toContain(`| site0 | ✅\u00a0completed | \`${backup.id.slice(0, 8)}\` |`)
  })

  it('counts the installs without a fresh backup in the heading, and gives each failed row its whole reason', () => {
    const text = render({
      installs: entries(['completed', 'aborted', 'completed']),
      outcome: 'failed',
      error:
        '1 of 3 installs have no fresh backup, so do not deploy to them: site1 (aborted by WP Engine). The job summary says why for each.'
    })
    expect(text).toContain(
      '## ❌ WP Engine backups: 1 of 3 installs without a fresh backup\n\nDo not deploy to an install without a fresh backup'
    )
    // The failure line points here; here it would only repeat itself.
    expect(text).not.toContain('The job summary says why')
    expect(text).toContain(
      `| site1 | ❌\u00a0aborted | \`${backup.id.slice(0, 8)}\` | WP Engine aborted backup ${backup.id} of install site1 |`
    )
    expect(text.split('\n').filter((line) => line.startsWith('| site'))).toHaveLength(3)
  })

  it('names an install that could not be found by what the user gave, with the reason', () => {
    const text = render({
      installs: [
        { ref: { kind: 'name', name: 'gone' }, outcome: 'failed', error: "No install named 'gone' is visible. Did you mean gona?" },
        ...entries(['completed'])
      ],
      outcome: 'failed',
      error: 'x'
    })
    expect(text).toContain("| gone | ❌\u00a0failed | — | No install named 'gone' is visible. Did you mean gona? |")
  })
})

describe('renderSummary: a fleet', () => {
  const site = (n: number, outcome: Outcome = 'completed', name = `site${n}`): InstallReport => ({
    ref: { kind: 'name', name },
    install: { id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, name },
    backup,
    status: outcome === 'aborted' ? 'aborted' : 'completed',
    outcome,
    waitedMs: 1_000,
    ...(outcome === 'aborted' ? { error: `WP Engine aborted backup ${backup.id} of install ${name}`, reason: 'aborted by WP Engine' } : {})
  })
  const rowNames = (markdown: string) =>
    markdown
      .split('\n')
      .filter((line) => line.startsWith('| site'))
      .map((line) => line.split(' | ')[0]?.slice(2))

  it('lists the installs that need attention first, stale ones oldest first, and folds the rest in a compact table', () => {
    const installs = Array.from({ length: 25 }, (_, n) => site(n, n === 7 ? 'aborted' : 'completed'))
    const audit = {
      maxAgeMs: 26 * 3_600_000,
      at: 0,
      audited: 25,
      stale: [
        { name: 'site7', installId: installs[7]?.install?.id ?? '', reason: 'aborted by WP Engine' },
        { name: 'site20', installId: installs[20]?.install?.id ?? '', ageMs: 30 * 3_600_000, newestCompleted: 'x' },
        { name: 'site3', installId: installs[3]?.install?.id ?? '', ageMs: 27 * 3_600_000, newestCompleted: 'x' }
      ]
    }
    const text = render({ installs, audit, outcome: 'failed', error: 'x' })
    expect(text).toMatch(/^## ❌ WP Engine backups: 3 of 25 installs without a completed backup within max-age \(26h\)\n/)
    expect(rowNames(text).slice(0, 3)).toEqual(['site7', 'site20', 'site3'])
    expect(text).toContain(`| site20 | ✅\u00a0completed | \`${backup.id.slice(0, 8)}\` | older than max-age (26h): 30h old; completed`)
    const fold = text.slice(text.indexOf('<details>'))
    expect(
      fold.startsWith(
        '<details>\n<summary>22 installs with a completed backup within max-age</summary>\n\n| Install | Backup | Completed |'
      )
    ).toBe(true)
    expect(rowNames(fold)).toEqual(
      installs.map((e) => e.install?.name).filter((name) => !['site7', 'site20', 'site3'].includes(name ?? ''))
    )
    expect(fold).toContain(`| site0 | \`${backup.id.slice(0, 8)}\` | 2026-01-01 00:04:00 UTC |`)
    expect(renderGfm(text).tags).toEqual(new Set(['h2', 'p', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'code', 'details', 'summary']))
  })

  it('up to 20 installs: one table, the ones that need attention first', () => {
    const text = render({ installs: [site(0), site(1, 'aborted'), site(2)], outcome: 'failed', error: 'x' })
    expect(rowNames(text)).toEqual(['site1', 'site0', 'site2'])
    // Nothing folded away but the whole backup IDs, there to copy.
    expect(text.match(/<summary>[^<]*<\/summary>/g)).toEqual(['<summary>Full backup IDs</summary>'])
  })

  it('stays under GitHub’s 1 MiB for any fleet, however long its names and errors, and counts what it leaves out', () => {
    const installs = Array.from({ length: 10_000 }, (_, n) =>
      n % 3 === 0 ? { ...site(n, 'aborted'), error: `WP Engine aborted ${'a very long reason '.repeat(20)}` } : site(n)
    )
    const text = render({ installs, archiving: true, outcome: 'failed', error: 'x' })
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_SUMMARY_BYTES)
    expect(text).toMatch(
      /\n… and \d+ more installs, left out to keep the summary under GitHub's 1 MiB: every install is in the backups output/
    )
    expect(text.trimEnd().endsWith('</details>')).toBe(true)
  })

  it('renders what the API named its installs as text, folded or not: no link, image or HTML of theirs', () => {
    const hostile = ['<img src=x>', '[a](https://evil.example)', '</details><script>', '**bold**', 'https://evil.example']
    const installs = Array.from({ length: 30 }, (_, n) => site(n, n % 2 ? 'aborted' : 'completed', hostile[n % hostile.length]))
    const { tags, html } = renderGfm(render({ installs, outcome: 'failed', error: 'x' }))
    expect([...tags].sort()).toEqual(['code', 'details', 'h2', 'p', 'summary', 'table', 'tbody', 'td', 'th', 'thead', 'tr'])
    for (const rendered of html) expect(rendered).not.toMatch(/<[a-z][^>]*\b(href|src)=/i)
  })
})

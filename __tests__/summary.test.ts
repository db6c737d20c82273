import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import type { InstallReport, Outcome, Report } from '../src/backup/report.js'
import { renderSummary } from '../src/backup/summary.js'
import { backupOf } from './fakes.js'
import { renderGfm } from './gfm.js'

const install = { id: '294deacc-d8b8-4005-82c4-0727ba8ddde0', name: 'mysite' }
const ref = { kind: 'name' as const, name: 'mysite' }
const backup = backupOf({
  id: 'e41fa98f-ea80-4654-b229-a9b765d0863a',
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
  it('lists install, backup, status, reuse, description, times, wait and WordPress version', () => {
    expect(render(one({ install, backup, status: 'completed', waitedMs: 241_000, outcome: 'completed' }))).toBe(
      [
        '## ✅ WP Engine backup completed',
        '',
        '| | |',
        '| --- | --- |',
        '| Install | mysite (294deacc-d8b8-4005-82c4-0727ba8ddde0) |',
        '| Backup ID | e41fa98f-ea80-4654-b229-a9b765d0863a |',
        '| Status | **completed** |',
        '| Reused | no |',
        '| Description | d |',
        '| Created | 2026-01-01T00:00:00Z |',
        '| Completed | 2026-01-01T00:04:00Z |',
        '| Waited | 4m 1s |',
        '| WordPress | 6.8.1 |',
        ''
      ].join('\n')
    )
  })

  it.each([
    [{ reason: 'rerun' as const, attempt: 1, ageMs: 720_000 }, 'yes: requested by attempt 1 of this run, 12m 0s old'],
    [{ reason: 'in-flight' as const, ageMs: 65_000 }, 'yes: already running when this step started, 1m 5s old'],
    [{ reason: 'recent' as const, ageMs: 600_000 }, 'yes: completed within reuse-within, 10m 0s old'],
    [{ reason: 'rerun' as const, attempt: 2 }, 'yes: requested by attempt 2 of this run']
  ])('says why a backup was reused, and how old it is: %j', (reused, text) => {
    expect(render(one({ install, backup, status: 'completed', outcome: 'completed', reused }))).toContain(`| Reused | ${text} |`)
  })

  it('makes an aborted backup or a timeout stand out with an alert', () => {
    expect(render(one({ install, backup, status: 'aborted', outcome: 'aborted' }, 'WP Engine aborted it'))).toContain(
      '## ❌ WP Engine backup aborted\n\n> [!CAUTION]\n> WP Engine aborted it'
    )
    expect(render(one({ install, backup, status: 'in_progress', outcome: 'timeout' }, 'still running'))).toContain(
      '> [!WARNING]\n> still running'
    )
  })

  it('shows a dash for what is not known, and no completion time before completion', () => {
    const text = render(one({ outcome: 'failed' }, 'x'))
    expect(text).toContain('| Install | mysite |')
    expect(text).toContain('| Backup ID | — |')
    expect(text).toContain('| Reused | — |')
    expect(
      render(one({ install, backup: { ...backup, complete_time: '2026-01-01T00:04:00Z' }, status: 'in_progress', outcome: 'timeout' }))
    ).toContain('| Completed | — |')
  })

  it('keeps text from the API inside its table cell, as the very text it is, whatever it contains', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('|', '<', '>', '&', '`', '\\', '[', ']', '(', ')', '!', '\n', '\r', 'a', ' ') }),
        (text) => {
          const markdown = render(
            one({ install, backup: backupOf({ ...backup, description: text }), status: 'completed', outcome: 'completed' })
          )
          expect(markdown.split('\n')).toHaveLength(14)
          const { cells } = renderGfm(markdown)
          const description = cells.find(([name]) => name === 'Description')
          expect(description?.[1]).toBe(text.replace(/[\r\n]+/g, ' ').trim() || '—')
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
      waitedMs: 1_000
    }))

  it('has one row per install, in order, with its reuse', () => {
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
        '| Install | Backup ID | Status | Reused | Created | Completed | Waited | WordPress |',
        '| --- | --- | --- | --- | --- | --- | --- | --- |',
        `| mysite | ${backup.id} | **completed** | no | 2026-01-01T00:00:00Z | 2026-01-01T00:04:00Z | 1m 1s | 6.8.1 |`,
        `| shop | ${backup.id} | **completed** | yes: completed within reuse-within, 1m 0s old | 2026-01-01T00:00:00Z | 2026-01-01T00:04:00Z | — | 6.8.1 |`,
        ''
      ].join('\n')
    )
  })

  it('counts the installs without a fresh backup in the heading, and shows the error', () => {
    const text = render({
      installs: entries(['completed', 'aborted', 'completed']),
      outcome: 'failed',
      error: '1 of 3 installs have no fresh backup (site1)'
    })
    expect(text).toContain(
      '## ❌ WP Engine backups: 1 of 3 installs without a fresh backup\n\n> [!CAUTION]\n> 1 of 3 installs have no fresh backup (site1)'
    )
    expect(text.split('\n').filter((line) => line.startsWith('| site'))).toHaveLength(3)
  })

  it('names an install that could not be found by what the user gave', () => {
    const text = render({
      installs: [{ ref: { kind: 'name', name: 'gone' }, outcome: 'failed', error: 'No install named gone' }, ...entries(['completed'])],
      outcome: 'failed',
      error: 'x'
    })
    expect(text).toContain('| gone | — | — | — | — | — | — | — |')
  })
})

import { describe, expect, it } from '@jest/globals'
import type { DryRunInstall } from '../../../src/backup/dry-run-report.js'
import { renderDryRunSummary } from '../../../src/backup/dry-run-summary.js'
import { auditFreshness } from '../../../src/backup/freshness.js'
import { decodeBackup } from '../../../src/wpengine/decode.js'
import { MAX_SUMMARY_BYTES } from '../../../src/step/output-sink.js'
import { renderGfm } from '../../support/gfm.js'

const HOUR = 3_600_000
const NOW = Date.UTC(2026, 0, 2)

/** An install the dry run found, whose newest completed backup is `hours` old (none when undefined). */
function found(n: number, hours?: number): DryRunInstall {
  const name = `site${n}`
  const newestCompleted =
    hours === undefined
      ? undefined
      : decodeBackup({
          id: `e41fa98f-ea80-4654-b229-${String(n).padStart(12, '0')}`,
          status: 'completed',
          create_time: new Date(NOW - hours * HOUR).toISOString(),
          complete_time: new Date(NOW - hours * HOUR + 300_000).toISOString()
        })
  return {
    ref: { kind: 'name', name },
    install: { id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, name },
    preflight: {
      checkedAt: NOW,
      newestCompleted,
      running: [],
      plan: { action: 'request' },
      wouldDo: 'request a new backup and wait for it'
    }
  }
}

function render(installs: DryRunInstall[], maxAgeHours = 26) {
  const audit = auditFreshness(
    installs.map((entry) => ({
      name: entry.install?.name ?? '',
      installId: entry.install?.id ?? '',
      backup: entry.preflight?.newestCompleted
    })),
    maxAgeHours * HOUR,
    NOW
  )
  const line = 'x'
  return renderDryRunSummary(
    { installs, credentialsWork: true, audit },
    { ok: audit.stale.length === 0, cancelled: false, dryRun: true, line }
  )
}

const rowNames = (markdown: string) =>
  markdown
    .split('\n')
    .filter((line) => line.startsWith('| site'))
    .map((line) => line.split(' | ')[0]?.slice(2))

describe('renderDryRunSummary: a fleet', () => {
  it('the audit: stale installs first, oldest first (none before any), the rest folded with their newest backup and the plan', () => {
    const installs = Array.from({ length: 30 }, (_, n) => found(n, n === 4 ? undefined : n === 9 ? 40 : n === 17 ? 30 : 3))
    const text = render(installs)
    expect(text).toContain(
      'The installs listed first have no completed backup within max-age (26h), oldest first; the stale output lists them too.'
    )
    expect(rowNames(text).slice(0, 3)).toEqual(['site4', 'site9', 'site17'])
    expect(text).toContain('| site4 | none yet | none | too few completed backups to say | request a new backup and wait for it |')
    const fold = text.slice(text.indexOf('<details>'))
    expect(fold).toMatch(
      /^<details>\n<summary>27 installs with a completed backup within max-age<\/summary>\n\n\| Install \| Newest completed backup \| A real run would \|/
    )
    expect(fold).toContain('| site0 | `e41fa98f` (3h old, completed 2026-01-01 21:05:00 UTC) | request |')
    expect(rowNames(fold)).toHaveLength(27)
    expect([...renderGfm(text).tags].sort()).toEqual(['code', 'details', 'h2', 'p', 'summary', 'table', 'tbody', 'td', 'th', 'thead', 'tr'])
  })

  it('every install within max-age: says so, and how old the oldest is', () => {
    expect(render([found(1, 3), found(2, 25)])).toContain(
      'All 2 installs have a completed backup within max-age (26h; the oldest is 25h old).'
    )
  })

  it('ten thousand installs, half of them stale, stay under 1 MiB', () => {
    const text = render(Array.from({ length: 10_000 }, (_, n) => found(n, n % 2 ? 3 : 30)))
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_SUMMARY_BYTES)
    expect(text.trimEnd().endsWith('</details>')).toBe(true)
  })
})

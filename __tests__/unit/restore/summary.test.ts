import { describe, expect, it } from '@jest/globals'
import { conclude } from '../../../src/restore/conclude.js'
import type { RestoreSettings } from '../../../src/restore/inputs.js'
import type { RestoreEntry, RestoreReport } from '../../../src/restore/report.js'
import { renderRestoreSummary } from '../../../src/restore/summary.js'
import { renderGfm } from '../../support/gfm.js'

// The restore's verdict and summary for endings the step tests do not reach: installs without a
// restore point, and text from the API in a failed row.

const settings = { notificationEmails: ['ops@example.com'], restoreDatabase: true, createCheckpoint: true } as RestoreSettings
const skipped = (name: string): RestoreEntry => ({
  target: {
    ref: { kind: 'name', name },
    choice: { kind: 'backups', id: '' },
    skip: 'the backup step got no backup of it, so there is no restore point'
  },
  request: 'not-sent'
})
const told = (entries: RestoreEntry[]) => {
  const report: RestoreReport = { settings, entries }
  const verdict = conclude(report, { cancelled: false })
  return { verdict, summary: renderRestoreSummary(report, verdict) }
}

describe('restore verdict and summary', () => {
  it('one install without a restore point: skipped, saying why, and not a failure', () => {
    const { verdict, summary } = told([skipped('shop')])
    expect(verdict).toEqual({
      ok: true,
      cancelled: false,
      line: 'shop is not restored: the backup step got no backup of it, so there is no restore point.'
    })
    expect(summary).toBe(
      '## ⏭️ WP Engine restore of shop skipped: no restore point\n\nshop is not restored: the backup step got no backup of it, so there is no restore point.\n'
    )
  })

  it('several, none with a restore point: nothing restored, said plainly', () => {
    expect(told([skipped('shop'), skipped('blog')]).verdict.line).toBe(
      'Nothing was restored: none of the 2 installs had a restore point (the summary says why for each).'
    )
  })

  it("keeps a failed row's text from the API inside its cell, rendering no link", () => {
    const failed: RestoreEntry = {
      target: { ref: { kind: 'name', name: 'shop' }, choice: { kind: 'latest' } },
      request: 'not-sent',
      error: 'WP Engine refused to restore (400: [x](https://evil.example) | <img src=x>)',
      reason: 'refused (400)'
    }
    const { verdict, summary } = told([failed, skipped('blog')])
    expect(verdict.line).toBe('1 of 2 installs were not restored as asked: shop (refused (400)). The job summary says why for each.')
    const { cells, html } = renderGfm(summary)
    expect(cells.find(([name]) => name === 'shop')?.[3]).toBe(failed.error)
    for (const page of html) expect(page).not.toMatch(/<[a-z][^>]*\b(href|src)=/i)
  })
})

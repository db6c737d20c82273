import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { renderSummary } from '../src/summary.js'

const install = { id: '294deacc-d8b8-4005-82c4-0727ba8ddde0', name: 'mysite' }
const backup = { id: 'e41fa98f-ea80-4654-b229-a9b765d0863a', status: 'completed', description: 'd', create_time: '2026-01-01T00:00:00Z', complete_time: '2026-01-01T00:04:00Z', wordpress_version: '6.8.1' }

describe('renderSummary', () => {
  it('lists install, backup, status, description, times, wait and WordPress version', () => {
    expect(renderSummary({ install, backup, status: 'completed', waitedMs: 241_000, outcome: 'completed' })).toBe(
      [
        '## ✅ WP Engine backup completed',
        '',
        '| | |',
        '| --- | --- |',
        '| Install | mysite (294deacc-d8b8-4005-82c4-0727ba8ddde0) |',
        '| Backup ID | e41fa98f-ea80-4654-b229-a9b765d0863a |',
        '| Status | **completed** |',
        '| Description | d |',
        '| Created | 2026-01-01T00:00:00Z |',
        '| Completed | 2026-01-01T00:04:00Z |',
        '| Waited | 4m 1s |',
        '| WordPress | 6.8.1 |',
        ''
      ].join('\n')
    )
  })

  it('makes an aborted backup or a timeout stand out with an alert', () => {
    expect(renderSummary({ install, backup, status: 'aborted', outcome: 'aborted', error: 'WP Engine aborted it' })).toContain('## ❌ WP Engine backup aborted\n\n> [!CAUTION]\n> WP Engine aborted it')
    expect(renderSummary({ install, backup, status: 'in_progress', outcome: 'timeout', error: 'still running' })).toContain('> [!WARNING]\n> still running')
  })

  it('shows a dash for what is not known, and no completion time before completion', () => {
    const text = renderSummary({ outcome: 'failed', error: 'x' })
    expect(text).toContain('| Backup ID | — |')
    expect(renderSummary({ install, backup: { ...backup, complete_time: '2026-01-01T00:04:00Z' }, status: 'in_progress', outcome: 'timeout' })).toContain('| Completed | — |')
  })

  it('keeps text from the API inside its table cell, whatever it contains', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('|', '<', '>', '&', '`', '\n', '\r', 'a', ' ') }), (description) => {
        const rows = renderSummary({ install, backup: { ...backup, description }, status: 'completed', outcome: 'completed' }).split('\n')
        const row = rows.find((line) => line.startsWith('| Description |')) ?? ''
        expect(rows).toHaveLength(13)
        expect(row.match(/\|/g)).toHaveLength(3)
        expect(row).not.toMatch(/[<>`]/)
      })
    )
  })
})

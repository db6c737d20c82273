import { describe, expect, it } from '@jest/globals'
import { boundSummary, MAX_SUMMARY_BYTES, safeCore } from '../../../src/step/output-sink.js'
import { RecordingCore } from '../../support/helpers.js'

// The one sink every log line, annotation, output and summary of a step passes through.

describe('the sink', () => {
  it('keeps a summary under GitHub’s 1 MiB, cut at a line with a note that counts what was cut', () => {
    const rows = Array.from({ length: 30_000 }, (_, n) => `| row ${n} | ${'é'.repeat(30)} |`)
    const markdown = rows.join('\n')
    const bounded = boundSummary(markdown)
    expect(Buffer.byteLength(markdown)).toBeGreaterThan(MAX_SUMMARY_BYTES)
    expect(Buffer.byteLength(bounded)).toBeLessThanOrEqual(MAX_SUMMARY_BYTES)
    const kept = bounded.split('\n').filter((line) => line.startsWith('| row '))
    expect(kept.at(-1)).toBe(rows[kept.length - 1])
    expect(bounded).toContain(`> ${rows.length - kept.length} more lines of this summary were cut`)
    expect(boundSummary('small')).toBe('small')
  })

  it('puts every line, annotation, group and output of a step on one safe line', async () => {
    const core = new RecordingCore()
    const sink = safeCore(core)
    sink.info('a\n::add-mask::x')
    sink.warning('b\r\n##[stop-commands]y')
    sink.startGroup('c\u2028::group::z')
    sink.setFailed(`d ${'e'.repeat(10_000)}`)
    sink.setOutput('description', 'one\ntwo')
    sink.summary.addRaw('# title', true)
    await sink.summary.write()
    expect(core.log).toEqual([
      'a : :add-mask: :x',
      '::warning::b # #[stop-commands]y',
      '::group::c : :group: :z',
      expect.stringMatching(/^::error::d e+…$/)
    ])
    expect(core.failed?.length).toBe(4_000)
    expect(core.outputs).toEqual({ description: 'one two' })
    expect(core.summaries).toEqual(['# title\n'])
  })
})

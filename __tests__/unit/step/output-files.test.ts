import { afterAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { MAX_OUTPUT_BYTES, withOutputFiles } from '../../../src/step/output-files.js'

const dir = mkdtempSync(join(tmpdir(), 'wpe-output-files-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function logged() {
  const lines: string[] = []
  return { lines, log: { notice: (m: string) => lines.push(`notice: ${m}`), warning: (m: string) => lines.push(`warning: ${m}`) } }
}

describe('withOutputFiles', () => {
  it('writes each output that has an x-file beside it to a file in the folder given, and leaves the rest alone', () => {
    const { lines, log } = logged()
    const outputs = withOutputFiles(
      { backups: '[{"a":1}]', 'backups-file': '', stale: '', 'stale-file': '', status: 'completed' },
      dir,
      log
    )
    expect(outputs.backups).toBe('[{"a":1}]')
    expect(dirname(dirname(outputs['backups-file'] ?? ''))).toBe(dir)
    expect(readFileSync(outputs['backups-file'] ?? '', 'utf8')).toBe('[{"a":1}]')
    // An empty output has no file; an output without an x-file is not written.
    expect(outputs['stale-file']).toBe('')
    expect(outputs.status).toBe('completed')
    expect(lines).toEqual([])
  })

  it('empties an output over GitHub’s 1 MB and says where the whole JSON is', () => {
    const { lines, log } = logged()
    const big = JSON.stringify(Array.from({ length: 40_000 }, (_, n) => ({ 'install-name': `site${n}` })))
    expect(Buffer.byteLength(big)).toBeGreaterThan(MAX_OUTPUT_BYTES)
    const outputs = withOutputFiles({ backups: big, 'backups-file': '' }, dir, log)
    expect(outputs.backups).toBe('')
    expect(readFileSync(outputs['backups-file'] ?? '', 'utf8')).toBe(big)
    expect(lines).toEqual([
      `notice: The backups output would be 1.1 MB, more than the 1 MB GitHub takes for one output, so it is empty: the whole JSON is in ${outputs['backups-file']} (the backups-file output).`
    ])
  })

  it('off a runner (no RUNNER_TEMP), writes a file only for an output too large, so that tests and runs by hand leave nothing behind', () => {
    expect(withOutputFiles({ backups: '[]', 'backups-file': '' }, undefined, logged().log)).toEqual({ backups: '[]', 'backups-file': '' })
    const big = 'x'.repeat(MAX_OUTPUT_BYTES + 1)
    const outputs = withOutputFiles({ backups: big, 'backups-file': '' }, undefined, logged().log)
    expect(readFileSync(outputs['backups-file'] ?? '', 'utf8')).toBe(big)
    rmSync(dirname(outputs['backups-file'] ?? ''), { recursive: true, force: true })
  })

  it('keeps an output of exactly 1 MB', () => {
    const exact = 'x'.repeat(MAX_OUTPUT_BYTES)
    expect(withOutputFiles({ backups: exact, 'backups-file': '' }, dir, logged().log).backups).toBe(exact)
  })

  it('a folder it cannot write to is a warning, never the step’s failure', () => {
    const { lines, log } = logged()
    const outputs = withOutputFiles({ backups: '[]', 'backups-file': '' }, join(dir, 'missing', 'folder'), log)
    expect(outputs).toEqual({ backups: '[]', 'backups-file': '' })
    expect(lines).toEqual([
      expect.stringMatching(/^warning: Could not write the backups output to a file \(.*ENOENT.*\); backups-file is empty\.$/)
    ])
  })
})

import { describe, expect, it } from '@jest/globals'
import { newestCompleted, ofRun } from '../../../src/restore/choose-backup.js'
import { decodeBackup } from '../../../src/wpengine/decode.js'
import { markerOf, RUN_CONTEXT } from '../../support/helpers.js'

let n = 0
/** A backup as the client decodes it, created `hoursAgo` before 2026-01-01 12:00 UTC (none, when undefined). */
function backup(status: string, hoursAgo: number | undefined, description = 'Manual backup') {
  n++
  const created = hoursAgo === undefined ? undefined : new Date(Date.UTC(2026, 0, 1, 12) - hoursAgo * 3_600_000).toISOString()
  return decodeBackup({ id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, status, description, create_time: created })
}

describe('newestCompleted', () => {
  it('takes the newest completed backup, whatever is newer and not completed, by create_time in any order', () => {
    const older = backup('completed', 5)
    const newer = backup('completed', 2)
    const list = [backup('in_progress', 0.1), older, backup('aborted', 1), newer, backup('requested', 0), backup('initiated', 0.5)]
    expect(newestCompleted(list)).toBe(newer)
    expect(newestCompleted([...list].reverse())).toBe(newer)
  })

  it('ranks a backup without create_time last, and finds none among unfinished ones', () => {
    const dated = backup('completed', 30)
    expect(newestCompleted([backup('completed', undefined), dated])).toBe(dated)
    expect(newestCompleted([backup('in_progress', 1), backup('aborted', 2)])).toBeUndefined()
  })
})

describe('ofRun', () => {
  const runId = RUN_CONTEXT.runId
  const ours = (status: string, hoursAgo: number, attempt = 1, step?: string) =>
    backup(status, hoursAgo, `Pre-deploy ${markerOf({ attempt, step })}`)

  it('takes the oldest completed backup of the run, by any attempt, job or step', () => {
    const first = ours('completed', 3, 1, 'backup-db')
    const later = ours('completed', 1, 2)
    const found = ofRun([later, backup('completed', 0.5, 'Nightly [ci 123-1 nightly/backup 0a1b2c3d]'), first], runId)
    expect(found).toEqual({ backup: first, by: { runId, attempt: 1, job: 'deploy', step: 'backup-db' }, others: 1 })
  })

  it('with none completed, the newest of the run, so that its state says why; none of the run, nothing', () => {
    const running = ours('in_progress', 0.2, 2)
    expect(ofRun([ours('aborted', 1), running], runId)?.backup).toBe(running)
    expect(ofRun([backup('completed', 1, 'Pre-deploy [ci 123-1 deploy/backup 0a1b2c3d]')], runId)).toBeUndefined()
    expect(ofRun([ours('completed', 1)], undefined)).toBeUndefined()
  })
})

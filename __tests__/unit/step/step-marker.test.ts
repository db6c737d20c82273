import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { markersIn, stepMarker } from '../../../src/step/step-marker.js'
import { RUN_CONTEXT } from '../../support/helpers.js'

describe('stepMarker', () => {
  it('identifies the run, the attempt, the job and step, with a nonce', () => {
    expect(stepMarker(RUN_CONTEXT, '0a1b2c3d')).toBe('[ci 987654321-1 deploy/backup 0a1b2c3d]')
    expect(stepMarker({}, 'ffffffff')).toBe('[ci local-1 -/- ffffffff]')
  })

  it('is unique per step execution', () => {
    const markers = new Set(Array.from({ length: 1000 }, () => stepMarker(RUN_CONTEXT)))
    expect(markers.size).toBe(1000)
  })

  it('keeps its shape whatever the job and step ids contain', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (job, step) => {
        expect(stepMarker({ ...RUN_CONTEXT, job, step }, '0a1b2c3d')).toMatch(
          /^\[ci 987654321-1 [A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+ 0a1b2c3d\]$/
        )
      })
    )
  })
})

describe('markersIn', () => {
  it('reads back every marker a step wrote, whatever its job and step, and nothing that only looks like one', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        fc.integer({ min: 1, max: 1e9 }),
        fc.integer({ min: 1, max: 99 }),
        (job, step, runId, attempt) => {
          const marker = stepMarker({ runId, runAttempt: attempt, job, step })
          const found = markersIn(`Release [ci 1-x a/b 0a1b2c3d] ${marker}`)
          expect(found).toHaveLength(1)
          const [read] = found
          expect(read).toMatchObject({ runId, attempt })
          expect(marker).toContain(`${read?.job}/${read?.step}`)
        }
      )
    )
    expect(markersIn('Manual backup')).toEqual([])
    expect(markersIn(undefined)).toEqual([])
  })
})

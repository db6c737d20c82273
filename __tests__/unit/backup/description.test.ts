import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { defaultDescription, describeBackup, markersIn, stepMarker } from '../../../src/backup/description.js'
import { RUN_CONTEXT } from '../../support/helpers.js'

describe('defaultDescription', () => {
  it('names the repository, short SHA, the ref deployed, the actor and the run page', () => {
    expect(defaultDescription(RUN_CONTEXT)).toBe(
      'Pre-deploy backup of acme/shop@8c3f2a1 (main) by octocat: https://github.com/acme/shop/actions/runs/987654321'
    )
  })

  it('names the pull request being deployed, or the tag', () => {
    expect(defaultDescription({ ...RUN_CONTEXT, ref: 'refs/pull/12/merge', pullRequest: 12 })).toContain('acme/shop@8c3f2a1 (PR #12) by')
    expect(defaultDescription({ ...RUN_CONTEXT, ref: 'refs/tags/v1.2.0' })).toContain('acme/shop@8c3f2a1 (tag v1.2.0) by')
  })

  it('leaves out what is not known', () => {
    expect(defaultDescription({})).toBe('Pre-deploy backup of wpengine-backup-action')
    expect(defaultDescription({ repository: 'acme/shop', runId: 5 })).toBe('Pre-deploy backup of acme/shop')
    expect(defaultDescription({ repository: 'acme/shop', runId: 5, serverUrl: 'https://ghe.example.com/' })).toBe(
      'Pre-deploy backup of acme/shop: https://ghe.example.com/acme/shop/actions/runs/5'
    )
    expect(defaultDescription({ actor: 'me' })).toBe('Pre-deploy backup of wpengine-backup-action by me')
  })
})

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

  it('survives any description: the text is cut to 200 characters, the marker always ends it', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 1000 }), (text) => {
        const description = describeBackup(text, RUN_CONTEXT, '[ci 1-1 a/b 0a1b2c3d]')
        expect(description.endsWith(' [ci 1-1 a/b 0a1b2c3d]')).toBe(true)
        expect(description.length).toBeLessThanOrEqual(200 + ' [ci 1-1 a/b 0a1b2c3d]'.length)
      })
    )
  })

  it('is appended to a custom description as to the default one', () => {
    expect(describeBackup('Release 2.4', RUN_CONTEXT, '[ci x]')).toBe('Release 2.4 [ci x]')
    expect(describeBackup(undefined, RUN_CONTEXT, '[ci x]')).toBe(`${defaultDescription(RUN_CONTEXT)} [ci x]`)
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
          const found = markersIn(describeBackup('Release [ci 1-x a/b 0a1b2c3d]', {}, marker))
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

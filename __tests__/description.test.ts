import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { defaultDescription, describeBackup, stepMarker } from '../src/description.js'

const FULL = {
  repository: 'acme/shop',
  sha: '8c3f2a1d9e7b',
  workflow: 'Deploy',
  runNumber: 42,
  runId: 987654321,
  runAttempt: 1,
  actor: 'octocat',
  job: 'deploy',
  step: 'backup'
}

describe('defaultDescription', () => {
  it('names the repository, short SHA, workflow, run and actor', () => {
    expect(defaultDescription(FULL)).toBe('Pre-deploy backup: acme/shop@8c3f2a1 (Deploy #42, run 987654321 attempt 1) by octocat')
  })

  it('leaves out what is not known', () => {
    expect(defaultDescription({})).toBe('Pre-deploy backup: wpengine-backup-action')
    expect(defaultDescription({ repository: 'acme/shop', runId: 5 })).toBe('Pre-deploy backup: acme/shop (run 5 attempt 1)')
    expect(defaultDescription({ workflow: 'Deploy', actor: 'me' })).toBe('Pre-deploy backup: wpengine-backup-action (Deploy) by me')
  })
})

describe('stepMarker', () => {
  it('identifies the run, the attempt, the job and step, with a nonce', () => {
    expect(stepMarker(FULL, '0a1b2c3d')).toBe('[ci 987654321-1 deploy/backup 0a1b2c3d]')
    expect(stepMarker({}, 'ffffffff')).toBe('[ci local-1 -/- ffffffff]')
  })

  it('is unique per step execution', () => {
    const markers = new Set(Array.from({ length: 1000 }, () => stepMarker(FULL)))
    expect(markers.size).toBe(1000)
  })

  it('keeps its shape whatever the job and step ids contain', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (job, step) => {
        expect(stepMarker({ ...FULL, job, step }, '0a1b2c3d')).toMatch(/^\[ci 987654321-1 [A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+ 0a1b2c3d\]$/)
      })
    )
  })

  it('is appended to a custom description as to the default one', () => {
    expect(describeBackup('Release 2.4', FULL, '[ci x]')).toBe('Release 2.4 [ci x]')
    expect(describeBackup(undefined, FULL, '[ci x]')).toBe(`${defaultDescription(FULL)} [ci x]`)
  })
})

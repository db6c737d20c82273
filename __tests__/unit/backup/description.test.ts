import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { defaultDescription, describeBackup } from '../../../src/backup/description.js'
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

describe('describeBackup: the step marker at its end', () => {
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

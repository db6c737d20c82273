import { describe, expect, it } from '@jest/globals'
import { runContextOf } from '../../../src/step/run-context.js'

describe('runContextOf: a pull request from a fork', () => {
  const pullRequest = (head: string | null, base = 'acme/shop') => ({
    number: 7,
    head: { repo: head === null ? null : { full_name: head } },
    base: { repo: { full_name: base } }
  })
  const contextOf = (eventName: string, pull_request?: unknown) =>
    runContextOf({ eventName, payload: pull_request ? { pull_request } : {}, repo: { owner: 'acme', repo: 'shop' } } as never)

  it.each([
    ['pull_request', pullRequest('someone/shop'), true],
    ['pull_request_review', pullRequest('someone/shop'), true],
    // The fork was deleted: its pull request still has no secrets.
    ['pull_request', pullRequest(null), true],
    ['pull_request', pullRequest('acme/shop'), undefined],
    // pull_request_target runs in the base repository, with its secrets.
    ['pull_request_target', pullRequest('someone/shop'), undefined],
    ['push', undefined, undefined]
  ])('%s from %j: forkPullRequest %s', (event, pr, fork) => {
    expect(contextOf(event, pr).forkPullRequest).toBe(fork)
  })
})

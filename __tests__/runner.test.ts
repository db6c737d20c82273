import { afterEach, describe, expect, it, jest } from '@jest/globals'
import * as core from '@actions/core'
import { context } from '@actions/github'
import fc from 'fast-check'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRunner, runContextFromEnv } from '../src/runner.js'

// Our runner protocol must say exactly what @actions/core would, so the oracle is @actions/core itself.

/** @actions/github exports only its ready-made context; its class re-reads the environment. */
const Context = context.constructor as new () => typeof context

const text = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: fc.constantFrom('%', '\r', '\n', ':', ',', 'a', '\u2028') }))

function captureStdout(action: () => void): string {
  let written = ''
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written += String(chunk)
    return true
  })
  try {
    action()
  } finally {
    spy.mockRestore()
  }
  return written
}

afterEach(() => {
  process.exitCode = undefined
})

describe('runner commands match @actions/core', () => {
  const ours = createRunner({})
  it.each([
    ['warning', (m: string) => core.warning(m), (m: string) => ours.warning(m)],
    ['setSecret', (m: string) => core.setSecret(m), (m: string) => ours.setSecret(m)],
    ['startGroup', (m: string) => core.startGroup(m), (m: string) => ours.startGroup(m)],
    ['info', (m: string) => core.info(m), (m: string) => ours.info(m)],
    ['setFailed', (m: string) => core.setFailed(m), (m: string) => ours.setFailed(m)]
  ])('%s', (_name, theirs, mine) => {
    fc.assert(fc.property(text, (message) => expect(captureStdout(() => mine(message))).toBe(captureStdout(() => theirs(message)))))
  })

  it('endGroup', () => expect(captureStdout(() => ours.endGroup())).toBe(captureStdout(() => core.endGroup())))

  it('setFailed sets the exit code', () => {
    captureStdout(() => ours.setFailed('x'))
    expect(process.exitCode).toBe(1)
  })
})

describe('runner outputs match @actions/core', () => {
  it('writes the same GITHUB_OUTPUT records, but for the random delimiter', () => {
    const dir = mkdtempSync(join(tmpdir(), 'runner-test-'))
    const theirsFile = join(dir, 'theirs')
    const oursFile = join(dir, 'ours')
    const ours = createRunner({ GITHUB_OUTPUT: oursFile })
    const normalize = (s: string) => s.replace(/ghadelimiter_[0-9a-f-]{36}/g, 'DELIM')
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), text, (name, value) => {
        writeFileSync(theirsFile, '')
        writeFileSync(oursFile, '')
        process.env.GITHUB_OUTPUT = theirsFile
        try {
          core.setOutput(name, value)
        } finally {
          delete process.env.GITHUB_OUTPUT
        }
        ours.setOutput(name, value)
        expect(normalize(readFileSync(oursFile, 'utf8'))).toBe(normalize(readFileSync(theirsFile, 'utf8')))
      })
    )
  })

  it('reads inputs as core.getInput does', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z][a-z -]{0,15}$/), fc.string(), (name, value) => {
        const key = `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
        process.env[key] = value
        try {
          expect(createRunner({ [key]: value }).getInput(name)).toBe(core.getInput(name))
        } finally {
          delete process.env[key]
        }
      })
    )
  })

  it('appends the job summary to GITHUB_STEP_SUMMARY', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'runner-test-')), 'summary')
    writeFileSync(file, '# before\n')
    await createRunner({ GITHUB_STEP_SUMMARY: file }).writeSummary('## after')
    expect(readFileSync(file, 'utf8')).toBe('# before\n## after\n')
    await expect(createRunner({}).writeSummary('x')).rejects.toThrow('GITHUB_STEP_SUMMARY is not set')
  })
})

describe('runContextFromEnv matches @actions/github', () => {
  it('reads the same run identity', () => {
    const env = {
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_SHA: 'abc123',
      GITHUB_WORKFLOW: 'Deploy',
      GITHUB_RUN_NUMBER: '42',
      GITHUB_RUN_ID: '987654321',
      GITHUB_RUN_ATTEMPT: '2',
      GITHUB_ACTOR: 'octocat',
      GITHUB_JOB: 'deploy',
      GITHUB_ACTION: 'backup'
    }
    const saved = { ...process.env }
    Object.assign(process.env, env)
    delete process.env.GITHUB_EVENT_PATH
    try {
      const theirs = new Context()
      expect(runContextFromEnv(env)).toEqual({
        repository: `${theirs.repo.owner}/${theirs.repo.repo}`,
        sha: theirs.sha,
        workflow: theirs.workflow,
        runNumber: theirs.runNumber,
        runId: theirs.runId,
        runAttempt: theirs.runAttempt,
        actor: theirs.actor,
        job: theirs.job,
        step: theirs.action
      })
    } finally {
      process.env = saved
    }
  })

  it('leaves out what the runner did not set', () => {
    expect(runContextFromEnv({ GITHUB_RUN_ID: 'x' })).toEqual({})
  })
})

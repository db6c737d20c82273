import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import YAML from 'yaml'
import { parseInputs } from '../../../src/backup/inputs.js'
import { outputsOf } from '../../../src/backup/report.js'
import { parseRestoreInputs } from '../../../src/restore/inputs.js'
import { outputsOf as restoreOutputsOf } from '../../../src/restore/report.js'
import { ROOT } from '../../../scripts/run-action.js'
import { detailProblems, readDetails, renderTables, withTables } from '../../../scripts/readme-tables.js'

type ValidationState = { errors: unknown[] }
const validator = createRequire(import.meta.url)('@action-validator/core') as {
  validateAction(src: string): ValidationState
  validateWorkflow(src: string): ValidationState
}

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8')
type Action = {
  name: string
  description: string
  branding: { icon: string; color: string }
  inputs: Record<string, { description: string; required?: boolean; default?: string }>
  outputs: Record<string, { description: string }>
  runs: { using: string; main: string }
}
const actionYaml = read('action.yml')
const action = YAML.parse(actionYaml) as Action
const restoreYaml = read('restore/action.yml')
const restoreAction = YAML.parse(restoreYaml) as Action

/** How many sentences a text has: each ends in . ? or ! before a capital letter or the end (so `e.g. mysite` is one). */
const sentencesOf = (text: string) => text.trim().match(/[.?!](?=\s+[A-Z]|\s*$)/g)?.length ?? 0

describe('action.yml', () => {
  it('is a valid action (per action-validator)', () => {
    // action-validator 0.6 predates node24 (its schema stops at node20): validate everything else,
    // and check the runtime below.
    expect(validator.validateAction(actionYaml.replace(/^(\s+using:\s*)node24\s*$/m, '$1node20')).errors).toEqual([])
  })

  it('would catch a broken action.yml', () => {
    expect(validator.validateAction(actionYaml.replace('description: The install', 'description: The: install')).errors).not.toEqual([])
  })

  it('runs the bundle on Node 24, with a name, description and branding', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' })
    expect(action.name).toBeTruthy()
    expect(action.description.length).toBeGreaterThan(40)
    expect(action.branding.icon && action.branding.color).toBeTruthy()
  })

  it('describes every input and output', () => {
    for (const entry of [...Object.values(action.inputs), ...Object.values(action.outputs)])
      expect(entry.description.length).toBeGreaterThan(10)
  })

  it("describes each input in one or two sentences (the detail is docs/inputs.yml's)", () => {
    for (const [name, input] of [...Object.entries(action.inputs), ...Object.entries(restoreAction.inputs)])
      expect({ name, oneOrTwo: [1, 2].includes(sentencesOf(input.description)) }).toEqual({ name, oneOrTwo: true })
    expect(sentencesOf('The name (e.g. mysite). Or its ID. Only one.')).toBe(3)
  })

  it('declares exactly the inputs the action reads', () => {
    const read: string[] = []
    try {
      parseInputs((name) => (read.push(name), ''), {})
    } catch {
      // Empty inputs are invalid; only the names asked for matter here.
    }
    expect(Object.keys(action.inputs).sort()).toEqual([...new Set(read)].sort())
  })

  it('declares exactly the outputs the action sets', () => {
    expect(Object.keys(action.outputs)).toEqual(Object.keys(outputsOf({ installs: [] })))
  })

  it('has the defaults the code applies', () => {
    expect(action.inputs.wait?.default).toBe('true')
    expect(action.inputs.timeout?.default).toBe('60m')
    expect(action.inputs['poll-interval']?.default).toBe('auto')
    expect(action.inputs['api-url']?.default).toBe('https://api.wpengineapi.com/v1')
    expect(action.inputs['max-parallel']?.default).toBe('5')
    expect(action.inputs['reuse-within']?.default).toBeUndefined()
    for (const off of ['exclude', 'environment', 'shard', 'max-age', 'archive-recipients'])
      expect(action.inputs[off]?.default).toBeUndefined()
    expect(action.inputs.install?.required).toBe(true)
  })
})

describe('README.md', () => {
  const readme = read('README.md')
  const details = readDetails('backup')
  const restoreDetails = readDetails('restore')

  it('has the input and output tables of action.yml and docs/inputs.yml (npm run docs writes them)', () => {
    expect(readme).toBe(withTables(readme, renderTables(actionYaml, details)))
  })

  it('restore/README.md has the tables of restore/action.yml and docs/inputs.yml', () => {
    const restoreReadme = read('restore/README.md')
    expect(restoreReadme).toBe(withTables(restoreReadme, renderTables(restoreYaml, restoreDetails)))
  })

  it('docs/inputs.yml has a detail for every input of both actions, and for nothing else', () => {
    expect(detailProblems(actionYaml, details)).toEqual([])
    expect(detailProblems(restoreYaml, restoreDetails)).toEqual([])
  })

  it('notices an input without a detail, and a detail of no input', () => {
    const withoutTimeout = Object.fromEntries(Object.entries(details).filter(([name]) => name !== 'timeout'))
    expect(detailProblems(actionYaml, withoutTimeout)).toEqual(['input timeout has no detail in docs/inputs.yml'])
    expect(() => renderTables(actionYaml, withoutTimeout)).toThrow('input timeout has no detail in docs/inputs.yml')
    expect(detailProblems(actionYaml, { ...details, timout: 'x' })).toEqual([
      'docs/inputs.yml has a detail for timout, which is not an input'
    ])
  })

  it('notices a table that is out of date', () => {
    const stale = renderTables(actionYaml.replace('default: 60m', 'default: 30m'), details)
    expect(withTables(readme, stale)).not.toBe(readme)
    expect(withTables(readme, renderTables(actionYaml, { ...details, timeout: 'At most 5h.' }))).not.toBe(readme)
  })

  it('starts a fresh clone with exactly the two quick-start commands', () => {
    const quickStart = /## Quick start[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1]
    expect(quickStart?.trim().split('\n')).toEqual(['npm ci && npm run demo', 'npm test'])
  })
})

describe('restore/action.yml', () => {
  const restore = restoreAction

  it('is a valid action that runs its own bundle on Node 24', () => {
    expect(validator.validateAction(restoreYaml.replace(/^(\s+using:\s*)node24\s*$/m, '$1node20')).errors).toEqual([])
    expect(restore.runs).toEqual({ using: 'node24', main: '../dist/restore/index.js' })
  })

  it('declares exactly the inputs the restore step reads, with the defaults it applies', () => {
    const readInputs: string[] = []
    try {
      parseRestoreInputs((name) => (readInputs.push(name), ''), {})
    } catch {
      // Empty inputs are invalid; only the names asked for matter here.
    }
    expect(Object.keys(restore.inputs).sort()).toEqual([...new Set(readInputs)].sort())
    expect(restore.inputs['restore-database']?.default).toBe('true')
    expect(restore.inputs['create-checkpoint']?.default).toBe('true')
    expect(restore.inputs['purge-cache']?.default).toBe('false')
    expect(restore.inputs['verify-timeout']?.default).toBe('10m')
    expect(restore.inputs['max-parallel']?.default).toBe('5')
    expect(restore.inputs['dry-run']?.default).toBe('false')
    // One install and its backup-id, several with a word, or the backups output instead.
    expect([restore.inputs.install?.required, restore.inputs['backup-id']?.required]).toEqual([false, false])
    expect(restore.inputs['notification-emails']?.required).toBe(true)
  })

  it('declares exactly the outputs the restore step sets', () => {
    expect(Object.keys(restore.outputs)).toEqual(Object.keys(restoreOutputsOf({ entries: [] })))
  })
})

describe('workflows', () => {
  const files = readdirSync(join(ROOT, '.github', 'workflows')).filter((f) => f.endsWith('.yml'))
  it('include CI, check-dist and release', () => expect(files.sort()).toEqual(['check-dist.yml', 'ci.yml', 'release.yml']))
  it.each(files)('%s is valid (per action-validator)', (file) => {
    expect(validator.validateWorkflow(read(join('.github', 'workflows', file))).errors).toEqual([])
  })
})

describe('releases', () => {
  const release = YAML.parse(read('.github/workflows/release.yml')) as {
    on: { push: { tags: string[] } }
    jobs: Record<string, { permissions?: Record<string, string>; needs?: string; steps: { name?: string; run?: string }[] }>
  }
  const stepRun = (job: string, name: string) => release.jobs[job]?.steps.find((step) => step.name?.startsWith(name))?.run ?? ''

  it('run on a version tag, publish only after the checks, and alone may write', () => {
    expect(release.on.push.tags).toEqual(['v[0-9]+.[0-9]+.[0-9]+'])
    expect(release.jobs.release?.needs).toBe('check')
    expect(release.jobs.release?.permissions).toEqual({ contents: 'write' })
    expect(stepRun('check', 'dist/ is what the source builds')).toContain('npm run bundle')
    expect(stepRun('release', 'Move the major tag')).toContain('git push --force origin "refs/tags/$major"')
  })
})

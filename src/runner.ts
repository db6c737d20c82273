import { appendFileSync } from 'node:fs'
import { appendFile } from 'node:fs/promises'
import { EOL } from 'node:os'
import { randomUUID } from 'node:crypto'
import type { RunContext } from './description.js'

// The GitHub Actions runner protocol, as far as this action speaks it: inputs from INPUT_*
// variables, workflow commands on stdout, outputs and the job summary through the files the runner
// names. It is what @actions/core does for these calls (the tests compare the two byte for byte);
// importing @actions/core instead would load undici and @actions/exec at every start, which alone
// costs more start-up time than this action's whole budget.

/** What the action needs from the runner; tests pass a recording fake. */
export interface Runner {
  getInput(name: string): string
  setOutput(name: string, value: string): void
  setSecret(secret: string): void
  setFailed(message: string): void
  info(message: string): void
  warning(message: string): void
  startGroup(name: string): void
  endGroup(): void
  writeSummary(markdown: string): Promise<void>
}

/** Escaping for a command's message, as @actions/core's escapeData. */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

/** A workflow command line, e.g. `::warning::text`. */
export function commandLine(command: string, message: string): string {
  return `::${command}::${escapeData(message)}${EOL}`
}

/** A record for a file command (GITHUB_OUTPUT), as @actions/core's prepareKeyValueMessage. */
function keyValueRecord(key: string, value: string, delimiter = `ghadelimiter_${randomUUID()}`): string {
  // The runner reads up to the delimiter; a value containing it could smuggle in more outputs.
  if (key.includes(delimiter) || value.includes(delimiter))
    throw new Error(`Unexpected input: the value of output ${key} contains the delimiter`)
  return `${key}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`
}

export function createRunner(env: NodeJS.ProcessEnv, write: (text: string) => void = (text) => process.stdout.write(text)): Runner {
  const issue = (command: string, message: string): void => write(commandLine(command, message))
  return {
    getInput: (name) => (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim(),
    setOutput(name, value) {
      const file = env.GITHUB_OUTPUT
      if (file) appendFileSync(file, keyValueRecord(name, value), 'utf8')
      else write(`${EOL}::set-output name=${name}::${escapeData(value)}${EOL}`)
    },
    setSecret: (secret) => issue('add-mask', secret),
    setFailed(message) {
      process.exitCode = 1
      issue('error', message)
    },
    info: (message) => write(`${message}${EOL}`),
    warning: (message) => issue('warning', message),
    startGroup: (name) => issue('group', name),
    endGroup: () => issue('endgroup', ''),
    async writeSummary(markdown) {
      const file = env.GITHUB_STEP_SUMMARY
      if (!file) throw new Error('GITHUB_STEP_SUMMARY is not set, so there is no job summary to write to')
      await appendFile(file, `${markdown}${EOL}`, 'utf8')
    }
  }
}

/** The run's identity, from the variables the runner sets (what @actions/github's context reads). */
export function runContextFromEnv(env: NodeJS.ProcessEnv): RunContext {
  const int = (value: string | undefined): number | undefined => {
    const n = Number.parseInt(value ?? '', 10)
    return Number.isFinite(n) && n > 0 ? n : undefined
  }
  return {
    repository: env.GITHUB_REPOSITORY || undefined,
    sha: env.GITHUB_SHA || undefined,
    workflow: env.GITHUB_WORKFLOW || undefined,
    runNumber: int(env.GITHUB_RUN_NUMBER),
    runId: int(env.GITHUB_RUN_ID),
    runAttempt: int(env.GITHUB_RUN_ATTEMPT),
    actor: env.GITHUB_ACTOR || undefined,
    job: env.GITHUB_JOB || undefined,
    step: env.GITHUB_ACTION || undefined
  }
}

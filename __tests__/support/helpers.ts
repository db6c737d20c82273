import { defaultInstalls } from '../../sim/server.js'
import { SAMPLE_RUN_CONTEXT } from '../../scripts/run-action.js'
import type { RunContext } from '../../src/step/run-context.js'
import type { Core } from '../../src/step/core.js'
import { WpeClient, type ClientOptions } from '../../src/wpengine/client.js'
import type { Clock } from '../../src/time/clock.js'
import type { Install } from '../../src/wpengine/types.js'

// The tests' shared fixtures: the data every test file uses (installs, a backup, credentials, the
// run), and the in-process stand-ins (a clock, @actions/core, nock's set-up). What concerns the
// simulator lives in sim-helpers.ts.

/** An install the simulator serves by default, as the API names it. */
function simInstall(name: string): Install {
  const install = defaultInstalls(0).find((i) => i.name === name)
  if (!install) throw new Error(`the simulator serves no install named ${name}`)
  return { id: install.id, name: install.name }
}

/** The install the tests back up: `mysite`, as the simulator serves it (behind 120 others). */
export const INSTALL = simInstall('mysite')
/** A second install the simulator serves. */
export const STAGING = simInstall('mysitestaging')
export const BACKUP_ID = 'e41fa98f-ea80-4654-b229-a9b765d0863a'
export const API = 'https://api.wpengineapi.com'
/** Where the API answers for BACKUP_ID of INSTALL. */
export const BACKUP_PATH = `/v1/installs/${INSTALL.id}/backups/${BACKUP_ID}`

/** A backup as the API answers it: BACKUP_ID, completed after four minutes unless `status` says otherwise. */
export function backupAnswer(status = 'completed', extra: Record<string, unknown> = {}) {
  return {
    id: BACKUP_ID,
    status,
    description: 'Pre-deploy backup',
    create_time: '2026-01-01T00:00:00Z',
    complete_time: status === 'completed' ? '2026-01-01T00:04:00Z' : null,
    wordpress_version: '6.8.1',
    ...extra
  }
}
/** The credentials the nock tests use (the simulator has its own, in sim.credentials). */
export const CREDS = { userId: 'user-1', password: 's3cret-pw' }
/** The Basic token for a user id and password, worked out here rather than by the code under test. */
export const basicToken = (userId: string, password: string) => Buffer.from(`${userId}:${password}`).toString('base64')
export const BASIC = `Basic ${basicToken(CREDS.userId, CREDS.password)}`

/**
 * The run the in-process tests pretend to be, read from the same GITHUB_* variables that
 * scripts/run-action.js gives the bundled action (SAMPLE_RUN_ENV), as @actions/github reads them.
 */
export const RUN_CONTEXT: RunContext = SAMPLE_RUN_CONTEXT

/**
 * The marker a step of that run puts at the end of its backup's description (`[ci 987654321-1
 * deploy/backup 0badc0de]`), written out here rather than by stepMarker, the code under test.
 */
export function markerOf({ attempt = 1, step = RUN_CONTEXT.step, nonce = '0badc0de' } = {}): string {
  return `[ci ${RUN_CONTEXT.runId}-${attempt} ${RUN_CONTEXT.job}/${step} ${nonce}]`
}

/** A job log minus its add-mask commands, which are the one place a secret is meant to appear. */
export function visible(log: string): string {
  return log
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n')
}

/** The error `promise` was rejected with; throws if it was fulfilled, or rejected with what is not an Error. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => ({ fulfilled: true as const }),
    (error: unknown) => ({ fulfilled: false as const, error })
  )
  if (outcome.fulfilled) throw new Error('expected a failure, but it succeeded')
  if (!(outcome.error instanceof Error)) throw new Error(`expected an Error, but got ${String(outcome.error)}`)
  return outcome.error
}

/**
 * A clock whose sleeps return at once and move time forward: minutes of waiting run in microseconds.
 * A sleep moves time to its own wake-up time (never back), so concurrent sleepers share time as
 * they would in real life instead of adding their sleeps up.
 */
export class FakeClock implements Clock {
  private time: number
  readonly sleeps: number[] = []
  private readonly timers = new Set<{ everyMs: number; next: number; tick: () => void }>()
  constructor(start = Date.UTC(2026, 0, 1)) {
    this.time = start
  }
  now(): number {
    return this.time
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason
    this.sleeps.push(ms)
    const wakeAt = this.time + Math.max(0, ms)
    await Promise.resolve()
    this.moveTo(wakeAt)
  }
  advance(ms: number): void {
    this.moveTo(this.time + ms)
  }
  /** A timer ticks at each of its times that time passes, with the clock at that time, as a real one does during a sleep. */
  every(everyMs: number, tick: () => void): () => void {
    const timer = { everyMs, next: this.time + everyMs, tick }
    this.timers.add(timer)
    return () => this.timers.delete(timer)
  }
  private moveTo(target: number): void {
    for (;;) {
      const due = [...this.timers].filter((timer) => timer.next <= target).sort((a, b) => a.next - b.next)[0]
      if (!due) break
      this.time = Math.max(this.time, due.next)
      due.next += due.everyMs
      due.tick()
    }
    this.time = Math.max(this.time, target)
  }
}

/** A stand-in for @actions/core that records what the action said and set, for assertions. */
export class RecordingCore implements Core {
  readonly inputs: Record<string, string>
  readonly outputs: Record<string, string> = {}
  readonly secrets: string[] = []
  readonly log: string[] = []
  readonly warnings: string[] = []
  readonly notices: string[] = []
  readonly debugs: string[] = []
  readonly summaries: string[] = []
  failed: string | undefined
  constructor(inputs: Record<string, string> = {}) {
    this.inputs = inputs
  }
  getInput(name: string): string {
    return (this.inputs[name] ?? '').trim()
  }
  setOutput(name: string, value: unknown): void {
    this.outputs[name] = String(value)
  }
  setSecret(secret: string): void {
    this.secrets.push(secret)
    this.log.push(`::add-mask::${secret}`)
  }
  setFailed(message: string | Error): void {
    this.failed = String(message)
    this.log.push(`::error::${message}`)
  }
  info(message: string): void {
    this.log.push(message)
  }
  warning(message: string | Error): void {
    this.warnings.push(String(message))
    this.log.push(`::warning::${message}`)
  }
  notice(message: string | Error): void {
    this.notices.push(String(message))
    this.log.push(`::notice::${message}`)
  }
  debug(message: string): void {
    this.debugs.push(message)
    this.log.push(`::debug::${message}`)
  }
  startGroup(name: string): void {
    this.log.push(`::group::${name}`)
  }
  endGroup(): void {
    this.log.push('::endgroup::')
  }
  private pending = ''
  readonly summary = {
    addRaw: (text: string, addEOL = false) => {
      this.pending += addEOL ? `${text}\n` : text
      return this.summary
    },
    write: async () => {
      this.summaries.push(this.pending)
      this.pending = ''
      return this.summary
    }
  }
  /** Everything that would have reached the job log. */
  get text(): string {
    return this.log.join('\n')
  }
  /** The log but for the add-mask commands, which are the one place secrets are meant to appear. */
  get visibleText(): string {
    // By call, not by line: a message that smuggles in a line of its own must not hide it.
    return this.log.filter((line) => !line.startsWith('::add-mask::')).join('\n')
  }
}

/**
 * nock for one test file: no real connections, interceptors cleared after each test, and nock
 * removed at the end. nock patches node:http once per process through a global, so a file that
 * leaves it applied blinds the nock of the next file that Jest runs in the same worker.
 */
export function useNock(
  nock: typeof import('nock').default,
  hooks: { beforeAll(fn: () => void): void; afterEach(fn: () => void): void; afterAll(fn: () => void): void }
): void {
  hooks.beforeAll(() => {
    if (!nock.isActive()) nock.activate()
    nock.disableNetConnect()
  })
  hooks.afterEach(() => nock.cleanAll())
  hooks.afterAll(() => {
    nock.enableNetConnect()
    nock.restore()
  })
}

/** A WpeClient for nock's WP Engine (API, CREDS), made as the action makes one; its deadline is an hour away unless given. */
export function nockClient(options: Pick<ClientOptions, 'send' | 'clock'> & Partial<ClientOptions>): WpeClient {
  return new WpeClient({
    apiUrl: new URL(`${API}/v1`),
    ...CREDS,
    deadline: options.clock.now() + 3_600_000,
    random: () => 0.5,
    ...options
  })
}

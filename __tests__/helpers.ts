import type { Core } from '../src/shared/harness.js'
import type { Clock } from '../src/util/clock.js'

/**
 * A clock whose sleeps return at once and move time forward: minutes of waiting run in microseconds.
 * A sleep moves time to its own wake-up time (never back), so concurrent sleepers share time as
 * they would in real life instead of adding their sleeps up.
 */
export class FakeClock implements Clock {
  private time: number
  readonly sleeps: number[] = []
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
    this.time = Math.max(this.time, wakeAt)
  }
  advance(ms: number): void {
    this.time += ms
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
    return this.log.filter((line) => !line.startsWith('::add-mask::')).join('\n')
  }
}

export const INSTALL = { id: '294deacc-d8b8-4005-82c4-0727ba8ddde0', name: 'mysite' }
export const BACKUP_ID = 'e41fa98f-ea80-4654-b229-a9b765d0863a'
export const API = 'https://api.wpengineapi.com'
export const CREDS = { userId: 'user-1', password: 's3cret-pw' }
export const BASIC = `Basic ${Buffer.from('user-1:s3cret-pw').toString('base64')}`

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

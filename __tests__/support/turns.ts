import { afterAll } from '@jest/globals'
import type { Clock } from '../../src/time/clock.js'
import { createNodeSend, type HttpResponse, type Send } from '../../src/wpengine/http.js'
import { RUN_CONTEXT } from './helpers.js'
import { useSimulators, type SimOptions } from './sim-helpers.js'
import { backupStep, restoreStep, type StepOptions } from './step.js'

// A step that does several things at once (installs side by side, a history read beside the wait)
// on a fake clock, against the simulator over real HTTP, behaving the same on every run however
// loaded the machine is. FakeClock moves time forward as soon as anyone sleeps, even while another
// request is still on its way: when that request reaches the simulator, and which answer the step
// reads first, then depend on how fast the machine is, and so does what happens at each moment.

interface Timer {
  at: number
  order: number
  wake(): void
}

interface Call {
  /** Sends the request: its turn has come. */
  go(): void
}

/**
 * A fake clock on which time moves in turns. Requests take no time: the step's requests are answered
 * one at a time, in the order it sent them; only when none is left does time move, to the earliest
 * wake-up, and wakes that one sleeper (sleepers due at the same moment in the order they fell asleep).
 * Each turn runs until the step waits again, so what happens when depends on the step alone.
 *
 * The requests must go through `transport()`. A request that never gets an answer (a `hang` fault)
 * holds time still for good: this clock is not for those.
 */
export class TurnClock implements Clock {
  private time: number
  private order = 0
  private readonly timers: Timer[] = []
  private readonly calls: Call[] = []
  private busy = false
  private scheduled = false
  /** Every sleep asked for, in order. */
  readonly sleeps: number[] = []
  /** The requests the step had sent and not yet had answered, now and at the most: its requests in flight, as it sees them. */
  inFlight = 0
  maxInFlight = 0

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.time = start
  }

  now(): number {
    return this.time
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason)
    this.sleeps.push(ms)
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.timers.splice(this.timers.indexOf(timer), 1)
        reject(signal?.reason)
        this.schedule()
      }
      const timer: Timer = {
        at: this.time + Math.max(0, ms),
        order: this.order++,
        wake: () => {
          signal?.removeEventListener('abort', onAbort)
          resolve()
        }
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.timers.push(timer)
      this.schedule()
    })
  }

  /** A timer that ticks every `everyMs` of this clock's time, taking its turns as a sleep does, until stopped. */
  every(everyMs: number, tick: () => void): () => void {
    let stopped = false
    let timer: Timer | undefined
    const arm = (at: number): void => {
      const next: Timer = {
        at,
        order: this.order++,
        wake: () => {
          if (stopped) return
          tick()
          arm(at + everyMs)
        }
      }
      timer = next
      this.timers.push(next)
      this.schedule()
    }
    arm(this.time + everyMs)
    return () => {
      stopped = true
      const index = timer ? this.timers.indexOf(timer) : -1
      if (index >= 0) this.timers.splice(index, 1)
    }
  }

  /**
   * `send`, taking its turns on this clock. The client limits each attempt in real time
   * (AbortSignal.timeout), which a request that takes no time never reaches; so that a slow machine
   * cannot cut one short, that limit is not passed on. Any other abort (cancellation) is.
   */
  transport(send: Send): Send {
    return (request, signal) =>
      new Promise<HttpResponse>((resolve, reject) => {
        const follow = new AbortController()
        const onAbort = (): void => {
          const reason: unknown = signal.reason
          if (!(reason instanceof DOMException && reason.name === 'TimeoutError')) follow.abort(reason)
        }
        const settle = (): void => {
          signal.removeEventListener('abort', onAbort)
          this.inFlight--
          this.schedule()
        }
        const call: Call = {
          go: () => {
            this.busy = true
            const answered = (): void => {
              this.busy = false
              settle()
            }
            send(request, follow.signal).then(
              (response) => {
                answered()
                resolve(response)
              },
              (error: unknown) => {
                answered()
                reject(error)
              }
            )
          }
        }
        // Aborted while waiting for its turn: it never leaves.
        follow.signal.addEventListener(
          'abort',
          () => {
            const index = this.calls.indexOf(call)
            if (index < 0) return
            this.calls.splice(index, 1)
            settle()
            reject(follow.signal.reason)
          },
          { once: true }
        )
        this.inFlight++
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight)
        this.calls.push(call)
        signal.addEventListener('abort', onAbort, { once: true })
        if (signal.aborted) onAbort()
        this.schedule()
      })
  }

  /** The next turn, once the step has done all it can without one (its promise callbacks have run). */
  private schedule(): void {
    if (this.scheduled) return
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      this.turn()
    })
  }

  private turn(): void {
    if (this.busy) return
    const call = this.calls.shift()
    if (call) return call.go()
    if (this.timers.length === 0) return
    const next = this.timers.reduce((a, b) => (b.at < a.at || (b.at === a.at && b.order < a.order) ? b : a))
    this.timers.splice(this.timers.indexOf(next), 1)
    this.time = Math.max(this.time, next.at)
    next.wake()
    this.schedule()
  }
}

/** The same numbers in [0, 1) on every run for the same seed (mulberry32), for the jitter of retries and checks. */
export function seededRandom(seed = 1): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/**
 * useStepBed on a TurnClock, with seeded jitter: for one test file, `setup()` starts a simulator on
 * a fresh TurnClock (`defaults` under the options given) and runs steps against it that take the same
 * turns on every run.
 */
export function useTurnBed(defaults: SimOptions = {}) {
  const transport = createNodeSend()
  afterAll(() => transport.close())
  const freshSim = useSimulators(defaults)
  return async (options: SimOptions = {}) => {
    const clock = new TurnClock()
    const sim = await freshSim({ now: () => clock.now(), ...options })
    const send = clock.transport(transport)
    const random = seededRandom()
    const more = (inputs: Record<string, string>, extra: Partial<StepOptions>): StepOptions => ({
      clock,
      send,
      random,
      context: RUN_CONTEXT,
      inputs,
      ...extra
    })
    return {
      sim,
      clock,
      send,
      backup: (inputs: Record<string, string> = {}, extra: Partial<StepOptions> = {}) => backupStep(sim, more(inputs, extra)),
      restore: (inputs: Record<string, string> = {}, extra: Partial<StepOptions> = {}) => restoreStep(sim, more(inputs, extra))
    }
  }
}

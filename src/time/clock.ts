import { whenAborted } from './on-abort.js'

/** Time as the backup workflow sees it: real in the action, fake (and instant) in tests. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number
  /** Resolves after `ms`, or rejects with the signal's reason as soon as it is aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
  /**
   * Calls `tick` about every `everyMs` until the function it returns is called: a timer beside the
   * sleeps (the heartbeat). A clock without timers has nothing to tick on.
   */
  every?(everyMs: number, tick: () => void): () => void
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason)
      const timer = setTimeout(
        () => {
          forget?.()
          resolve()
        },
        Math.max(0, ms)
      )
      const forget = signal
        ? whenAborted(signal, () => {
            clearTimeout(timer)
            reject(signal.reason)
          })
        : undefined
    }),
  every: (everyMs, tick) => {
    const timer = setInterval(tick, everyMs)
    // A timer never keeps the process alive: the step's own work does.
    timer.unref()
    return () => clearInterval(timer)
  }
}

import { whenAborted } from '../time/on-abort.js'
import { CancelledError } from './errors.js'

/** At most `limit` holders at once; the rest queue in arrival order. */
export class Semaphore {
  private active = 0
  private readonly queue: (() => void)[] = []

  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError(`A semaphore needs a limit of at least 1, not ${limit}`)
  }

  /** Resolves once a slot is free; rejects with CancelledError if the signal is aborted while queued. */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(new CancelledError())
    if (this.active < this.limit) {
      this.active++
      return Promise.resolve()
    }
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        forget?.()
        this.active++
        resolve()
      }
      this.queue.push(grant)
      const forget = signal
        ? whenAborted(signal, () => {
            this.queue.splice(this.queue.indexOf(grant), 1)
            reject(new CancelledError())
          })
        : undefined
    })
  }

  release(): void {
    this.active--
    this.queue.shift()?.()
  }
}

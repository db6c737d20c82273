import { describe, expect, it } from '@jest/globals'
import { whenAborted } from '../../../src/time/on-abort.js'

describe('whenAborted', () => {
  it('gives a signal one listener however many waits there are, and calls each wait not yet forgotten once', () => {
    const controller = new AbortController()
    let listeners = 0
    const add = controller.signal.addEventListener.bind(controller.signal)
    controller.signal.addEventListener = ((...args: Parameters<typeof add>) => (listeners++, add(...args))) as typeof add
    const called: number[] = []
    const forgets = Array.from({ length: 1_000 }, (_, n) => whenAborted(controller.signal, () => called.push(n)))
    for (const forget of forgets.slice(0, 998)) forget()
    expect(listeners).toBe(1)
    controller.abort()
    controller.abort()
    expect(called).toEqual([998, 999])
  })

  it('calls at once (in a microtask) for a signal already aborted', async () => {
    const called: string[] = []
    whenAborted(AbortSignal.abort(), () => called.push('aborted'))
    expect(called).toEqual([])
    await Promise.resolve()
    expect(called).toEqual(['aborted'])
  })

  it('keeps the waits of different signals apart', () => {
    const a = new AbortController()
    const b = new AbortController()
    const called: string[] = []
    whenAborted(a.signal, () => called.push('a'))
    whenAborted(b.signal, () => called.push('b'))
    b.abort()
    expect(called).toEqual(['b'])
  })
})

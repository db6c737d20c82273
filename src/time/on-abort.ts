// Node's EventTarget looks through every listener a signal has before it adds one: with thousands of
// waits on the step's one signal, each wait cost a pass over all the others. So a signal gets one
// listener, and the waits on it register in a set behind that listener.

const waiting = new WeakMap<AbortSignal, Set<{ onAbort: () => void }>>()

/** Calls `onAbort` once, when `signal` aborts, unless the function returned is called first. */
export function whenAborted(signal: AbortSignal, onAbort: () => void): () => void {
  if (signal.aborted) {
    queueMicrotask(onAbort)
    return () => undefined
  }
  let waits = waiting.get(signal)
  if (!waits) {
    const created = new Set<{ onAbort: () => void }>()
    waits = created
    waiting.set(signal, created)
    signal.addEventListener(
      'abort',
      () => {
        waiting.delete(signal)
        for (const wait of created) wait.onAbort()
      },
      { once: true }
    )
  }
  const wait = { onAbort }
  waits.add(wait)
  return () => void waits.delete(wait)
}

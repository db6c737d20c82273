import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import {
  backoffDelay,
  classify,
  DEFAULT_BACKOFF,
  MISFIT_RETRIES,
  parseRetryAfter,
  RETRYABLE_STATUSES,
  RetryBudget,
  type AttemptOutcome
} from '../../../src/wpengine/retry.js'

const method = fc.constantFrom('GET' as const, 'POST' as const)
const status = fc.integer({ min: 100, max: 599 })
const networkCode = fc.constantFrom('ECONNRESET', 'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED')
const tlsCode = fc.constantFrom(
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN'
)

describe('classify', () => {
  it('succeeds on 2xx and never retries other 4xx than 408 and 429', () => {
    fc.assert(
      fc.property(method, status, (m, s) => {
        const verdict = classify(m, { kind: 'response', status: s })
        if (s >= 200 && s < 300) expect(verdict).toBe('success')
        else if (!RETRYABLE_STATUSES.has(s)) expect(verdict).toBe('fail')
        else expect(['retry', 'ambiguous']).toContain(verdict)
      })
    )
  })

  it('retries GETs on 408, 429, 500, 502, 503, 504, network errors and timeouts', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constantFrom(...RETRYABLE_STATUSES).map((s): AttemptOutcome => ({ kind: 'response', status: s })),
          fc.record({ kind: fc.constant('network' as const), code: networkCode, sent: fc.boolean() }),
          fc.record({ kind: fc.constant('timeout' as const), sent: fc.boolean() }),
          fc.constant<AttemptOutcome>({ kind: 'bad-response', reason: 'it is not JSON' })
        ),
        (outcome) => expect(classify('GET', outcome)).toBe('retry')
      )
    )
  })

  it('resends a POST only when it surely did not reach the API', () => {
    fc.assert(
      fc.property(networkCode, fc.boolean(), (code, sent) => {
        expect(classify('POST', { kind: 'network', code, sent })).toBe(sent ? 'ambiguous' : 'retry')
        expect(classify('POST', { kind: 'timeout', sent })).toBe(sent ? 'ambiguous' : 'retry')
      })
    )
    expect(classify('POST', { kind: 'response', status: 429 })).toBe('retry')
    for (const s of [408, 500, 502, 503, 504]) expect(classify('POST', { kind: 'response', status: s })).toBe('ambiguous')
    expect(classify('POST', { kind: 'bad-response', reason: 'it is not JSON' })).toBe('ambiguous')
  })

  it('an answer that parses but does not fit: a GET is asked for once more, then not; a POST is ambiguous (it was acted on)', () => {
    const misfit: AttemptOutcome = { kind: 'misfit', reason: 'backup status is a number, not a status' }
    expect(classify('GET', misfit)).toBe('retry')
    expect(classify('GET', misfit, MISFIT_RETRIES)).toBe('fail')
    fc.assert(fc.property(fc.nat(100), (before) => expect(classify('POST', misfit, before)).toBe('ambiguous')))
  })

  it('never retries TLS trust failures', () => {
    fc.assert(
      fc.property(method, tlsCode, fc.boolean(), (m, code, sent) => expect(classify(m, { kind: 'network', code, sent })).toBe('fail'))
    )
  })
})

describe('backoffDelay (full jitter)', () => {
  it('stays within [0, min(cap, base·2^retry)) and grows with the random draw', () => {
    fc.assert(
      fc.property(
        fc.nat(40),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (retry, r1, r2) => {
          const ceiling = Math.min(DEFAULT_BACKOFF.capMs, DEFAULT_BACKOFF.baseMs * 2 ** retry)
          const d1 = backoffDelay(retry, () => r1)
          expect(d1).toBeGreaterThanOrEqual(0)
          expect(d1).toBeLessThan(ceiling)
          if (r1 <= r2) expect(d1).toBeLessThanOrEqual(backoffDelay(retry, () => r2))
        }
      )
    )
  })

  it('spreads the delays of many clients over the whole window', () => {
    const delays = Array.from({ length: 2000 }, () => backoffDelay(3, Math.random))
    expect(Math.min(...delays)).toBeLessThan(400)
    expect(Math.max(...delays)).toBeGreaterThan(3600)
  })
})

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 10, 22, 12, 0, 0)
  it('reads delta-seconds', () => {
    fc.assert(fc.property(fc.nat(100_000), (s) => expect(parseRetryAfter(String(s), now)).toBe(s * 1000)))
  })
  it('reads an HTTP date, and a past one as zero', () => {
    fc.assert(
      fc.property(fc.integer({ min: -3600, max: 86_400 }), (s) => {
        const date = new Date(now + s * 1000).toUTCString()
        expect(parseRetryAfter(date, now)).toBe(Math.max(0, s * 1000))
      })
    )
  })
  it.each([undefined, '', 'soon', '-5', '1.5', '12abc'])('ignores %j', (value) => expect(parseRetryAfter(value, now)).toBeUndefined())
})

describe('RetryBudget', () => {
  const step = fc.record({
    kind: fc.constantFrom<'success' | 'retry'>('success', 'retry'),
    outcome: fc.constantFrom<AttemptOutcome>(
      { kind: 'response', status: 503 },
      { kind: 'timeout', sent: true },
      { kind: 'network', code: 'ECONNRESET', sent: false }
    ),
    gapMs: fc.integer({ min: 0, max: 120_000 })
  })

  it('never holds more than its capacity, and every retry it grants waits until it is paid for', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 200 }), (steps) => {
        const budget = new RetryBudget(50)
        let now = 0
        let spent = 0
        for (const s of steps) {
          now += s.gapMs
          if (s.kind === 'success') {
            budget.release(spent)
            spent = 0
          } else {
            const { cost, waitMs } = budget.reserve(s.outcome, now)
            spent += cost
            // Once the wait is over, the budget is out of debt.
            expect(budget.available(now + waitMs)).toBeGreaterThanOrEqual(-1e-9)
          }
          expect(budget.available(now)).toBeLessThanOrEqual(50)
        }
      })
    )
  })

  it('however long the API fails, it grants a handful of retries a minute for each request in flight: 20 at once, then 6 a minute (3 after timeouts)', () => {
    const retriesIn = (lanes: number, outcome: AttemptOutcome, minutes: number): number => {
      const budget = new RetryBudget(100, lanes)
      let now = 0
      let retries = 0
      for (;;) {
        const { waitMs } = budget.reserve(outcome, now)
        now += waitMs
        if (now > minutes * 60_000) return retries
        retries++
      }
    }
    expect(retriesIn(1, { kind: 'response', status: 503 }, 0)).toBe(20)
    expect(retriesIn(1, { kind: 'response', status: 503 }, 10)).toBe(20 + 60)
    expect(retriesIn(1, { kind: 'timeout', sent: true }, 10)).toBe(10 + 30)
    expect(retriesIn(5, { kind: 'response', status: 503 }, 10)).toBe(20 + 300)
  })
})

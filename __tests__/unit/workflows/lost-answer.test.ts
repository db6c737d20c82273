import { describe, expect, it } from '@jest/globals'
import { requestOnce, type LostAnswerWords } from '../../../src/workflows/lost-answer.js'
import { WpeApiError } from '../../../src/wpengine/errors.js'
import { FakeClock } from '../../support/helpers.js'

// The one rule for requests that must be made once: after a lost answer, look across the list-lag
// window, then ask at most once more. Backups and archives both go through it.

const lost = () =>
  new WpeApiError('The answer was lost.', { kind: 'network', operation: 'make it', ambiguous: true, transient: true, attempts: 1 })
const refused = () =>
  new WpeApiError('Refused.', { kind: 'http', operation: 'make it', status: 400, ambiguous: false, transient: false, attempts: 1 })

const noRoute = () =>
  new WpeApiError('No such route.', {
    kind: 'no-route',
    operation: 'list them',
    feature: 'the list of things',
    ambiguous: false,
    transient: false,
    attempts: 1
  })

const words: LostAnswerWords<string> = {
  looking: () => 'looking',
  found: (item) => `found ${item}`,
  askingAgain: (ms) => `asking again after ${ms} ms`,
  tooLate: (_e, ms) => `too late after ${ms} ms`,
  lostTwice: (_e, ms) => `lost twice, looked ${ms} ms`,
  cannotLook: (e, missing) => `${e.message} No ${missing.detail.feature} to look in.`
}

/** A request whose n-th answer (1-based) is given by `answers`, and a list that shows what was made from `listedAt` on. */
function setup({
  answers,
  listedAt,
  deadlineMs = 3_600_000,
  windowMs,
  noList
}: {
  answers: ('lost' | 'ok' | 'refused')[]
  listedAt?: number
  /** The API offers no list to look in: the look fails as a missing route. */
  noList?: boolean
  deadlineMs?: number
  windowMs?: number
}) {
  const clock = new FakeClock()
  const start = clock.now()
  const lines: string[] = []
  const sent: number[] = []
  const looks: number[] = []
  const run = () =>
    requestOnce<string, string>({
      clock,
      deadline: start + deadlineMs,
      windowMs,
      send: async () => {
        sent.push(clock.now() - start)
        const answer = answers[sent.length - 1]
        if (answer === 'lost') throw lost()
        if (answer === 'refused') throw refused()
        return 'made'
      },
      look: async () => {
        looks.push(clock.now() - start)
        if (noList) throw noRoute()
        return listedAt !== undefined && clock.now() - start >= listedAt ? 'listed' : undefined
      },
      log: { info: (line) => lines.push(line) },
      say: words
    })
  return { run, lines, sent, looks }
}

describe('requestOnce', () => {
  it('sends once and returns what the answer made', async () => {
    const { run, sent, looks } = setup({ answers: ['ok'] })
    await expect(run()).resolves.toEqual({ made: 'made', recovered: false, requests: 1 })
    expect(sent).toEqual([0])
    expect(looks).toEqual([])
  })

  it('adopts what a lost request made once the list shows it, looking soon and then at growing gaps', async () => {
    const { run, sent, looks, lines } = setup({ answers: ['lost'], listedAt: 20_000 })
    await expect(run()).resolves.toEqual({ made: 'listed', recovered: true, requests: 1 })
    expect(sent).toEqual([0])
    expect(looks).toEqual([0, 2_000, 6_000, 14_000, 30_000])
    expect(lines).toEqual(['looking', 'found listed'])
  })

  it('asks once more only after the whole 90 s window passed with nothing listed', async () => {
    const { run, sent, lines } = setup({ answers: ['lost', 'ok'] })
    await expect(run()).resolves.toEqual({ made: 'made', recovered: false, requests: 2 })
    expect(sent).toEqual([0, 90_000])
    expect(lines).toEqual(['looking', 'asking again after 90000 ms'])
  })

  it('never asks a third time', async () => {
    const { run, sent } = setup({ answers: ['lost', 'lost', 'ok'] })
    await expect(run()).rejects.toThrow('lost twice, looked 90000 ms')
    expect(sent).toHaveLength(2)
  })

  it('does not ask again when the deadline comes before the window is over, and says the timeout ended it', async () => {
    // A window set longer than the time left (the default never is: it is at most a quarter of it).
    const { run, sent } = setup({ answers: ['lost', 'ok'], deadlineMs: 10_000, windowMs: 90_000 })
    await expect(run()).rejects.toMatchObject({ message: expect.stringMatching(/^too late after \d+ ms$/), detail: { kind: 'deadline' } })
    expect(sent).toHaveLength(1)
  })

  it('looks across a quarter of the time left when that is less than 90 s', async () => {
    const { run, sent } = setup({ answers: ['lost', 'ok'], deadlineMs: 200_000 })
    await run()
    expect(sent).toEqual([0, 50_000])
  })

  it('with no list to look in (an older API), never asks again: fails with the lost answer, still ambiguous', async () => {
    const { run, sent, looks } = setup({ answers: ['lost', 'ok'], noList: true })
    await expect(run()).rejects.toMatchObject({
      message: 'The answer was lost. No the list of things to look in.',
      detail: { ambiguous: true }
    })
    expect([sent, looks]).toEqual([[0], [0]])
  })

  it('passes on a failure that surely made nothing, without looking', async () => {
    const { run, looks } = setup({ answers: ['refused'] })
    await expect(run()).rejects.toThrow('Refused.')
    expect(looks).toEqual([])
  })
})

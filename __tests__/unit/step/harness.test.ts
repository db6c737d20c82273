import { describe, expect, it } from '@jest/globals'
import { run } from '../../../src/backup/main.js'
import { runRestore } from '../../../src/restore/main.js'
import type { HttpRequest } from '../../../src/wpengine/http.js'
import { basicToken, CREDS, FakeClock, INSTALL, RecordingCore, RUN_CONTEXT } from '../../support/helpers.js'

// What every step does before its work: all inputs checked at once, credentials masked first, and
// on a bad input one line, a summary, and nothing sent.

async function withInputs(action: typeof run, inputs: Record<string, string>) {
  const core = new RecordingCore(inputs)
  const sent: HttpRequest[] = []
  await action({
    core,
    env: {},
    context: RUN_CONTEXT,
    clock: new FakeClock(),
    send: async (request) => {
      sent.push(request)
      throw new Error('nothing may be sent on bad input')
    }
  })
  return { core, sent }
}

describe.each([
  ['backup', run],
  ['restore', runRestore]
] as const)('%s action: bad input', (_name, action) => {
  it('masks the credentials before the error line, writes a summary, and sends nothing', async () => {
    const { core, sent } = await withInputs(action, { install: 'My-Site', 'api-user-id': CREDS.userId, 'api-password': CREDS.password })
    expect(sent).toEqual([])
    expect(core.log.slice(0, 2)).toEqual([`::add-mask::${CREDS.password}`, `::add-mask::${basicToken(CREDS.userId, CREDS.password)}`])
    expect(core.failed).toMatch(/^Invalid input: install 'My-Site' is neither an install name/)
    expect(core.summaries).toHaveLength(1)
    expect(core.summaries[0]).toMatch(
      /^## ❌ WP Engine (backup|restore): invalid input\n\nNothing was sent to WP Engine\.\n\n- install 'My-Site'/
    )
  })

  it.each([
    ['https://admin:hunter2@api.example.com/v1', "api-url 'https://api.example.com/v1' must not contain credentials"],
    ['https://api.example.com/v1?token=hunter2', "api-url 'https://api.example.com/v1' must not have a query or a fragment"],
    ['https://admin:hunter2@[bad/v1', "api-url 'https://***@[bad/v1' is not a URL"]
  ])('never echoes what an api-url may hide: %s', async (apiUrl, problem) => {
    const { core, sent } = await withInputs(action, {
      install: 'mysite',
      'backup-id': 'e41fa98f-ea80-4654-b229-a9b765d0863a',
      'notification-emails': 'ops@example.com',
      'api-user-id': CREDS.userId,
      'api-password': CREDS.password,
      'api-url': apiUrl
    })
    expect(sent).toEqual([])
    expect(core.failed).toContain(problem)
    expect(core.text).not.toContain('hunter2')
    expect(core.summaries.join('')).not.toContain('hunter2')
  })
})

describe('retryBudget: false', () => {
  it('reaches the client: through a minute of 503s, retries follow their backoff alone instead of the step-wide budget', async () => {
    const requests = async (retryBudget?: false) => {
      let sent = 0
      const core = new RecordingCore({
        install: INSTALL.id,
        'notification-emails': 'ops@example.com',
        'api-user-id': CREDS.userId,
        'api-password': CREDS.password,
        timeout: '1m'
      })
      await run({
        core,
        env: {},
        context: RUN_CONTEXT,
        clock: new FakeClock(),
        // Backoffs of 1 % of their ceiling: at most 0.3 s apart, unless the budget makes a retry wait.
        random: () => 0.01,
        retryBudget,
        send: async () => {
          sent++
          return { status: 503, headers: {}, body: '' }
        }
      })
      expect(core.failed).toMatch(/timeout ran out/)
      return sent
    }
    // The budget pays for 20 retries at once, then 30 a minute (six for each of max-parallel's 5); without it, one every 0.3 s.
    expect(await requests()).toBeLessThanOrEqual(52)
    expect(await requests(false)).toBeGreaterThan(150)
  })
})

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startSimulator, type Simulator } from '../../sim/server.js'
import { ACTION, runAction, SAMPLE_RUN_ENV } from '../../scripts/run-action.js'
import { INSTALL, visible } from '../support/helpers.js'
import { asInput, expectSafe, FIELDS, hostileOptions, linkOf, PIECES, secretsOf } from '../support/hostile.js'

// One run of the bundled action against a hostile API, with a hostile description: what the runner
// reads through @actions/core (escaped commands, the outputs file, the summary file, stderr) keeps the
// invariants that step/hostile-text.test.ts checks in process for any hostile text, over many runs.

/** Every piece of hostile text at once, long enough to be cut at the sink's line limit. */
const EVERY_PIECE = PIECES.join('')
const HOSTILE = EVERY_PIECE.repeat(Math.ceil(6_000 / EVERY_PIECE.length))

let workspace: string
let sim: Simulator
beforeAll(() => {
  if (!existsSync(ACTION)) throw new Error('dist/index.js is missing: run npm run bundle')
  workspace = mkdtempSync(join(tmpdir(), 'wpe-hostile-'))
})
afterAll(async () => {
  await sim?.close()
  rmSync(workspace, { recursive: true, force: true })
})

describe('a hostile API and hostile inputs cannot reach the runner, the secrets or the summary', () => {
  it('the bundled action: backup, archive and download with every piece of hostile text in every answer and in the description', async () => {
    sim = await startSimulator(hostileOptions(Object.fromEntries(FIELDS.map((field) => [field, HOSTILE]))))
    const result = await runAction({
      inputs: {
        install: 'mysite',
        'notification-emails': 'ops@example.com',
        'api-url': sim.url,
        // An answer the decoder refuses counts as lost: the step then looks for its backup for a quarter
        // of the time left, so a short timeout keeps the run short.
        timeout: '30s',
        // The simulator completes backups and archives at once: check after a second, not the usual 2.5 s.
        'poll-interval': '1s',
        description: asInput(HOSTILE),
        'archive-path': 'backups/'
      },
      env: {
        ...SAMPLE_RUN_ENV,
        GITHUB_WORKSPACE: workspace,
        WPENGINE_USER_ID: sim.credentials.userId,
        WPENGINE_PASSWORD: sim.credentials.password
      }
    })
    const link = linkOf(sim)
    expectSafe(
      {
        log: result.stdout,
        visible: visible(result.stdout),
        other: [result.stderr],
        summary: result.summary,
        outputs: result.outputs,
        escaped: true
      },
      [...secretsOf(sim), ...link.secrets]
    )
    const failure = /^::error::(.*)$/m.exec(result.stdout)?.[1]?.slice(0, 500)
    expect({ code: result.code, failure }).toEqual({ code: 0, failure: undefined })
    expect(result.outputs['archive-url']).toBe(link.href)
    expect(result.outputs['install-id']).toBe(INSTALL.id)
  })
})

import { beforeAll, describe, expect, it } from '@jest/globals'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Simulator } from '../../sim/server.js'
import { ACTION, ROOT, runAction } from '../../scripts/run-action.js'
import { INSTALL, visible } from '../support/helpers.js'
import { actionAgainst, count, credentialsOf, expectNoCredentials, expectNoCredentialsIn, useSimulators } from '../support/sim-helpers.js'

// The bundled backup action (dist/index.js), run as the runner runs it: a child process with INPUT_*
// variables, writing its outputs and summary to the runner's files. What it does in each case is the
// step tier's (step/*.test.ts, in process on a fake clock); here only that the bundle itself works, end
// to end, over https against the simulator as it would against the real API, in seconds of real time.

const CERT = join(ROOT, '__tests__', 'fixtures', 'localhost-cert.pem')
const TLS = { cert: readFileSync(CERT), key: readFileSync(join(ROOT, '__tests__', 'fixtures', 'localhost-key.pem')) }
const freshSim = useSimulators({ requestedMs: 300, durationMs: 1_000, tls: TLS })

/** Runs the bundle, trusting the simulator's certificate as a runner trusts the API's. */
async function run(s: Simulator, inputs: Record<string, string> = {}) {
  const result = await runAction(actionAgainst(s, inputs, { NODE_EXTRA_CA_CERTS: CERT }))
  expectNoCredentials(result.stdout, s)
  expectNoCredentialsIn([visible(result.stdout), result.stderr, result.summary, JSON.stringify(result.outputs)], credentialsOf(s))
  expect(result.stdout + result.stderr).not.toMatch(/\n\s+at /)
  expect(result.stderr).toBe('')
  return result
}

beforeAll(() => {
  if (!existsSync(ACTION)) throw new Error('dist/index.js is missing: run npm run bundle')
})

describe('the bundled backup action over https', () => {
  it.concurrent('backs up mysite: exit code 0, every output in the outputs file, the summary in the summary file', async () => {
    const s = await freshSim()
    expect(s.url).toMatch(/^https:/)
    const result = await run(s)
    expect(result.code).toBe(0)
    expect(result.outputs).toMatchObject({
      status: 'completed',
      'install-id': INSTALL.id,
      'install-name': 'mysite',
      'wordpress-version': '6.8.1',
      reused: 'false',
      'dry-run': 'false'
    })
    expect(result.outputs['backup-id']).toMatch(/^[0-9a-f-]{36}$/)
    expect(result.outputs['backup-id']).toBe(s.backups()[0]?.id)
    expect(result.outputs['complete-time']).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(result.outputs.description).toMatch(
      /^Pre-deploy backup of acme\/shop@8c3f2a1 \(main\) by octocat: https:\/\/github\.com\/acme\/shop\/actions\/runs\/987654321 \[ci 987654321-1 deploy\/backup [0-9a-f]{8}\]$/
    )
    expect(result.summary).toContain('## ✅ WP Engine backup of mysite completed')
    expect(result.summary).toContain(`| Backup | \`${result.outputs['backup-id']}\` |`)
    expect(count(s, 'POST', /\/backups$/)).toBe(1)
    expect(s.requests.every((r) => r.authorized)).toBe(true)
  })

  it.concurrent('a dry run of mysite: exit code 0, reads only, and says so in its outputs and summary', async () => {
    const s = await freshSim()
    const result = await run(s, { 'dry-run': 'true' })
    expect(result.code).toBe(0)
    expect(s.requests.map((r) => r.method)).not.toContain('POST')
    expect(s.backups()).toEqual([])
    expect(result.outputs).toMatchObject({
      'dry-run': 'true',
      'backup-id': '',
      status: '',
      'install-id': INSTALL.id,
      'install-name': 'mysite'
    })
    expect(JSON.parse(result.outputs.backups ?? '')).toEqual([expect.objectContaining({ 'install-name': 'mysite', 'real-run': 'request' })])
    expect(result.summary).toMatch(/^## ✅ WP Engine backup dry run passed: nothing was requested\n/)
    expect(result.stdout).toMatch(/^✅ Dry run passed: a real run would request a new backup and wait for it\. Nothing was requested\.$/m)
  })
})

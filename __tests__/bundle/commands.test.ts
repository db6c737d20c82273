import { afterAll, describe, expect, it } from '@jest/globals'
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import YAML from 'yaml'
import { DEFAULT_CREDENTIALS } from '../../sim/server.js'
import { ROOT } from '../../scripts/run-action.js'
import { basicToken, INSTALL } from '../support/helpers.js'

// The repository's own commands, run as processes: one run of `npm run sim` (its flags are read in
// process in unit/sim/cli-args.test.ts), and the release workflow's shell scripts in bash.

const dir = mkdtempSync(join(tmpdir(), 'wpe-commands-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** What a simulator started without credentials (as `npm run sim` is) accepts. */
const defaultAuth = { authorization: `Basic ${basicToken(DEFAULT_CREDENTIALS.userId, DEFAULT_CREDENTIALS.password)}` }

describe('npm run sim (sim/cli.js)', () => {
  it('starts on the given port, writes the ready file, applies faults, and stops on SIGTERM', async () => {
    const ready = join(dir, 'url')
    const child = spawn(
      process.execPath,
      [
        'sim/cli.js',
        ...['--port', '0', '--quiet', '--ready-file', ready, '--outcome', 'aborted', '--gateway', '1.10'],
        ...['--fault', 'GET:^/user$:503:1:7', '--fault', 'GET:^/user$:500:1::Forbidden: API access is disabled']
      ],
      { cwd: ROOT }
    )
    let stdout = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    for (let i = 0; i < 100 && !existsSync(ready); i++) await new Promise((resolve) => setTimeout(resolve, 50))
    const url = readFileSync(ready, 'utf8').trim()
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/)
    const headers = defaultAuth
    const first = await fetch(`${url}/user`, { headers })
    expect([first.status, first.headers.get('retry-after')]).toEqual([503, '7'])
    const second = await fetch(`${url}/user`, { headers })
    expect([second.status, await second.json()]).toEqual([500, { message: 'Forbidden: API access is disabled' }])
    expect((await fetch(`${url}/user`, { headers })).status).toBe(200)
    // As v1.10: no list of backups.
    const list = await fetch(`${url}/installs/${INSTALL.id}/backups`, { headers })
    expect([list.status, await list.json()]).toEqual([403, { message: 'Missing Authentication Token' }])
    const exited = new Promise((resolve) => child.on('exit', resolve))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(stdout).toContain(`WP Engine API simulator listening on ${url} (behind the API gateway, as v1.10)`)
  })
})

describe("releases: the workflow's own scripts, run here", () => {
  const read = (path: string) => readFileSync(join(ROOT, path), 'utf8')
  const release = YAML.parse(read('.github/workflows/release.yml')) as {
    jobs: Record<string, { steps: { name?: string; run?: string }[] }>
  }
  const version = (JSON.parse(read('package.json')) as { version: string }).version
  const stepRun = (job: string, name: string) => release.jobs[job]?.steps.find((step) => step.name?.startsWith(name))?.run ?? ''

  it("take the release notes from CHANGELOG.md's section for the tag (the workflow's own script, run here)", () => {
    const temp = mkdtempSync(join(tmpdir(), 'notes-'))
    try {
      execFileSync('bash', ['-euo', 'pipefail', '-c', stepRun('release', 'Release notes')], {
        cwd: ROOT,
        env: { PATH: process.env.PATH, TAG: `v${version}`, RUNNER_TEMP: temp }
      })
      const notes = readFileSync(join(temp, 'notes.md'), 'utf8')
      expect(notes).toContain('### Added')
      expect(notes).not.toContain('## [')
    } finally {
      rmSync(temp, { recursive: true, force: true })
    }
  })

  it("refuse a tag whose version is not package.json's or has no CHANGELOG.md section", () => {
    const check = stepRun('check', 'The tag is on main')
    const run = (tag: string) =>
      execFileSync('bash', ['-euo', 'pipefail', '-c', check.replace(/^git merge-base .*$/m, '')], {
        cwd: ROOT,
        env: { PATH: process.env.PATH, TAG: tag },
        stdio: 'pipe'
      })
    expect(() => run(`v${version}`)).not.toThrow()
    expect(() => run('v9.9.9')).toThrow()
  })
})

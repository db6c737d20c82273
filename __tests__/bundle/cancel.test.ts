import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Simulator } from '../../sim/server.js'
import { ACTION, RESTORE_ACTION, startAction } from '../../scripts/run-action.js'
import { INSTALL, visible } from '../support/helpers.js'
import { actionAgainst, expectNoCredentials, useSimulators } from '../support/sim-helpers.js'
import { leftInRunnerTemp } from '../support/workspaces.js'

// The runner cancels a step with SIGINT, then SIGTERM: each bundled action, signalled at the moment
// that matters, must end within seconds with its outputs, a summary, and one line saying what is
// known of what it had sent.

// Backups complete at once (the request's answer says so), archives never: the archive phase comes at once.
const freshSim = useSimulators({ requestedMs: 0, durationMs: 0, archiveMs: 600_000 })

/**
 * Runs `script`, and sends `signal` once `ready()` says the moment has come; `afterSignalMs` is how
 * long the action took to exit after it.
 */
async function cancelWhen(
  s: Simulator,
  script: string,
  inputs: Record<string, string>,
  signal: NodeJS.Signals,
  ready: () => boolean,
  env: Record<string, string> = {}
) {
  const { child, result } = startAction({ script, ...actionAgainst(s, inputs, env) })
  let signalledAt = NaN
  let exitedAt = NaN
  const watch = setInterval(() => {
    if (ready()) {
      clearInterval(watch)
      signalledAt = performance.now()
      child.kill(signal)
    }
  }, 20)
  child.once('exit', () => {
    exitedAt = performance.now()
    clearInterval(watch)
  })
  const outcome = await result
  expectNoCredentials(outcome.stdout, s)
  return { ...outcome, afterSignalMs: exitedAt - signalledAt }
}

const errorLines = (stdout: string) =>
  visible(stdout)
    .split('\n')
    .filter((line) => line.startsWith('::error::'))

describe('restore: cancelled', () => {
  it.concurrent.each(['SIGTERM', 'SIGINT'] as const)(
    '%s while the restore request hangs: may have started, says so in one line, outputs and summary written',
    async (signal) => {
      const s = await freshSim()
      const done = s.seedBackup({ installId: INSTALL.id, ageMs: 60_000 })
      s.fault({ method: 'POST', path: /\/restore$/, type: 'hang' })
      const result = await cancelWhen(s, RESTORE_ACTION, { 'backup-id': done.id }, signal, () =>
        s.requests.some((r) => r.method === 'POST' && r.path.endsWith('/restore'))
      )
      // Within seconds of the signal, not after the hung request's 30 s time limit.
      expect(result.afterSignalMs).toBeLessThan(10_000)
      expect(result.code).toBe(1)
      expect(errorLines(result.stdout)).toEqual([
        `::error::The step was cancelled while the request to restore mysite from backup ${done.id} was on its way; WP Engine may or may not have started the restore. Check the install in the WP Engine User Portal before running the restore again.`
      ])
      expect(result.stdout).not.toMatch(/^\s+at /m)
      expect(result.outputs).toMatchObject({ accepted: 'false', 'install-id': INSTALL.id, 'install-name': 'mysite', 'backup-id': done.id })
      expect(result.summary).toContain('## ❓ WP Engine restore of mysite may have started')
      expect(s.requests.filter((r) => r.path.endsWith('/restore'))).toHaveLength(1)
    }
  )

  it.concurrent('SIGTERM before the request: nothing was restored, and it says so', async () => {
    const s = await freshSim()
    const done = s.seedBackup({ installId: INSTALL.id, ageMs: 60_000 })
    s.fault({ method: 'GET', path: new RegExp(`/backups/${done.id}$`), type: 'hang' })
    const result = await cancelWhen(s, RESTORE_ACTION, { 'backup-id': done.id }, 'SIGTERM', () =>
      s.requests.some((r) => r.method === 'GET' && r.path.endsWith(done.id))
    )
    expect(result.code).toBe(1)
    expect(errorLines(result.stdout)).toEqual([
      '::error::The step was cancelled before the restore of mysite was requested: nothing was restored.'
    ])
    // The backup the input named is still the output's (step/restore.test.ts holds the rest of what a cancel reports).
    expect(result.outputs).toMatchObject({ accepted: 'false', 'backup-id': done.id })
    expect(result.summary).toContain('## ⚠️ WP Engine restore of mysite cancelled before it was requested')
    expect(s.requests.filter((r) => r.path.endsWith('/restore'))).toHaveLength(0)
  })
})

describe('backup: cancelled in the archive phase', () => {
  it.concurrent('says the backup completed and is a restore point', async () => {
    const s = await freshSim()
    const result = await cancelWhen(s, ACTION, { install: INSTALL.id, archive: 'true' }, 'SIGTERM', () =>
      s.requests.some((r) => r.method === 'POST' && r.path.endsWith('/archives'))
    )
    const id = result.outputs['backup-id']
    expect(result.code).toBe(1)
    expect(result.outputs.status).toBe('completed')
    expect(errorLines(result.stdout)).toHaveLength(1)
    expect(result.stdout).toContain(`::error::The step was cancelled while making the off-site copy of backup ${id}`)
    expect(result.stdout).toContain('The backup itself completed and is a restore point')
    expect(result.stdout).not.toContain('before WP Engine confirmed a backup request')
  })

  it.concurrent('with several installs, names every install whose copy was under way', async () => {
    const s = await freshSim()
    const result = await cancelWhen(
      s,
      ACTION,
      { install: 'mysite mysitestaging', archive: 'true' },
      'SIGTERM',
      () => s.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/archives')).length === 2
    )
    expect(result.code).toBe(1)
    expect(errorLines(result.stdout)).toEqual([
      '::error::The step was cancelled while making the off-site copies of 2 backups (mysite, mysitestaging). The backups themselves completed and are restore points; re-run the job to finish the archives.'
    ])
    const backups = JSON.parse(result.outputs.backups!) as { status: string; 'archive-state': string }[]
    expect(backups.map((b) => [b.status, b['archive-state']])).toEqual([
      ['completed', 'requested'],
      ['completed', 'requested']
    ])
  })
})

describe('backup: cancelled during an encrypted copy', () => {
  it.concurrent('the plaintext zip was only ever under RUNNER_TEMP, and is gone; the workspace holds nothing', async () => {
    // 8 MB at 2 MB/s: four seconds of download, cancelled once a megabyte of it is on the disk.
    const s = await freshSim({ archiveMs: 300, archiveBytes: 8 * 1024 * 1024, archiveBytesPerSecond: 2 * 1024 * 1024 })
    // A completed backup named by backup-id: no wait for one.
    const done = s.seedBackup({ installId: INSTALL.id, ageMs: 60_000 })
    const dir = mkdtempSync(join(tmpdir(), 'wpe-workspace-'))
    const temp = mkdtempSync(join(tmpdir(), 'wpe-runner-temp-'))
    const staged = (): string[] =>
      leftInRunnerTemp(temp).flatMap((staging) => readdirSync(join(temp, staging)).map((name) => join(temp, staging, name)))
    let seen: string[] = []
    let workspaceThen: string[] = []
    try {
      const result = await cancelWhen(
        s,
        ACTION,
        {
          'backup-id': done.id,
          'archive-path': 'site.zip',
          'archive-recipients': 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p'
        },
        'SIGTERM',
        () => {
          seen = staged()
          workspaceThen = readdirSync(dir)
          return seen.some((file) => (statSync(file, { throwIfNoEntry: false })?.size ?? 0) > 1024 * 1024)
        },
        { GITHUB_WORKSPACE: dir, RUNNER_TEMP: temp }
      )
      expect(seen).toEqual([expect.stringMatching(/\/wpengine-backup-[^/]+\/site\.zip\.part$/)])
      expect(workspaceThen).toEqual([])
      expect(result.code).toBe(1)
      expect(errorLines(result.stdout)).toEqual([
        expect.stringContaining('::error::The step was cancelled while making the off-site copy of backup')
      ])
      expect(readdirSync(dir)).toEqual([])
      expect(leftInRunnerTemp(temp)).toEqual([])
    } finally {
      rmSync(dir, { recursive: true, force: true })
      rmSync(temp, { recursive: true, force: true })
    }
  })
})

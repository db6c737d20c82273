import { afterAll, expect } from '@jest/globals'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Simulator } from '../../sim/server.js'
import { runAction } from '../../scripts/run-action.js'
import { visible } from './helpers.js'
import { actionAgainst, useSimulators } from './sim-helpers.js'

// The bundled backup action run as the runner runs it, against simulators and in workspaces that a
// test file gets fresh and that are closed and removed after it.

export const MB = 1024 * 1024

export function testBed() {
  const dirs: string[] = []
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  })
  return {
    /** Backups take 0.6 s and archives 0.8 s. */
    freshSim: useSimulators({ requestedMs: 200, durationMs: 600, archiveMs: 800 }),
    workspace(): string {
      const dir = mkdtempSync(join(tmpdir(), 'wpe-workspace-'))
      dirs.push(dir)
      return dir
    }
  }
}

/**
 * Runs the backup action for mysite. Whatever happens, every download link the action used was
 * masked before it was used, and no link's token shows anywhere a person or a later job reads.
 */
export async function backup(s: Simulator, inputs: Record<string, string>, env: Record<string, string> = {}) {
  const result = await runAction(actionAgainst(s, inputs, env))
  const used = downloads(s).map((r) => s.links().find((link) => link.endsWith(`token=${r.query.token}`)))
  for (const link of [...used, result.outputs['archive-url']].filter(Boolean)) expect(result.stdout).toContain(`::add-mask::${link}`)
  for (const stream of [visible(result.stdout), result.stderr, result.summary, result.outputs.backups ?? ''])
    expect(stream).not.toContain('token=')
  return result
}

export const downloads = (s: Simulator) => s.requests.filter((r) => r.path.startsWith('/downloads/'))

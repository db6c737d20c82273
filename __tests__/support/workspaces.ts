import { afterAll } from '@jest/globals'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { OUTPUT_FOLDER_PREFIX } from '../../src/step/output-files.js'

/** For one test file: `workspace()` makes a fresh temporary directory; all are removed after the file. */
export function useWorkspaces(prefix = 'wpe-workspace-'): () => string {
  const dirs: string[] = []
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  })
  return () => {
    const dir = mkdtempSync(join(tmpdir(), prefix))
    dirs.push(dir)
    return dir
  }
}

/** What a step left under its RUNNER_TEMP but its output files (backups.json, written there on purpose): staging, if any. */
export function leftInRunnerTemp(temp: string): string[] {
  return readdirSync(temp).filter((name) => !name.startsWith(OUTPUT_FOLDER_PREFIX))
}

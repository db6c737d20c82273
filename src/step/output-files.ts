import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { errorLine } from '../wpengine/errors.js'

/** The folder the files go in, under RUNNER_TEMP: named apart from anything else a step keeps there. */
export const OUTPUT_FOLDER_PREFIX = 'wpengine-outputs-'

// A JSON output can outgrow what GitHub takes for one output (1 MB): a fleet's backups output is
// hundreds of bytes per install. Every output `x` that has an `x-file` beside it is also written to a
// file in the runner's temporary directory, whose path `x-file` holds; `x` itself is emptied when it
// would pass the limit, and the log says so. Off a runner (no RUNNER_TEMP: a test, a run by hand) the
// file is written only when `x` is too large, so that nothing is left behind in the system's tmp.

/** GitHub's limit for one output. */
export const MAX_OUTPUT_BYTES = 1_000_000

/**
 * The outputs with each `x-file` set to the file holding `x` (when `x` has a value), and each `x` too
 * large for an output emptied. `dir` is where the files go (RUNNER_TEMP on a runner); without it, only an output too large is written, to the system's tmp.
 */
export function withOutputFiles(
  outputs: Record<string, string>,
  dir: string | undefined,
  log: { notice(message: string): void; warning(message: string): void }
): Record<string, string> {
  const result = { ...outputs }
  let folder: string | undefined
  for (const name of Object.keys(outputs)) {
    const fileName = `${name}-file`
    const value = outputs[name] ?? ''
    if (!(fileName in outputs) || value === '') continue
    const bytes = Buffer.byteLength(value)
    if (!dir && bytes <= MAX_OUTPUT_BYTES) continue
    try {
      folder ??= mkdtempSync(join(dir || tmpdir(), OUTPUT_FOLDER_PREFIX))
      const path = join(folder, `${name}.json`)
      writeFileSync(path, value)
      result[fileName] = path
    } catch (error) {
      log.warning(`Could not write the ${name} output to a file (${errorLine(error)}); ${fileName} is empty.`)
    }
    if (bytes > MAX_OUTPUT_BYTES) {
      result[name] = ''
      const where = result[fileName] ? `: the whole JSON is in ${result[fileName]} (the ${fileName} output)` : ''
      log.notice(
        `The ${name} output would be ${(bytes / 1_000_000).toFixed(1)} MB, more than the 1 MB GitHub takes for one output, so it is empty${where}.`
      )
    }
  }
  return result
}

// @ts-check
// The off-site copy: the bundled action downloading and testing a 256 MiB archive (64 MiB, once, in the
// quick run) beside `curl -o` of the same file followed by `unzip -t`, wall time (printed, never a
// target: the simulator serving the file shares the CPU with both); and the action's peak memory for
// archives of 100 MB and 400 MB.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startSimulator } from '../sim/server.js'
import { actionAgainst, runAction } from '../scripts/run-action.js'
import { installed, median, megabytes, peakMemoryEnv, SECOND, seconds, target, timeCommand } from './helpers.js'

/** Whether a command is installed: curl and unzip are optional on a developer machine. @param {string} command */

/**
 * The off-site copy of an archive of `mib` MiB, `runs` times each, interleaved: the action (archive-path,
 * the backup and archive reused after the first run) from the download request's arrival to the
 * step's end, which is download and test; and `curl -o` then `unzip -tq`, as a careful user would
 * script it. Beside each, the download alone as the simulator timed it.
 */
async function offsiteCopy(/** @type {number} */ mib, /** @type {number} */ runs) {
  const bytes = mib * 1024 * 1024
  const sim = await startSimulator({ requestedMs: 100, durationMs: 300, archiveMs: 300, archiveBytes: bytes })
  const dir = mkdtempSync(join(tmpdir(), 'wpe-bench-download-'))
  const downloads = () => sim.requests.filter((r) => r.path.startsWith('/downloads/'))
  const served = () => {
    const last = downloads().at(-1)
    return last?.doneAt ? last.doneAt - last.at : Number.NaN
  }
  const tools = installed('curl') && installed('unzip')
  /** @type {{ action: number[], actionDownload: number[], tools: number[], curl: number[] }} */
  const times = { action: [], actionDownload: [], tools: [], curl: [] }
  for (let i = 0; i < runs; i++) {
    const result = await runAction(actionAgainst(sim, { 'archive-path': 'site.zip', 'reuse-within': '1h' }, { GITHUB_WORKSPACE: dir }))
    const ended = Date.now()
    if (result.code !== 0) throw new Error(`the action failed: ${result.stdout}`)
    times.action.push(ended - (downloads().at(-1)?.at ?? Number.NaN))
    times.actionDownload.push(served())
    if (!tools) continue
    const zip = join(dir, 'curl.zip')
    const curl = await timeCommand('curl', ['-sS', '-o', zip, result.outputs['archive-url'] ?? ''])
    times.curl.push(served())
    times.tools.push(curl + (await timeCommand('unzip', ['-tq', zip])))
  }
  await sim.close()
  rmSync(dir, { recursive: true, force: true })
  return {
    action: median(times.action),
    actionDownload: median(times.actionDownload),
    tools: tools ? median(times.tools) : undefined,
    curl: tools ? median(times.curl) : undefined
  }
}

/** The action's peak resident memory (the peak-memory probe) while it downloads and tests an archive of `bytes`. @param {number} bytes */
async function peakMemory(bytes) {
  const sim = await startSimulator({ requestedMs: 100, durationMs: 300, archiveMs: 300, archiveBytes: bytes })
  const dir = mkdtempSync(join(tmpdir(), 'wpe-bench-memory-'))
  const result = await runAction(
    actionAgainst(sim, { 'archive-path': 'site.zip' }, { GITHUB_WORKSPACE: dir, ...peakMemoryEnv(join(dir, 'peak')) })
  )
  await sim.close()
  if (result.code !== 0 || statSync(join(dir, 'site.zip')).size !== bytes) throw new Error(`the action failed: ${result.stdout}`)
  const peak = Number(readFileSync(join(dir, 'peak'), 'utf8'))
  rmSync(dir, { recursive: true, force: true })
  return peak
}

/** @type {import('./helpers.js').Section} */
export default {
  name: 'offsite-copy',
  async run({ quick }) {
    const [size, runs] = quick ? [64, 1] : [256, 5]
    const copy = await offsiteCopy(size, runs)
    const MB = 1024 * 1024
    const memory = { small: await peakMemory(100 * MB), large: await peakMemory(400 * MB) }
    const mib = (/** @type {number} */ ms) => `${(size / (ms / SECOND)).toFixed(0)} MiB/s`
    const lines = [
      `## Off-site copy (${size} MiB from the simulator to disk, ${runs > 1 ? `median of ${runs} interleaved runs` : 'one run'})`,
      '',
      '| | Download and test, wall time (not a target) | Download alone (as served) |',
      '| --- | --- | --- |',
      `| this action (streamed, SHA-256 on the way, then every entry's CRC-32 tested) | ${seconds(copy.action)} | ${seconds(copy.actionDownload)} (${mib(copy.actionDownload)}) |`,
      copy.tools === undefined || copy.curl === undefined
        ? '| `curl -o`, then `unzip -tq` | curl or unzip not installed | |'
        : `| \`curl -o\`, then \`unzip -tq\` | ${seconds(copy.tools)} | ${seconds(copy.curl)} (${mib(copy.curl)}) |`,
      '',
      '| Archive | Peak memory of the action |',
      '| --- | --- |',
      `| 100 MB | ${(memory.small / MB).toFixed(0)} MB |`,
      `| 400 MB | ${(memory.large / MB).toFixed(0)} MB |`
    ]
    // Both sizes are past the point where the garbage collector keeps up with the chunks; 300 MB more on
    // disk barely moves the peak, where a buffering download would add 300 MB.
    const targets = [
      target('off-site copy: peak memory, 400 MB archive', memory.large, 'under', 200 * MB, { unit: megabytes }),
      target('off-site copy: peak memory, 400 MB archive minus 100 MB archive', memory.large - memory.small, 'under', 48 * MB, {
        unit: megabytes
      })
    ]
    return { lines, targets }
  }
}

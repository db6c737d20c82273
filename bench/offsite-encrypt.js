// @ts-check
// The encrypted off-site copy (archive-recipients), measured.
//  1. The bundled action downloading a 256 MiB archive from the local simulator, testing every entry
//     and encrypting it to an age key, beside the tools a careful user would chain: `curl -o`, then
//     `unzip -tq`, then the reference `age` CLI encrypting the same file. Wall time, median of 5
//     interleaved runs; the target is at most 1.5 times the tools' time together (printed, not gated:
//     a wall-clock ratio on a shared machine).
//  2. The action's peak resident memory for a 300 MiB archive, encrypted: under 220 MB (gated; the
//     streamed copy stays far below it, a buffered one would not).
//  3. The zip check alone on 100,000 entries (scripts/hostile-zips.js), beside `unzip -tq`: within
//     2 s (printed).
// Every copy is decrypted with the age CLI and must be the very zip served (gated). The quick run
// (CI) measures 2 and 3 and leaves out the comparison with the tools.
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startSimulator } from '../sim/server.js'
import { zipArchive } from '../sim/zip.js'
import { manyEntries } from '../scripts/hostile-zips.js'
import { actionAgainst, runAction } from '../scripts/run-action.js'
import { built, installed, median, megabytes, peakMemoryEnv, target, timeCommand } from './helpers.js'

const MB = 1024 * 1024
const SECOND = 1000

const { verifyZip } = await built('archive/verify-zip.js')

const seconds = (/** @type {number} */ ms) => `${(ms / SECOND).toFixed(2)} s`

/** An age key made by age-keygen in `dir`: its identity file and its public key. @param {string} dir */
function ageKey(dir) {
  const file = join(dir, 'key.txt')
  spawnSync('age-keygen', ['-o', file], { stdio: 'ignore' })
  const recipient = spawnSync('age-keygen', ['-y', file], { encoding: 'utf8' }).stdout.trim()
  return { file, recipient }
}

/**
 * The SHA-256 and size of an age file's plaintext, decrypted by the age CLI and hashed as it streams:
 * this process stays small, as a child's peak memory starts from its parent's (Linux keeps the
 * resident-set peak across fork and exec).
 * @param {string} file @param {string} identity @returns {Promise<{ sha256: string, bytes: number }>}
 */
function decrypted(file, identity) {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256')
    let bytes = 0
    const child = spawn('age', ['-d', '-i', identity, file], { stdio: ['ignore', 'pipe', 'inherit'] })
    child.stdout.on('data', (chunk) => {
      hash.update(chunk)
      bytes += chunk.length
    })
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve({ sha256: hash.digest('hex'), bytes }) : reject(new Error(`age -d exited ${code}`))))
  })
}

/** The SHA-256 of the zip the simulator serves for `bytes`, hashed slice by slice. @param {number} bytes */
function servedSha256(bytes) {
  const zip = zipArchive(bytes)
  const hash = createHash('sha256')
  for (const slice of zip.read(0, zip.size)) hash.update(slice)
  return hash.digest('hex')
}

/**
 * The action with archive-recipients against a simulator serving `bytes`, in `dir`: its result, and
 * how long it ran from the download request's arrival to its end (download, test and encryption).
 * @param {Awaited<ReturnType<typeof startSimulator>>} sim @param {string} dir @param {string} recipient @param {Record<string, string>} [env]
 */
async function encryptedCopy(sim, dir, recipient, env = {}) {
  const result = await runAction(
    actionAgainst(
      sim,
      { 'archive-path': 'site.zip', 'archive-recipients': recipient, 'reuse-within': '1h' },
      { GITHUB_WORKSPACE: dir, RUNNER_TEMP: join(dir, 'temp'), ...env }
    )
  )
  const ended = Date.now()
  if (result.code !== 0) throw new Error(`the action failed: ${result.stdout}`)
  const downloads = sim.requests.filter((r) => r.path.startsWith('/downloads/'))
  return { result, ms: ended - (downloads.at(-1)?.at ?? Number.NaN) }
}

/** Section 1: the action beside curl, unzip -t and age, interleaved; and every copy checked by decrypting it. @param {number} runs */
async function againstTools(runs) {
  const bytes = 256 * MB
  const sim = await startSimulator({ requestedMs: 100, durationMs: 300, archiveMs: 300, archiveBytes: bytes })
  const dir = mkdtempSync(join(tmpdir(), 'wpe-bench-encrypt-'))
  const key = ageKey(dir)
  const served = servedSha256(bytes)
  const tools = installed('curl') && installed('unzip', ['-v'])
  /** @type {{ action: number[], curl: number[], unzip: number[], age: number[] }} */
  const times = { action: [], curl: [], unzip: [], age: [] }
  let sound = true
  for (let i = 0; i < runs; i++) {
    const { result, ms } = await encryptedCopy(sim, dir, key.recipient)
    times.action.push(ms)
    const plain = await decrypted(result.outputs['archive-file'] ?? '', key.file)
    sound &&= plain.sha256 === served && result.outputs['archive-zip-sha256'] === served
    if (!tools) continue
    const zip = join(dir, 'curl.zip')
    times.curl.push(await timeCommand('curl', ['-sS', '-o', zip, result.outputs['archive-url'] ?? '']))
    times.unzip.push(await timeCommand('unzip', ['-tq', zip]))
    times.age.push(await timeCommand('age', ['-r', key.recipient, '-o', `${zip}.age`, zip]))
  }
  await sim.close()
  rmSync(dir, { recursive: true, force: true })
  return {
    sound,
    action: median(times.action),
    tools: tools ? { curl: median(times.curl), unzip: median(times.unzip), age: median(times.age) } : undefined
  }
}

/** Section 2: the action's peak resident memory for an encrypted copy of `bytes`. @param {number} bytes */
async function peakMemory(bytes) {
  const sim = await startSimulator({ requestedMs: 100, durationMs: 300, archiveMs: 300, archiveBytes: bytes })
  const dir = mkdtempSync(join(tmpdir(), 'wpe-bench-encrypt-memory-'))
  const key = ageKey(dir)
  const { result } = await encryptedCopy(sim, dir, key.recipient, {
    ...peakMemoryEnv(join(dir, 'peak'))
  })
  await sim.close()
  const peak = Number(readFileSync(join(dir, 'peak'), 'utf8'))
  const sound = (await decrypted(result.outputs['archive-file'] ?? '', key.file)).sha256 === servedSha256(bytes)
  rmSync(dir, { recursive: true, force: true })
  return { peak, sound }
}

/** Section 3: the zip check on 100,000 entries, best of 3, beside unzip -tq. */
async function manyEntriesCheck() {
  const dir = mkdtempSync(join(tmpdir(), 'wpe-bench-entries-'))
  const file = join(dir, 'many.zip')
  writeFileSync(file, manyEntries(100_000))
  /** @type {number[]} */
  const ours = []
  /** @type {number[]} */
  const unzip = []
  for (let i = 0; i < 3; i++) {
    const started = performance.now()
    const { entries } = await verifyZip(file)
    if (entries !== 100_000) throw new Error(`checked ${entries} entries`)
    ours.push(performance.now() - started)
    if (installed('unzip', ['-v'])) unzip.push(await timeCommand('unzip', ['-tq', file]))
  }
  rmSync(dir, { recursive: true, force: true })
  return { ours: Math.min(...ours), unzip: unzip.length > 0 ? Math.min(...unzip) : undefined }
}

/** @type {import('./helpers.js').Section} */
export default {
  name: 'offsite-encrypt',
  async run({ quick }) {
    if (!installed('age')) throw new Error('The age CLI is missing: apt-get install age')
    const runs = quick ? 1 : 5
    // First, while this process is smallest: a child's peak memory counts its parent's at the fork.
    const memory = await peakMemory(300 * MB)
    const copy = quick ? undefined : await againstTools(runs)
    const entries = await manyEntriesCheck()
    const together = copy?.tools ? copy.tools.curl + copy.tools.unzip + copy.tools.age : undefined
    const ratio = together && copy ? copy.action / together : undefined

    const lines = [
      `## Encrypted off-site copy (256 MiB from the simulator, median of ${runs} interleaved runs)`,
      '',
      ...(copy === undefined ? ['The quick run leaves out the comparison with curl, unzip -t and age.', ''] : []),
      '| | Wall time |',
      '| --- | --- |',
      ...(copy ? [`| this action: download, test every entry, encrypt to one age key (one read) | ${seconds(copy.action)} |`] : []),
      ...(copy?.tools
        ? [
            `| \`curl -o\` | ${seconds(copy.tools.curl)} |`,
            `| \`unzip -tq\` | ${seconds(copy.tools.unzip)} |`,
            `| \`age -r\` (the reference CLI) | ${seconds(copy.tools.age)} |`,
            `| the three together | ${seconds(/** @type {number} */ (together))} |`
          ]
        : copy
          ? ['| `curl -o`, `unzip -tq`, `age -r` | curl or unzip not installed |']
          : []),
      '',
      '| Check | Figure |',
      '| --- | --- |',
      `| the action against the three tools together (target at most 1.5×; printed, not gated) | ${ratio === undefined ? 'n/a' : `${ratio.toFixed(2)}×`} |`,
      `| peak memory of the action, 300 MiB archive encrypted | ${(memory.peak / MB).toFixed(0)} MB |`,
      `| zip check of 100,000 entries (target within 2 s; printed, not gated) | ${seconds(entries.ours)}${entries.unzip === undefined ? '' : `; \`unzip -tq\` ${seconds(entries.unzip)}`} |`
    ]
    const targets = [
      target(
        'encrypted copies that the age CLI decrypts to the very zip served (archive-zip-sha256 its hash)',
        Number(memory.sound) + Number(copy?.sound ?? true),
        'exactly',
        2
      ),
      target('peak memory for 300 MiB encrypted', memory.peak, 'under', 220 * MB, { unit: megabytes })
    ]
    return { lines, targets }
  }
}

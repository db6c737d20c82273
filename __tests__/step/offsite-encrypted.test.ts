import { describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { defaultInstalls, type Simulator } from '../../sim/server.js'
import { zipArchive } from '../../sim/zip.js'
import type { RecordingCore } from '../support/helpers.js'
import { ageDecrypt, ageKey, type AgeKey } from '../support/age.js'
import { useStepBed } from '../support/step.js'
import { useWorkspaces, leftInRunnerTemp } from '../support/workspaces.js'

// The off-site copy with archive-recipients, a whole backup step in process against the simulator
// on a fake clock: the copy kept is an age file that Debian's age CLI decrypts with either key, the
// plaintext zip is only ever under RUNNER_TEMP and is gone however the step ends, and the outputs
// describe the file kept and the zip inside. Also here: bodies sent with a Content-Encoding.

const MB = 1024 * 1024
const setup = useStepBed()
const workspace = useWorkspaces()
type Bed = Awaited<ReturnType<typeof setup>>

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')
const downloads = (s: Simulator) => s.requests.filter((r) => r.path.startsWith('/downloads/'))
const archivePosts = (s: Simulator) => s.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/archives'))
const errorLines = (core: RecordingCore) => core.log.filter((line) => line.startsWith('::error::'))
/** The zip the simulator serves for an archive of `bytes`. */
const servedZip = (bytes: number) => {
  const zip = zipArchive(bytes)
  return Buffer.concat([...zip.read(0, zip.size)])
}

/** Two keys, the step's workspace, and its RUNNER_TEMP, each a fresh directory. */
async function places() {
  const keysDir = workspace()
  const keys = [await ageKey(keysDir, 'ops'), await ageKey(keysDir, 'escrow')] as [AgeKey, AgeKey]
  return { keys, dir: workspace(), temp: workspace() }
}

/** The backup step with archive-recipients given as a multi-line secret with a comment. */
async function encryptedBackup(bed: Bed, inputs: Record<string, string>, { keys, dir, temp }: Awaited<ReturnType<typeof places>>) {
  const recipients = `# ops laptop, then the escrow key\n${keys[0].recipient}\n${keys[1].recipient}\n`
  const { core } = await bed.backup({ 'archive-recipients': recipients, ...inputs }, { env: { GITHUB_WORKSPACE: dir, RUNNER_TEMP: temp } })
  // Whatever happened, no plaintext staging is left under RUNNER_TEMP.
  expect(leftInRunnerTemp(temp)).toEqual([])
  return core
}

describe('archive-recipients: a copy kept only encrypted', () => {
  it('keeps <archive-path>.age, which the age CLI decrypts with either key to the very zip served; the outputs describe both', async () => {
    const bed = await setup({ archiveBytes: 3 * MB })
    const at = await places()
    const core = await encryptedBackup(bed, { 'archive-path': 'site.zip' }, at)
    expect(core.failed).toBeUndefined()
    const file = join(at.dir, 'site.zip.age')
    expect(readdirSync(at.dir)).toEqual(['site.zip.age'])
    const zip = servedZip(3 * MB)
    for (const key of at.keys) expect(sha256(ageDecrypt(file, key))).toBe(sha256(zip))
    const stored = readFileSync(file)
    expect(core.outputs).toMatchObject({
      'archive-file': file,
      'archive-bytes': String(stored.length),
      'archive-sha256': sha256(stored),
      'archive-zip-sha256': sha256(zip)
    })
    const [entry] = JSON.parse(core.outputs.backups!) as Record<string, unknown>[]
    expect(entry).toMatchObject({
      'archive-file': file,
      'archive-bytes': stored.length,
      'archive-sha256': sha256(stored),
      'archive-zip-sha256': sha256(zip)
    })
    expect(core.text).toContain('\nTesting every entry of the zip and encrypting it to 2 age recipients, in one read.\n')
    expect(core.text).toContain(
      `${file}: the zip is sound (1 entry, every size and CRC-32 as its directory says) and encrypted to 2 age recipients; no plaintext copy is kept.`
    )
    expect(core.summaries[0]).toContain(`| Archive file | ${file} (${(stored.length / MB).toFixed(1)} MB, encrypted to 2 age recipients) |`)
    expect(core.summaries[0]).toContain(`| Zip SHA-256 | ${sha256(zip)} |`)
  })

  it('a broken download is resumed in RUNNER_TEMP, and the copy still decrypts to the whole zip', async () => {
    const bed = await setup({ archiveBytes: 4 * MB })
    bed.sim.fault({ path: /^\/downloads\//, type: 'break-download', afterBytes: MB })
    const at = await places()
    const core = await encryptedBackup(bed, { 'archive-path': 'site.zip' }, at)
    expect(core.failed).toBeUndefined()
    expect(downloads(bed.sim).map((r) => r.status)).toEqual([200, 206])
    expect(ageDecrypt(join(at.dir, 'site.zip.age'), at.keys[1]).equals(servedZip(4 * MB))).toBe(true)
  })

  it('a damaged zip is never kept: no .age, no partial file, no plaintext; one new archive is tried', async () => {
    const bed = await setup({ archiveZip: 'flipped' })
    const at = await places()
    const core = await encryptedBackup(bed, { 'archive-path': 'site.zip' }, at)
    expect(core.failed).toBeDefined()
    expect(errorLines(core)).toEqual([
      expect.stringMatching(/^::error::The downloaded archive is not a sound zip file: entry site-backup\.sql is damaged/)
    ])
    expect(archivePosts(bed.sim)).toHaveLength(2)
    expect(readdirSync(at.dir)).toEqual([])
    expect(core.outputs).toMatchObject({ 'archive-file': '', 'archive-sha256': '', 'archive-zip-sha256': '' })
  })

  it('several installs: one <install>-<backup id>.zip.age each, each decrypting to its own zip', async () => {
    const installs = defaultInstalls(1).map((install, n) => ({ ...install, archiveBytes: (n + 1) * MB }))
    const bed = await setup({ installs })
    const at = await places()
    const core = await encryptedBackup(bed, { install: 'mysite mysitestaging filler0001', 'archive-path': 'copies' }, at)
    expect(core.failed).toBeUndefined()
    const backups = JSON.parse(core.outputs.backups!) as Record<string, string>[]
    expect(readdirSync(join(at.dir, 'copies')).sort()).toEqual(backups.map((b) => `${b['install-name']}-${b['backup-id']}.zip.age`).sort())
    for (const entry of backups) {
      const zip = servedZip(installs.find((i) => i.name === entry['install-name'])!.archiveBytes)
      const file = join(at.dir, 'copies', `${entry['install-name']}-${entry['backup-id']}.zip.age`)
      expect(entry).toMatchObject({ 'archive-file': file, 'archive-sha256': sha256(readFileSync(file)), 'archive-zip-sha256': sha256(zip) })
      expect(ageDecrypt(file, at.keys[0]).equals(zip)).toBe(true)
    }
  })

  it('an archive-path ending in .age is the file kept', async () => {
    const bed = await setup()
    const at = await places()
    const core = await encryptedBackup(bed, { 'archive-path': 'backup.age' }, at)
    expect(core.outputs['archive-file']).toBe(join(at.dir, 'backup.age'))
    expect(statSync(join(at.dir, 'backup.age')).size).toBeGreaterThan(256 * 1024)
  })
})

describe('RUNNER_TEMP', () => {
  it('is made when missing, and a RUNNER_TEMP that cannot be used is one clear line', async () => {
    const bed = await setup()
    const at = await places()
    const missing = join(at.temp, 'not', 'yet')
    const made = await bed.backup(
      { 'archive-path': 'site.zip', 'archive-recipients': at.keys[0].recipient },
      { env: { GITHUB_WORKSPACE: at.dir, RUNNER_TEMP: missing } }
    )
    expect(made.core.failed).toBeUndefined()
    expect(leftInRunnerTemp(missing)).toEqual([])
    const file = join(at.dir, 'site.zip.age')
    const { core } = await bed.backup(
      { 'archive-path': 'elsewhere.zip', 'archive-recipients': at.keys[0].recipient },
      { env: { GITHUB_WORKSPACE: at.dir, RUNNER_TEMP: file } }
    )
    expect(errorLines(core)).toEqual([
      `::error::Could not make a place for the zip under RUNNER_TEMP (${file}, EEXIST), where it is tested and encrypted. Run the step on a runner whose RUNNER_TEMP is writable.`
    ])
  })
})

describe('a body sent with a Content-Encoding', () => {
  it.each(['gzip', 'br'] as const)('%s: decoded, said so, and tested like any other', async (encoding) => {
    const bed = await setup({ archiveBytes: 2 * MB, archiveEncoding: encoding })
    const dir = workspace()
    const { core } = await bed.backup({ 'archive-path': 'site.zip' }, { env: { GITHUB_WORKSPACE: dir } })
    expect(core.failed).toBeUndefined()
    expect(downloads(bed.sim)[0]?.status).toBe(200)
    expect(core.text).toContain(
      `The download server sent the archive ${encoding}-encoded (Content-Encoding: ${encoding}), though the step asked for none; decoding it.`
    )
    expect(readFileSync(join(dir, 'site.zip')).equals(servedZip(2 * MB))).toBe(true)
    expect(archivePosts(bed.sim)).toHaveLength(1)
  })

  it('one the step cannot decode is refused by name, without requesting a new archive', async () => {
    const bed = await setup({ archiveEncoding: 'compress' })
    const dir = workspace()
    const { core } = await bed.backup({ 'archive-path': 'site.zip' }, { env: { GITHUB_WORKSPACE: dir } })
    expect(errorLines(core)).toEqual([
      '::error::The download server sent the archive with Content-Encoding: compress, which the step cannot decode (it asked for none, and decodes gzip, deflate, br and zstd). Re-run the job later; if it persists, the storage behind the link is misconfigured.'
    ])
    expect(archivePosts(bed.sim)).toHaveLength(1)
    expect(readdirSync(dir)).toEqual([])
  })
})

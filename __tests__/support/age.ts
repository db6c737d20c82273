import { execFileSync, spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateIdentity, identityToRecipient } from 'age-encryption'

// The reference age CLI (Debian's `age` package; .ci/run installs it), to decrypt what the step
// encrypts, and keys for it.

export interface AgeKey {
  /** The identity file, as `age -d -i` takes it. */
  file: string
  identity: string
  recipient: string
}

/** A new X25519 key, its identity written to `dir`. */
export async function ageKey(dir: string, name: string): Promise<AgeKey> {
  const identity = await generateIdentity()
  const file = join(dir, `${name}.txt`)
  writeFileSync(file, `# created for a test\n${identity}\n`, { mode: 0o600 })
  return { file, identity, recipient: await identityToRecipient(identity) }
}

/** The plaintext of an age file, decrypted by the age CLI with one key; throws with age's own words when it cannot. */
export function ageDecrypt(file: string, key: AgeKey): Buffer {
  if (spawnSync('age', ['--version']).error) throw new Error('The age CLI is missing: apt-get install age (the tests decrypt with it).')
  return execFileSync('age', ['--decrypt', '--identity', key.file, file], { maxBuffer: 1024 ** 3, stdio: ['ignore', 'pipe', 'pipe'] })
}

import { describe, expect, it } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Decrypter, generateHybridIdentity, identityToRecipient } from 'age-encryption'
import fc from 'fast-check'
import { AgeEncryptor, encryptedSizeLimit, parseRecipients } from '../../../src/archive/age-encrypt.js'
import { ageDecrypt, ageKey } from '../../support/age.js'
import { useWorkspaces } from '../../support/workspaces.js'

// The age stream encryptor, decrypted by the reference age CLI with either key; and the recipients
// archive-recipients accepts (the input's own tests are in unit/backup/inputs.test.ts).

const workspace = useWorkspaces()
const quote = (value: string) => `'${value}'`
const X25519 = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p'

/** `plain` encrypted in the pieces given. */
async function encrypt(recipients: string[], pieces: Buffer[]): Promise<Buffer> {
  const encryptor = await AgeEncryptor.start(recipients)
  return Buffer.concat([encryptor.header, ...pieces.flatMap((piece) => encryptor.update(piece)), encryptor.final()])
}

describe('AgeEncryptor', () => {
  it('writes a file the age CLI decrypts with either of two keys, and not with a third; at every chunk boundary', async () => {
    const dir = workspace()
    const [one, two, stranger] = await Promise.all(['one', 'two', 'stranger'].map((name) => ageKey(dir, name)))
    // Around the 64 KiB chunk: empty, one byte, a chunk less one, a whole chunk (the last one is flagged), and beyond.
    for (const size of [0, 1, 65_535, 65_536, 65_537, 3 * 65_536 + 10]) {
      const plain = randomBytes(size)
      const file = join(dir, `${size}.age`)
      const sealed = await encrypt([one!.recipient, two!.recipient], [plain.subarray(0, size >> 1), plain.subarray(size >> 1)])
      writeFileSync(file, sealed)
      expect(ageDecrypt(file, one!).equals(plain)).toBe(true)
      expect(ageDecrypt(file, two!).equals(plain)).toBe(true)
      expect(() => ageDecrypt(file, stranger!)).toThrow(/no identity matched any of the recipients/)
      expect(sealed.length).toBeLessThanOrEqual(encryptedSizeLimit(size, 2))
    }
  })

  it('any split of the input gives a file that decrypts to it (the library reads it back)', async () => {
    const { identity, recipient } = await ageKey(workspace(), 'key')
    const plain = randomBytes(200_000)
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: plain.length }), { maxLength: 6 }), async (cuts) => {
        const at = [0, ...cuts.sort((a, b) => a - b), plain.length]
        const sealed = await encrypt(
          [recipient],
          at.slice(1).map((end, i) => plain.subarray(at[i], end))
        )
        const decrypter = new Decrypter()
        decrypter.addIdentity(identity)
        expect(Buffer.from(await decrypter.decrypt(sealed)).equals(plain)).toBe(true)
      }),
      { numRuns: 20 }
    )
  })

  it('a file cut at a chunk boundary does not decrypt: the last chunk is flagged', async () => {
    const dir = workspace()
    const key = await ageKey(dir, 'key')
    const sealed = await encrypt([key.recipient], [randomBytes(3 * 65_536)])
    const file = join(dir, 'cut.age')
    writeFileSync(file, sealed.subarray(0, sealed.length - (65_536 + 16)))
    expect(() => ageDecrypt(file, key)).toThrow()
  })

  it('encrypts to post-quantum recipients (age1pq1…), for age 1.3 and later', async () => {
    const identity = await generateHybridIdentity()
    const plain = randomBytes(100_000)
    const sealed = await encrypt([await identityToRecipient(identity)], [plain])
    const decrypter = new Decrypter()
    decrypter.addIdentity(identity)
    expect(Buffer.from(await decrypter.decrypt(sealed)).equals(plain)).toBe(true)
  })
})

describe('parseRecipients', () => {
  it('reads recipients one per line or separated by commas, skipping blank lines, # comments and repeats', () => {
    const other = 'age1lggyhqrw2nlhcxprm67z43rta597azn8gknawjehu9d9dl0jq3yqqvfafg'
    expect(parseRecipients(`# ops laptop\n${X25519}, ${other}\n\n${X25519}\n`, quote)).toEqual({
      recipients: [X25519, other],
      problems: []
    })
  })

  it('names each bad recipient, and never repeats a private key', async () => {
    const { identity } = await ageKey(workspace(), 'key')
    const text = [
      identity,
      'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG4 me@laptop',
      'age1yubikey1qwerty',
      `${X25519.slice(0, -1)}q`,
      'hunter2'
    ].join('\n')
    const { problems } = parseRecipients(text, quote)
    expect(problems).toEqual([
      'a private key (AGE-SECRET-KEY-…) was given, not a recipient: give its public key (age-keygen -y key.txt prints it), keep the private key offline, and make a new one, as this one has been pasted where it does not belong',
      "'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG4 me@laptop' is an SSH key: this action encrypts to age keys only (age1…, made by age-keygen)",
      "'age1yubikey1qwerty' is a recipient of the age plugin age-plugin-yubikey, which the step cannot run: give a native age key (age1…, made by age-keygen)",
      `'${X25519.slice(0, -1)}q' is not an age recipient: give a public key such as ${X25519} (age-keygen prints one)`,
      `'hunter2' is not an age recipient: give a public key such as ${X25519} (age-keygen prints one)`
    ])
    expect(problems.join('\n')).not.toContain(identity.slice(16))
  })

  it('refuses post-quantum and classic keys mixed, as age does', async () => {
    const pq = await identityToRecipient(await generateHybridIdentity())
    expect(parseRecipients(pq, quote).problems).toEqual([])
    expect(parseRecipients(`${pq}\n${X25519}`, quote).problems).toEqual([
      `'${X25519}' is a classic key among post-quantum ones: a file encrypted to both is only as safe as the classic key, so age refuses the mix. Give keys of one kind`
    ])
  })
})

import { createCipheriv, hkdfSync } from 'node:crypto'
import { Encrypter } from 'age-encryption'

// age (age-encryption.org/v1), for the off-site copy: the recipients a user may give, and a stream
// encryptor. The `age-encryption` library, by the format's author, reads the recipients, makes the
// file key, wraps it for each recipient and writes the header with its MAC; the payload, which is
// all the bulk, is sealed here with node:crypto's ChaCha20-Poly1305 (OpenSSL), about fifteen times
// as fast as the library's JavaScript cipher, in the format's STREAM construction.

const CHUNK = 64 * 1024
const TAG = 16
const NONCE = 16
// What a recipient's stanza may add to the header at most (a post-quantum one is about 1.6 KB).
const STANZA_ALLOWANCE = 2048

// Recipients the library encrypts to by itself: X25519 (age1…), post-quantum hybrid (age1pq1…), and
// the tag recipients of hardware keys (age1tag1…, age1tagpq1…). Any other `age1<name>1…` is a plugin's.
const NATIVE_PREFIX = /^age1(pq|tag|tagpq)?1/
const PLUGIN = /^age1([a-z0-9]+)1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]+$/
const POST_QUANTUM = /^age1(pq|tagpq)1/

/** What a recipient encrypts for: post-quantum hybrids and classic keys cannot be mixed in one file. */
export const isPostQuantum = (recipient: string): boolean => POST_QUANTUM.test(recipient)

/**
 * The recipients in `text`, one per line or separated by commas, as in an age recipients file: blank
 * lines and `#` comments are skipped, repeats dropped. Each problem names the bad value (`quote`),
 * except a private key, which is never repeated.
 */
export function parseRecipients(text: string, quote: (value: string) => string): { recipients: string[]; problems: string[] } {
  const recipients: string[] = []
  const problems: string[] = []
  for (const line of text.split(/\r?\n/)) {
    if (line.trim().startsWith('#')) continue
    for (const item of line.split(',').map((part) => part.trim())) {
      if (item === '') continue
      const problem = recipientProblem(item, quote)
      if (problem) problems.push(problem)
      else if (!recipients.includes(item)) recipients.push(item)
    }
  }
  const classic = recipients.filter((recipient) => !isPostQuantum(recipient))
  if (problems.length === 0 && classic.length > 0 && classic.length < recipients.length) {
    problems.push(
      `${quote(classic[0]!)} is a classic key among post-quantum ones: a file encrypted to both is only as safe as the classic key, so age refuses the mix. Give keys of one kind`
    )
  }
  return { recipients, problems }
}

function recipientProblem(item: string, quote: (value: string) => string): string | undefined {
  if (/^AGE-(PLUGIN-[A-Z0-9]+-)?SECRET-KEY-/i.test(item)) {
    return 'a private key (AGE-SECRET-KEY-…) was given, not a recipient: give its public key (age-keygen -y key.txt prints it), keep the private key offline, and make a new one, as this one has been pasted where it does not belong'
  }
  if (/^(ssh-(ed25519|rsa)|ecdsa-sha2-)/.test(item)) {
    return `${quote(item)} is an SSH key: this action encrypts to age keys only (age1…, made by age-keygen)`
  }
  const plugin = NATIVE_PREFIX.test(item) ? undefined : PLUGIN.exec(item)?.[1]
  if (plugin) {
    return `${quote(item)} is a recipient of the age plugin age-plugin-${plugin}, which the step cannot run: give a native age key (age1…, made by age-keygen)`
  }
  try {
    new Encrypter().addRecipient(item)
    return undefined
  } catch {
    return `${quote(item)} is not an age recipient: give a public key such as age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p (age-keygen prints one)`
  }
}

/** The most an age file of `plainBytes` takes for these recipients: the header, the nonce, and a tag per 64 KiB chunk. */
export function encryptedSizeLimit(plainBytes: number, recipients: number): number {
  return plainBytes + TAG * Math.max(1, Math.ceil(plainBytes / CHUNK)) + NONCE + 128 + STANZA_ALLOWANCE * recipients
}

/**
 * An age file written as a stream: `header` first, then what `update` returns for each piece of the
 * plaintext, then `final()`. Chunks of 64 KiB, each sealed with its counter; the last one is flagged,
 * so a file cut short at a chunk's end does not decrypt.
 */
export class AgeEncryptor {
  private readonly nonce = Buffer.alloc(12)
  private readonly pending = Buffer.alloc(CHUNK)
  private pendingLength = 0

  private constructor(
    /** The header and the payload nonce: the start of the file. */
    readonly header: Buffer,
    private readonly key: Buffer
  ) {}

  static async start(recipients: string[]): Promise<AgeEncryptor> {
    const encrypter = new Encrypter()
    for (const recipient of recipients) encrypter.addRecipient(recipient)
    // The library calls each recipient with the new file key once; this one keeps it and adds no stanza.
    let fileKey: Uint8Array | undefined
    encrypter.addRecipient({
      wrapFileKey: (key: Uint8Array) => {
        fileKey = key
        return []
      }
    })
    // An empty file is the header, the payload nonce, and the final chunk's tag alone.
    const empty = await encrypter.encrypt(new Uint8Array(0))
    if (fileKey?.length !== 16 || empty.length < TAG + NONCE) throw new Error('age-encryption made no file key')
    const start = Buffer.from(empty.subarray(0, empty.length - TAG))
    const key = Buffer.from(hkdfSync('sha256', fileKey, start.subarray(start.length - NONCE), 'payload', 32))
    fileKey.fill(0)
    return new AgeEncryptor(start, key)
  }

  /** The sealed chunks that `plain` completes; the last 64 KiB are held back until it is known whether more follows. */
  update(plain: Buffer): Buffer[] {
    const sealed: Buffer[] = []
    let at = 0
    while (at < plain.length) {
      if (this.pendingLength === CHUNK) {
        sealed.push(this.seal(this.pending, false))
        this.pendingLength = 0
      }
      // Whole chunks straight from the input, as long as more follows them.
      while (this.pendingLength === 0 && plain.length - at > CHUNK) {
        sealed.push(this.seal(plain.subarray(at, at + CHUNK), false))
        at += CHUNK
      }
      const length = Math.min(CHUNK - this.pendingLength, plain.length - at)
      plain.copy(this.pending, this.pendingLength, at, at + length)
      this.pendingLength += length
      at += length
    }
    return sealed
  }

  /** The last chunk, flagged as the last (empty only when the whole file is). */
  final(): Buffer {
    const last = this.seal(this.pending.subarray(0, this.pendingLength), true)
    this.key.fill(0)
    return last
  }

  private seal(chunk: Buffer, last: boolean): Buffer {
    this.nonce[11] = last ? 1 : 0
    const cipher = createCipheriv('chacha20-poly1305', this.key, this.nonce, { authTagLength: TAG })
    const sealed = Buffer.concat([cipher.update(chunk), cipher.final(), cipher.getAuthTag()])
    // The 11-byte big-endian chunk counter.
    for (let i = 10; i >= 0; i--) {
      this.nonce[i] = (this.nonce[i]! + 1) & 0xff
      if (this.nonce[i] !== 0) break
    }
    return sealed
  }
}

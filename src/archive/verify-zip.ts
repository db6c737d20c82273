import yauzl from 'yauzl'
import { crc32 } from 'node:zlib'
import { safeText } from '../text/safe-text.js'

/** A file that is not a sound zip; the message says what is wrong with it. */
export class BadZipError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'BadZipError'
  }
}

/**
 * Tests the zip as `unzip -t` does: yauzl reads its central directory (ZIP64 too) and every entry's
 * data, inflating what is compressed and holding each entry to the size the directory gives it;
 * zlib's CRC-32 of the data must match the directory's. One entry and one chunk at a time, so memory
 * stays flat whatever the size. A zip with no entries is refused: an archive of a site never is one.
 */
export async function verifyZip(path: string, signal?: AbortSignal): Promise<{ entries: number }> {
  let zip: yauzl.ZipFile
  try {
    zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: true, validateEntrySizes: true, strictFileNames: false })
  } catch (error) {
    throw new BadZipError(`it is not a readable zip (${reason(error)})`)
  }
  try {
    if (zip.entryCount === 0) throw new BadZipError('it has no entries')
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName.endsWith('/')) continue
      const name = safeText(entry.fileName, 120)
      if (!entry.canDecodeFileData()) throw new BadZipError(`entry ${name} is encrypted or compressed in a way that cannot be checked`)
      let crc = 0
      try {
        for await (const chunk of await zip.openReadStreamPromise(entry)) {
          signal?.throwIfAborted()
          crc = crc32(chunk as Buffer, crc)
        }
      } catch (error) {
        if (signal?.aborted) throw error
        throw new BadZipError(`entry ${name} is damaged (${reason(error)})`)
      }
      if (crc !== entry.crc32) {
        throw new BadZipError(`entry ${name} is damaged: its data has CRC-32 ${hex(crc)}, the zip says ${hex(entry.crc32)}`)
      }
    }
    return { entries: zip.entryCount }
  } catch (error) {
    if (error instanceof BadZipError || signal?.aborted) throw error
    throw new BadZipError(`its directory is damaged (${reason(error)})`)
  } finally {
    zip.close()
  }
}

const hex = (n: number): string => n.toString(16).padStart(8, '0')

/** yauzl's and zlib's own words, e.g. `invalid central directory file header signature: 0x0`. */
function reason(error: unknown): string {
  return safeText(error instanceof Error ? error.message : String(error), 200).replace(/\.$/, '')
}

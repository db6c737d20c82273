import { stat, statfs } from 'node:fs/promises'

// The runner's disks, as the off-site copies of one step share them: the free space, the margin a
// download without a size leaves, and what each copy still has to write where.

/** `157286400` → `150.0 MB` (binary megabytes, as download tools show them). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`
}

/** What an unprivileged writer may still put on the disk that holds `directory`. */
export async function freeSpace(directory: string): Promise<number> {
  const disk = await statfs(directory)
  return disk.bavail * disk.bsize
}

// Left free when a download has no announced size, for the runner and the job's later steps: a
// twentieth of the disk, at most 256 MiB.
const MAX_MARGIN = 256 * 1024 ** 2

export async function marginOf(directory: string): Promise<number> {
  const disk = await statfs(directory)
  return Math.min(MAX_MARGIN, Math.floor((disk.blocks * disk.bsize) / 20))
}

/** The device that holds `directory`, to tell whether two files share a disk. */
export async function deviceOf(directory: string): Promise<number> {
  return (await stat(directory)).dev
}

/** A file one of the step's copies is writing, or will write. */
export interface DiskClaim {
  /** How it is named in a message: `mysitestaging`, `mysite's encrypted copy`. */
  readonly label: string
  readonly device: number
  /** Bytes written so far. */
  written: number
  /** Bytes still to write, as far as they are known. */
  owed(): number
}

/**
 * The files the step's copies are writing at the same time. Each free-space check subtracts what
 * the others on the same disk still have to write, so that two archives that fit one by one but not
 * together fail before either fills the disk; and a disk that fills anyway can be told apart from
 * one that something else on the runner filled.
 */
export class DiskClaims {
  private readonly claims = new Set<DiskClaim>()

  add(claim: DiskClaim): () => void {
    this.claims.add(claim)
    return () => this.claims.delete(claim)
  }

  /** What the other claims on `claim`'s disk still have to write, and whose those bytes are. */
  owedBesides(claim: DiskClaim): { bytes: number; by: string[] } {
    let bytes = 0
    const by: string[] = []
    for (const other of this.others(claim)) {
      const owed = Math.max(0, other.owed())
      bytes += owed
      if (owed > 0) by.push(`${other.label}: ${formatBytes(owed)}`)
    }
    return { bytes, by }
  }

  /** What the other claims on `claim`'s disk have written so far: two readings tell what they wrote in between. */
  writtenBesides(claim: DiskClaim): { bytes: number; by: Map<string, number> } {
    let bytes = 0
    const by = new Map<string, number>()
    for (const other of this.others(claim)) {
      bytes += other.written
      by.set(other.label, other.written)
    }
    return { bytes, by }
  }

  private others(claim: DiskClaim): DiskClaim[] {
    return [...this.claims].filter((other) => other !== claim && other.device === claim.device)
  }
}

// A disk that is full, over quota, or refuses a file that large.
export const OUT_OF_ROOM = new Set(['ENOSPC', 'EDQUOT', 'EFBIG'])

/**
 * Why a disk ran out while `claim` was written, from the room it had to spare when it started
 * (`slack`) and what the step's other copies on that disk wrote since (`before`, a reading of
 * writtenBesides then): the step's own copies, named, when they took that room; else something else.
 */
export function whoFilledTheDisk(
  disk: DiskClaims,
  claim: DiskClaim,
  before: ReturnType<DiskClaims['writtenBesides']>,
  slack: number
): string {
  const now = disk.writtenBesides(claim)
  const wrote = now.bytes - before.bytes
  if (wrote <= 0 || wrote < slack) return 'something else on the runner is filling the disk'
  const names = [...now.by].filter(([label, written]) => written > (before.by.get(label) ?? 0)).map(([label]) => label)
  return `the step's other copies (${names.join(', ')}) wrote ${formatBytes(wrote)} to it meanwhile`
}

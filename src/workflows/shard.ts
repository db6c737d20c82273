import { createHash } from 'node:crypto'

/** The shard input, K/N: this job is the K-th of N (1 ≤ K ≤ N). */
export interface Shard {
  index: number
  count: number
}

/** GitHub runs at most 256 jobs from one matrix. */
export const MAX_SHARDS = 256

/** `2/4`. */
export function shardText({ index, count }: Shard): string {
  return `${index}/${count}`
}

/**
 * Whether the install with this key (its ID) belongs to the shard. Decided by a hash of the key alone,
 * so an install stays in its shard however the list is ordered, and N jobs cover every install once.
 */
export function inShard(key: string, { index, count }: Shard): boolean {
  return shardIndexOf(key, count) === index
}

/** Which of `count` shards (1 to count) the key falls in. */
export function shardIndexOf(key: string, count: number): number {
  // SHA-256 spreads any IDs evenly; the bias of 2^32 modulo count is below one in ten million.
  return (createHash('sha256').update(key.toLowerCase()).digest().readUInt32BE(0) % count) + 1
}

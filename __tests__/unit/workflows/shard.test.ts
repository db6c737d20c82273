import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { inShard, shardIndexOf } from '../../../src/workflows/shard.js'

const id = fc.uuid()

describe('shardIndexOf', () => {
  it('puts every ID in exactly one of N shards, the same one every time and in any case', () => {
    fc.assert(
      fc.property(id, fc.integer({ min: 1, max: 256 }), (key, count) => {
        const index = shardIndexOf(key, count)
        expect(index).toBeGreaterThanOrEqual(1)
        expect(index).toBeLessThanOrEqual(count)
        expect(shardIndexOf(key.toUpperCase(), count)).toBe(index)
        const holders = Array.from({ length: count }, (_, k) => inShard(key, { index: k + 1, count })).filter(Boolean)
        expect(holders).toHaveLength(1)
      })
    )
  })

  it('spreads a fleet evenly: 2000 installs over 8 shards, each within 20 % of its share', () => {
    const ids = Array.from({ length: 2_000 }, (_, n) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`)
    const sizes = Array.from({ length: 8 }, (_, k) => ids.filter((key) => shardIndexOf(key, 8) === k + 1).length)
    for (const size of sizes) expect(Math.abs(size - 250)).toBeLessThanOrEqual(50)
  })

  it('keeps the assignments it has always made: a change of hash would move installs between shards from one run to the next', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => shardIndexOf(`00000000-0000-4000-8000-00000000000${n}`, 4))).toEqual([1, 4, 1, 4, 2, 1])
  })
})

import { describe, expect, it } from '@jest/globals'
import { DiskClaims, whoFilledTheDisk, type DiskClaim } from '../../../src/archive/disk-space.js'

// The step's claims on its disks: what the others still need, and who filled a disk that ran out.

const MB = 1024 * 1024
const claim = (label: string, device: number, owed = 0): DiskClaim => ({ label, device, written: 0, owed: () => owed })

describe('DiskClaims', () => {
  it('counts what the other copies on the same disk still need, by name', () => {
    const disk = new DiskClaims()
    const mine = claim('mysite', 1)
    disk.add(mine)
    disk.add(claim('mysitestaging', 1, 3 * MB))
    disk.add(claim("mysite's encrypted copy", 1, MB))
    const release = disk.add(claim('blog', 2, 50 * MB))
    expect(disk.owedBesides(mine)).toEqual({ bytes: 4 * MB, by: ['mysitestaging: 3.0 MB', "mysite's encrypted copy: 1.0 MB"] })
    release()
    expect(disk.owedBesides(claim('other', 2))).toEqual({ bytes: 0, by: [] })
  })

  it("names the step's own copies when what they wrote since took the room, else something else on the runner", () => {
    const disk = new DiskClaims()
    const mine = claim('mysite', 1)
    const other = claim('mysitestaging', 1)
    disk.add(mine)
    disk.add(other)
    const before = disk.writtenBesides(mine)
    other.written += 2 * MB
    expect(whoFilledTheDisk(disk, mine, before, 2 * MB)).toBe("the step's other copies (mysitestaging) wrote 2.0 MB to it meanwhile")
    expect(whoFilledTheDisk(disk, mine, before, 3 * MB)).toBe('something else on the runner is filling the disk')
  })
})

import { describe, expect, it } from '@jest/globals'
import { auditFreshness, staleLine, staleOutput } from '../../../src/backup/freshness.js'
import { decodeBackup } from '../../../src/wpengine/decode.js'

const HOUR = 3_600_000
const NOW = Date.UTC(2026, 0, 2)
const completed = (hours: number, times: { create?: boolean } = {}) =>
  decodeBackup({
    id: 'e41fa98f-ea80-4654-b229-a9b765d0863a',
    status: 'completed',
    ...(times.create === false ? {} : { create_time: new Date(NOW - hours * HOUR).toISOString() }),
    complete_time: new Date(NOW - hours * HOUR + 600_000).toISOString()
  })
const candidate = (name: string, backup?: ReturnType<typeof completed>, reason?: string) => ({
  name,
  installId: `id-${name}`,
  backup,
  reason
})

describe('auditFreshness', () => {
  it('holds each install to max-age at the time given: none first, then oldest first; the age of a backup counts from its create_time', () => {
    const audit = auditFreshness(
      [
        candidate('a', completed(30)),
        candidate('b'),
        candidate('c', completed(26)),
        candidate('d', completed(27)),
        candidate('e', undefined, 'aborted by WP Engine')
      ],
      26 * HOUR,
      NOW
    )
    expect(audit.stale.map((entry) => entry.name)).toEqual(['b', 'e', 'a', 'd'])
    expect(audit.oldestFreshMs).toBe(26 * HOUR)
    expect(JSON.parse(staleOutput(audit))).toEqual([
      { install: 'b', 'install-id': 'id-b', 'newest-completed': '', 'age-seconds': null },
      { install: 'e', 'install-id': 'id-e', 'newest-completed': '', 'age-seconds': null },
      { install: 'a', 'install-id': 'id-a', 'newest-completed': new Date(NOW - 30 * HOUR).toISOString(), 'age-seconds': 30 * 3600 },
      { install: 'd', 'install-id': 'id-d', 'newest-completed': new Date(NOW - 27 * HOUR).toISOString(), 'age-seconds': 27 * 3600 }
    ])
  })

  it('without a create_time, counts from the complete_time: no proof of freshness is taken for granted', () => {
    const audit = auditFreshness([candidate('a', completed(26.5, { create: false }))], 26 * HOUR, NOW)
    expect(audit.stale.map((entry) => entry.ageMs)).toEqual([26.5 * HOUR - 600_000])
  })

  it('is not run without max-age: the stale output is then empty', () => expect(staleOutput(undefined)).toBe(''))
})

describe('staleLine', () => {
  it('names each stale install with its age, or none and why', () => {
    const audit = auditFreshness(
      [candidate('shop2', undefined, 'aborted by WP Engine'), candidate('blog1', completed(27.05)), candidate('ok', completed(1))],
      26 * HOUR,
      NOW
    )
    expect(staleLine(audit, 3)).toBe(
      '2 of 3 installs have no completed backup within max-age (26h): shop2 (none: aborted by WP Engine), blog1 (27h 3m old).'
    )
  })

  it('a fleet: names as many as fit a readable line, oldest first, and counts the rest', () => {
    const audit = auditFreshness(
      Array.from({ length: 2_000 }, (_, n) => candidate(`site${String(n).padStart(4, '0')}`, completed(30 + n / 100))),
      26 * HOUR,
      NOW
    )
    const line = staleLine(audit, 2_000)
    expect(line.length).toBeLessThan(3_100)
    expect(line).toMatch(/^2000 of 2000 installs have no completed backup within max-age \(26h\): site1999 \(49h 59m 24s old\), site1998/)
    expect(line).toMatch(/ and 1\d\d\d more \(all in the stale output\)\.$/)
  })
})

import { describe, expect, it } from '@jest/globals'
import { EventEmitter } from 'node:events'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { INSTALL } from '../support/helpers.js'
import { credentialsOf, expectNoCredentialsIn, requestsTo } from '../support/sim-helpers.js'
import { useSites } from '../support/site.js'
import { useStepBed } from '../support/step.js'

// After the restore is accepted: purge-cache, then verify-url until the site answers. The site is a
// local server whose answers follow the step's fake clock, so minutes of checks take milliseconds.

const MINUTE = 60_000
const setup = useStepBed()
const freshSite = useSites()
type Bed = Awaited<ReturnType<typeof setup>>

async function restore(bed: Bed, inputs: Record<string, string>) {
  const backup = bed.sim.seedBackup({ installId: INSTALL.id, ageMs: 30 * MINUTE })
  const { core } = await bed.restore({ 'notification-emails': 'ops@example.com', 'backup-id': backup.id, ...inputs })
  expectNoCredentialsIn([core.visibleText, ...core.summaries, JSON.stringify(core.outputs)], credentialsOf(bed.sim))
  // Whatever follows the acceptance, the restore is sent once.
  expect(requestsTo(bed.sim, 'POST', /\/restore$/)).toHaveLength(1)
  return { core, backup }
}

describe('verify-url: the site after the restore', () => {
  it('a site that answers 503 for a while: checked until it answers 200 with the text, then verified', async () => {
    const bed = await setup()
    const start = bed.clock.now()
    const site = await freshSite(() =>
      bed.clock.now() - start < 3 * MINUTE ? { status: 503, body: 'Service Unavailable' } : { status: 200, body: '<h1>Welcome back</h1>' }
    )
    const { core, backup } = await restore(bed, { 'purge-cache': 'true', 'verify-url': site.url, 'verify-text': 'Welcome back' })
    expect(core.failed).toBeUndefined()
    expect(bed.sim.purges()).toEqual([expect.objectContaining({ installId: INSTALL.id, type: 'all' })])
    // The site gets a visitor's GET, never the API's Authorization header.
    expect(site.requests.length).toBeGreaterThan(3)
    for (const { headers } of site.requests) expect(headers.authorization).toBeUndefined()
    expect(core.log).toContain(`Checking ${site.url} until it answers 2xx with 'Welcome back', for up to 10m.`)
    expect(core.log).toContainEqual(
      expect.stringMatching(new RegExp(`^${site.url} answers 503 without 'Welcome back' \\(\\d+s into the checks\\)\\.$`))
    )
    expect(core.outputs).toMatchObject({ accepted: 'true', verified: 'true' })
    expect(core.log.at(-1)).toMatch(
      new RegExp(
        `^✅ WP Engine accepted the restore of mysite from backup ${backup.id}, and its caches were purged\\. ${site.url} answers 200 with 'Welcome back'\\. It runs on WP Engine now`
      )
    )
    // The summary tells accepted from verified, and claims only what the site answered.
    const summary = core.summaries[0] ?? ''
    expect(summary).toContain('## ✅ WP Engine accepted the restore of mysite, and the site answers')
    expect(summary).toContain('| Cache | caches purged |')
    expect(summary).toMatch(
      /\| Site \| ✅ verified: http\\:\/\/127\.0\.0\.1:\d+\/ answered 200 with 'Welcome back', after \d+ checks over 3m( \d+s)? \|/
    )
    expect(summary).toContain('A site that answers as asked shows what it answered when checked, not that the restore has finished.')
  })

  it('a site that never comes back: the step fails, saying the restore was accepted and what the site answered last', async () => {
    const bed = await setup()
    const site = await freshSite(() => ({ status: 503 }))
    const { core, backup } = await restore(bed, { 'verify-url': site.url, 'verify-timeout': '5m' })
    expect(core.failed).toBe(
      `WP Engine accepted the restore of mysite from backup ${backup.id}, but ${site.url} did not answer 2xx within 5m: it last answered 503. ` +
        'The restore may still be running on WP Engine: check the site, and the install in the WP Engine User Portal.'
    )
    expect(core.outputs).toMatchObject({ accepted: 'true', verified: 'false' })
    expect(JSON.parse(core.outputs.restores ?? '')).toEqual([
      expect.objectContaining({ outcome: 'accepted', accepted: true, verified: false })
    ])
    expect(core.summaries[0]).toContain('## ❌ WP Engine accepted the restore of mysite, but the site did not answer as asked')
    expect(core.summaries[0]).toMatch(/\| Site \| ❌ not verified: .* did not answer 2xx; last answer 503, after \d+ checks over 5m \|/)
    // The last check fell on the deadline: five minutes of checks, in milliseconds.
    expect(bed.clock.now() - Date.UTC(2026, 0, 1)).toBe(5 * MINUTE)
  })

  it('a site that does not answer at all: "no answer", and why', async () => {
    const bed = await setup()
    const closed = http.createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/`
    await new Promise((resolve) => closed.close(resolve))
    const { core } = await restore(bed, { 'verify-url': url, 'verify-timeout': '1m' })
    expect(core.failed).toContain(`but ${url} did not answer 2xx within 1m: it last answered no answer (ECONNREFUSED).`)
  })

  it('cancelled while checking the site: the restore stays accepted, the site not verified', async () => {
    const bed = await setup()
    const signals = new EventEmitter()
    const site = await freshSite(() => {
      if (site.requests.length >= 3) signals.emit('SIGTERM')
      return { status: 503 }
    })
    const backup = bed.sim.seedBackup({ installId: INSTALL.id, ageMs: 30 * MINUTE })
    const { core } = await bed.restore(
      { 'notification-emails': 'ops@example.com', 'backup-id': backup.id, 'verify-url': site.url },
      { signals }
    )
    expect(core.failed).toBe(
      `The step was cancelled after WP Engine accepted the restore of mysite from backup ${backup.id}, while checking the site. The restore runs on WP Engine; check the site.`
    )
    expect(core.outputs).toMatchObject({ accepted: 'true', verified: 'false' })
    expect(core.summaries[0]).toContain('## ⚠️ WP Engine accepted the restore of mysite; the step was cancelled while checking the site')
    // The third check was under way when the cancel came: two answers were seen.
    expect(core.summaries[0]).toMatch(/\| Site \| ⚠️ not verified: the checks of .* were cancelled; last answer 503, after 2 checks over /)
    expect(requestsTo(bed.sim, 'POST', /\/restore$/)).toHaveLength(1)
  })
})

describe('purge-cache', () => {
  it('a rate-limited purge is sent once more, after the minute WP Engine allows between object-cache purges', async () => {
    const bed = await setup()
    // An object-cache purge a moment ago, from elsewhere: WP Engine refuses another within the minute.
    const earlier = await fetch(`${bed.sim.url}/installs/${INSTALL.id}/purge_cache`, {
      method: 'POST',
      headers: { authorization: credentialsOf(bed.sim).authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'object' })
    })
    expect(earlier.status).toBe(202)
    const { core } = await restore(bed, { 'purge-cache': 'object' })
    expect(core.failed).toBeUndefined()
    expect(core.log).toContain('WP Engine is rate-limiting cache purges of mysite (429): asking once more in 1m.')
    expect(bed.clock.sleeps).toContain(MINUTE)
    expect(requestsTo(bed.sim, 'POST', /\/purge_cache$/)).toHaveLength(3)
    expect(core.summaries[0]).toContain("| Cache | object cache purged, after waiting 1m for WP Engine's rate limit |")
  })

  it('still rate-limited after the wait: the step fails, the restore accepted and the cache named', async () => {
    const bed = await setup()
    bed.sim.fault({ method: 'POST', path: /\/purge_cache$/, type: '429', retryAfter: '30', times: 2 })
    const { core, backup } = await restore(bed, { 'purge-cache': 'all' })
    expect(core.failed).toBe(
      `WP Engine accepted the restore of mysite from backup ${backup.id}, but its caches were not purged. WP Engine still refused to purge the caches of install mysite after waiting 30s (429; it allows one object-cache purge a minute per install). Purge the cache in the WP Engine User Portal.`
    )
    expect(core.outputs.accepted).toBe('true')
    expect(core.summaries[0]).toContain('## ❌ WP Engine accepted the restore of mysite, but its cache was not purged')
  })
})

import { afterAll, describe, expect, it, jest } from '@jest/globals'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { statfs } from 'node:fs/promises'
import { join } from 'node:path'
import type { Simulator } from '../../../sim/server.js'
import { DiskClaims, formatBytes } from '../../../src/archive/disk-space.js'
import { DEFAULT_STALL_MS, downloadArchive, DownloadError, Progress } from '../../../src/archive/download.js'
import { systemClock } from '../../../src/time/clock.js'
import { FakeClock, INSTALL, rejection as failure } from '../../support/helpers.js'
import { until, useConnectProxies } from '../../support/proxies.js'
import { useSimulators } from '../../support/sim-helpers.js'
import { useWorkspaces } from '../../support/workspaces.js'

// downloadArchive on its own, against the simulator's download server misbehaving (it hangs, or its
// body never ends), on a fake clock; and the progress lines it writes.

const MB = 1024 * 1024
const freshSim = useSimulators()
const workspace = useWorkspaces()
const downloads = (s: Simulator) => s.requests.filter((r) => r.path.startsWith('/downloads/'))

describe('download progress', () => {
  it('reports bytes, percent and rate about every 10 seconds', () => {
    const clock = new FakeClock()
    const lines: string[] = []
    const progress = new Progress(clock, { info: (m) => lines.push(m) }, 10_000)
    progress.total = 1000 * MB
    for (let second = 1; second <= 25; second++) {
      clock.advance(1_000)
      progress.add(20 * MB)
    }
    expect(lines).toEqual(['Downloaded 200.0 MB of 1000.0 MB (20 %), 20.0 MB/s', 'Downloaded 400.0 MB of 1000.0 MB (40 %), 20.0 MB/s'])
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(1536)).toBe('1.5 KB')
  })
})

describe('stalls and endless bodies', () => {
  it('headers never sent: dropped at the stall limit, a minute unless set, and resumed', async () => {
    // The stall limit is a real-time timer on the socket: Jest's fake timers run its minute at once.
    // The simulator stamps its requests with the (faked) Date, so the minute shows in its record.
    const s = await freshSim({ now: () => Date.now() })
    const { url } = await completedArchive(s)
    s.fault({ path: /^\/downloads\//, type: 'hang' })
    const lines: string[] = []
    const broke = () => lines.filter((line) => line.startsWith('The archive download broke'))
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'hrtime', 'performance'] })
    try {
      const done = download({ url, file: join(workspace(), 'a.zip'), log: { info: (line) => lines.push(line) } })
      while (downloads(s).length === 0) await new Promise((resolve) => setImmediate(resolve))
      await jest.advanceTimersByTimeAsync(DEFAULT_STALL_MS - 1)
      expect(broke()).toEqual([])
      expect(downloads(s)).toHaveLength(1)
      await jest.advanceTimersByTimeAsync(1)
      await expect(done).resolves.toMatchObject({ bytes: 256 * 1024 })
    } finally {
      jest.useRealTimers()
    }
    expect(broke()).toEqual(['The archive download broke after 0 B (no answer for 1m); trying again in 1s.'])
    const [hung, answered] = downloads(s)
    expect(hung?.fault).toBe('hang')
    expect(answered?.status).toBe(200)
    expect(answered!.at - hung!.at).toBeGreaterThanOrEqual(60_000)
  })

  it('an endless body without a size stops at the hard cap, however much room the disk has', async () => {
    const s = await freshSim({ archiveBody: 'endless' })
    const { url } = await completedArchive(s)
    const dir = workspace()
    await expect(download({ url, file: join(dir, 'a.zip'), maxUnsizedBytes: 2 * MB })).rejects.toThrow(
      "The download server did not announce the archive's size and was still sending after 2.0 MB: that is the most this action downloads without a size. The download server is misbehaving; re-run the job later."
    )
    expect(readdirSync(dir)).toEqual([])
  })
})

describe('a body sent with a Content-Encoding', () => {
  it('one that does not decode: retried from the start, then one line that names the encoding', async () => {
    // A server that says gzip and sends something else.
    const server = http.createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/zip', 'content-encoding': 'gzip' })
      response.end(Buffer.from('PK\u0003\u0004 not gzip at all'))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const dir = workspace()
    try {
      const { port } = server.address() as AddressInfo
      await expect(download({ url: new URL(`http://127.0.0.1:${port}/a.zip`), file: join(dir, 'a.zip'), maxFailures: 2 })).rejects.toThrow(
        'Downloading the archive failed 2 times in a row without progress; the last: the gzip-encoded body did not decode (incorrect header check). Re-run the job later.'
      )
    } finally {
      server.close()
    }
    expect(readdirSync(dir)).toEqual([])
  })
})

describe('plain http', () => {
  it('a plain-http link, even to loopback, is not followed unless api-url is plain http too: nothing is requested', async () => {
    const s = await freshSim()
    const { url } = await completedArchive(s)
    const dir = workspace()
    await expect(download({ url, file: join(dir, 'a.zip'), plainHttp: false })).rejects.toThrow(
      'The download link is plain http (to 127.0.0.1): the step follows only https links, and plain http to loopback only when api-url is plain http too, as with the local simulator.'
    )
    expect(downloads(s)).toHaveLength(0)
    expect(readdirSync(dir)).toEqual([])
  })
})

describe('a full disk', () => {
  it('two downloads that fit one by one but not together: the one that would not fit fails before writing, naming the other', async () => {
    const dir = workspace()
    const disk = new DiskClaims()
    const { bavail, bsize } = await statfs(dir)
    // Another install's download, just started, that will more than fill the disk.
    const owed = bavail * bsize + 1024 ** 3
    disk.add({ label: 'mysitestaging', device: statSync(dir).dev, written: 0, owed: () => owed })
    const { url } = await completedArchive(await freshSim())
    await expect(download({ url, file: join(dir, 'a.zip'), disk })).rejects.toThrow(
      new RegExp(
        `^There is no room for the archive at .*a\\.zip: it needs 256\\.0 KB more, and the disk has .* free, beside what the step's other copies still need of it \\(mysitestaging: ${formatBytes(owed).replace('.', '\\.')}\\)\\.`
      )
    )
    expect(readdirSync(dir)).toEqual([])
  })

  it('a body without a size stops where only the margin and what the other copies still need are left, and names them', async () => {
    const dir = workspace()
    const disk = new DiskClaims()
    const { bavail, bsize, blocks } = await statfs(dir)
    const margin = Math.min(256 * MB, Math.floor((blocks * bsize) / 20))
    // Another install's download that needs all but 3 MB of what is free beside the margin.
    const owed = bavail * bsize - margin - 3 * MB
    disk.add({ label: 'mysitestaging', device: statSync(dir).dev, written: 0, owed: () => owed })
    const { url } = await completedArchive(await freshSim({ archiveBody: 'endless' }))
    const failure = await download({ url, file: join(dir, 'a.zip'), disk }).catch((error: Error) => error)
    expect(failure).toBeInstanceOf(Error)
    expect((failure as Error).message).toMatch(
      new RegExp(
        `^The download server did not announce the archive's size and was still sending after [\\d.]+ MB: the rest of the disk of .*a\\.zip is needed by the step's other copies \\(mysitestaging: [\\d.]+ [MGT]B\\), and ${formatBytes(margin).replace('.', '\\.')} is kept free for the runner\\. Free up space on the runner, or set archive-path to a disk with room\\.$`
      )
    )
    const written = Number(/after ([\d.]+) MB/.exec((failure as Error).message)?.[1])
    expect(written).toBeGreaterThan(1.5)
    expect(written).toBeLessThan(4.5)
    expect(readdirSync(dir)).toEqual([])
  })
})

/** A completed archive of a seeded backup of mysite, straight from the API: its download link. */
async function completedArchive(s: Simulator): Promise<{ url: URL }> {
  const headers = {
    authorization: `Basic ${Buffer.from(`${s.credentials.userId}:${s.credentials.password}`).toString('base64')}`,
    'content-type': 'application/json'
  }
  s.configure({ archiveMs: 0 })
  const done = s.seedBackup({ installId: INSTALL.id, ageMs: 60_000 })
  const created = await fetch(`${s.url}/installs/${INSTALL.id}/archives`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ backup_id: done.id, notification_emails: ['ops@example.com'] })
  })
  expect(created.status).toBe(202)
  const [archive] = s.archives()
  return { url: new URL(archive!.download_uri!) }
}

/** The download alone, on a fake clock, with a 30-second budget; the simulator's plain-http links followed, as its API is plain http. */
function download(options: Partial<Parameters<typeof downloadArchive>[0]> & { url: URL; file: string }) {
  const clock = new FakeClock()
  return downloadArchive({
    env: {},
    clock,
    deadline: clock.now() + 30_000,
    log: { info: () => undefined },
    plainHttp: true,
    ...options
  })
}

// downloadArchive behind a proxy that is unusable: a malformed proxy variable, and a CONNECT-only
// proxy that never answers (it alone would know the name wpe.test).

const HOST = 'wpe.test'
const newProxy = useConnectProxies({ hosts: [HOST] })

describe('downloadArchive behind a proxy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wpe-proxy-download-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const download = (env: NodeJS.ProcessEnv, ms: number) => {
    const log = { info: () => undefined, warning: (message: string) => warnings.push(message) }
    const warnings: string[] = []
    const result = downloadArchive({
      url: new URL(`https://${HOST}/archive.zip?token=t`),
      file: join(dir, 'site.zip'),
      env,
      clock: systemClock,
      deadline: Date.now() + ms,
      log
    })
    return { result, warnings }
  }

  it('a malformed proxy variable: one clear failure, no retries', async () => {
    const { result, warnings } = download({ HTTPS_PROXY: 'http://user:secret@[bad' }, 5_000)
    const error = await failure(result)
    expect(error).toBeInstanceOf(DownloadError)
    expect(error.message).toContain("The proxy variable HTTPS_PROXY is set to 'http://***@[bad'")
    expect(warnings).toEqual([])
  })

  it("the step's timeout ends a download stuck on CONNECT, and the tunnel is let go", async () => {
    const p = await newProxy({ hang: true })
    const started = Date.now()
    const error = await failure(download({ HTTPS_PROXY: p.url }, 400).result)
    expect(error.message).toMatch(/^The step's timeout ran out while downloading the archive/)
    expect(Date.now() - started).toBeLessThan(3_000)
    await until(() => p.openConnections() === 0)
  })
})

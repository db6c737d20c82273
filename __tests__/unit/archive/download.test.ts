import { afterAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { downloadArchive, DownloadError } from '../../../src/archive/download.js'
import { systemClock } from '../../../src/time/clock.js'
import { rejection as failure } from '../../support/helpers.js'
import { until, useConnectProxies } from '../../support/proxies.js'

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

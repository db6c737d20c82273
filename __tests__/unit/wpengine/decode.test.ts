import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import nock from 'nock'
import { decodeArchive, decodeBackup, decodeInstall } from '../../../src/wpengine/decode.js'
import { WpeApiError } from '../../../src/wpengine/errors.js'
import { createNodeSend } from '../../../src/wpengine/http.js'
import { normalizeStatus } from '../../../src/wpengine/status.js'
import { BACKUP_STATUSES } from '../../../src/wpengine/types.js'
import {
  API,
  BACKUP_ID,
  BACKUP_PATH,
  backupAnswer,
  FakeClock,
  INSTALL,
  useNock,
  nockClient,
  rejection as failure
} from '../../support/helpers.js'

// The client's door: every answer decoded into checked values before anything else sees it.

const OTHER_ID = '99999999-9999-4999-8999-999999999999'
const transport = createNodeSend()

function client() {
  return nockClient({ send: transport, clock: new FakeClock(), random: () => 0 })
}

useNock(nock, { beforeAll, afterEach, afterAll })
afterAll(() => transport.close())

describe('answers must be the thing asked for', () => {
  it("a status check answered with another backup's id is never taken for this step's backup", async () => {
    const error = await failure(
      (() => {
        nock(API)
          .persist()
          .get(BACKUP_PATH)
          .reply(200, backupAnswer('completed', { id: OTHER_ID }))
        return client().getBackup(INSTALL, BACKUP_ID)
      })()
    )
    expect(error).toBeInstanceOf(WpeApiError)
    expect(error.message).toContain(`backup id is ${OTHER_ID}, not ${BACKUP_ID}, which was asked for`)
  })
})

describe('decoding', () => {
  it("reads the deprecated 'initiated' as in_progress, and labels an unknown status so that it can never pass for a known one", () => {
    expect(decodeBackup(backupAnswer('completed', { status: 'initiated' })).status).toBe('in_progress')
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...BACKUP_STATUSES, 'initiated', '\u200b', '\n', ':', ' ', 'x') }), (status) => {
        const decoded = decodeBackup(backupAnswer('completed', { status })).status
        const known = (BACKUP_STATUSES as readonly string[]).includes(status) || status === 'initiated'
        expect(normalizeStatus(decoded) !== undefined).toBe(known)
        expect(decoded).not.toMatch(/[\n\u200b]|::/)
      })
    )
  })

  it('fields the action does not need may be absent, null, odd or extra without failing anything', () => {
    expect(decodeBackup({ id: BACKUP_ID.toUpperCase(), status: 'requested' })).toEqual({ id: BACKUP_ID, status: 'requested' })
    expect(
      decodeBackup({
        ...backupAnswer(),
        description: null,
        create_time: 'yesterday',
        complete_time: 12,
        wordpress_version: { major: 6 },
        extra: [1, 2]
      })
    ).toEqual({ id: BACKUP_ID, status: 'completed' })
    expect(decodeInstall({ ...INSTALL, environment: null, account: null, php_version: 7 })).toEqual(INSTALL)
    expect(decodeArchive({ id: OTHER_ID, backup: null, state: 'completed', download_uri: 'https://x.example/a\n::add-mask::b' })).toEqual({
      id: OTHER_ID,
      backup: {},
      state: 'completed'
    })
    expect(
      decodeArchive({ id: OTHER_ID, backup: { id: BACKUP_ID }, state: 'completed', download_uri: 'ftp://x.example/a.zip' }).download_uri
    ).toBeUndefined()
  })
})

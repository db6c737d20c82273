import { describe, expect, it } from '@jest/globals'
import { CliExit, readFault, readSimArgs } from '../../../sim/cli-args.js'

// What `npm run sim` makes of its flags, read in process (sim/cli.js prints a CliExit's text and exits
// with its code; bundle/commands.test.ts runs the command once).

/** The code the command would exit with, and what it would print, stdout then stderr. */
function exitOf(read: () => unknown): { code: number; out: string } {
  try {
    read()
  } catch (error) {
    if (!(error instanceof CliExit)) throw error
    return { code: error.code, out: error.stdout + error.stderr }
  }
  throw new Error('expected the command to stop')
}

describe('npm run sim: flags (sim/cli-args.js)', () => {
  it('explains its flags, and refuses bad ones', () => {
    const help = exitOf(() => readSimArgs(['--help']))
    expect(help.code).toBe(0)
    expect(help.out).toContain('--fault SPEC')
    const bad = exitOf(() => readSimArgs(['--outcome', 'maybe']))
    expect(bad).toEqual({ code: 2, out: "--outcome 'maybe' must be completed or aborted\n" })
    expect(exitOf(() => readSimArgs(['--tls-cert', 'x.pem']))).toEqual({ code: 2, out: '--tls-cert and --tls-key go together\n' })
    expect(exitOf(() => readSimArgs(['--gateway', '2.0']))).toEqual({
      code: 2,
      out: "--gateway '2.0' must be one of 1.6.7, 1.10, 1.17, 1.21\n"
    })
    expect(exitOf(() => readSimArgs(['--unmapped', '403']))).toEqual({ code: 2, out: '--unmapped needs --gateway\n' })
  })

  it('reads the gateway: the version, and the backend statuses it does not map', () => {
    expect(readSimArgs(['--gateway', '1.17', '--unmapped', '403,404']).options.gateway).toEqual({ version: '1.17', unmapped: [403, 404] })
    expect(readSimArgs([]).options.gateway).toBeUndefined()
  })

  it('reads a fault spec, and refuses one that is not METHOD:PATH_REGEX:TYPE', () => {
    expect(readFault('get:^/user$:503:1:7')).toEqual({
      method: 'GET',
      path: /^\/user$/,
      type: '503',
      times: 1,
      retryAfter: '7',
      message: undefined
    })
    expect(readFault('POST:/backups$:500:1::Forbidden: API access is disabled')).toMatchObject({
      type: '500',
      retryAfter: undefined,
      message: 'Forbidden: API access is disabled'
    })
    expect(exitOf(() => readFault('GET:/user'))).toEqual({
      code: 2,
      out: "--fault 'GET:/user' is not METHOD:PATH_REGEX:TYPE[:TIMES[:RETRY_AFTER[:MESSAGE]]]\n"
    })
    expect(exitOf(() => readSimArgs(['--port', 'abc']))).toEqual({ code: 2, out: "--port 'abc' is not a non-negative number\n" })
  })
})

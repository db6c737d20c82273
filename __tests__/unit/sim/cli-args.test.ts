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
  })

  it('reads a fault spec, and refuses one that is not METHOD:PATH_REGEX:TYPE', () => {
    expect(readFault('get:^/user$:503:1:7')).toEqual({ method: 'GET', path: /^\/user$/, type: '503', times: 1, retryAfter: '7' })
    expect(exitOf(() => readFault('GET:/user'))).toEqual({
      code: 2,
      out: "--fault 'GET:/user' is not METHOD:PATH_REGEX:TYPE[:TIMES[:RETRY_AFTER]]\n"
    })
    expect(exitOf(() => readSimArgs(['--port', 'abc']))).toEqual({ code: 2, out: "--port 'abc' is not a non-negative number\n" })
  })
})

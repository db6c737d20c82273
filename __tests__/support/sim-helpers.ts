import { afterAll, expect } from '@jest/globals'
import { startSimulator, type Simulator } from '../../sim/server.js'
import { WpeClient, type ClientOptions } from '../../src/wpengine/client.js'
import { basicToken, visible } from './helpers.js'

// What the tests do with the simulator (sim/server.js): start one per test and close them all,
// count what it received, talk to it as the action does, and check that no credential leaks.

export type SimOptions = NonNullable<Parameters<typeof startSimulator>[0]>

/**
 * Simulators for the tests of one file (or describe block): the function returned starts one, with
 * `defaults` under the options it is given, and remembers it; all are closed after those tests.
 * Pass `now: () => clock.now()` to run the simulator on a FakeClock, so that backups take minutes
 * of simulated time and the tests milliseconds.
 */
export function useSimulators(defaults: SimOptions = {}): (options?: SimOptions) => Promise<Simulator> {
  const sims: Simulator[] = []
  afterAll(async () => {
    await Promise.all(sims.map((s) => s.close()))
  })
  return async (options = {}) => {
    const s = await startSimulator({ ...defaults, ...options })
    sims.push(s)
    return s
  }
}

/** The requests the simulator received with this method, and on this path when one is given (a string matches exactly). */
export function requestsTo(s: Simulator, method: string, path?: string | RegExp): Simulator['requests'] {
  return s.requests.filter(
    (r) => r.method === method && (path === undefined || (typeof path === 'string' ? r.path === path : path.test(r.path)))
  )
}

/** How many requests the simulator received with this method on this path. */
export const count = (s: Simulator, method: string, path: string | RegExp): number => requestsTo(s, method, path).length

/** A WpeClient for the simulator, made as the action makes one; its deadline is an hour away unless given. */
export function simClient(s: Simulator, options: Pick<ClientOptions, 'send' | 'clock'> & Partial<ClientOptions>): WpeClient {
  return new WpeClient({ apiUrl: new URL(s.url), ...s.credentials, deadline: options.clock.now() + 3_600_000, ...options })
}

/** The credentials a bundled action run with this env uses against the simulator, and the Basic token they make. */
export function credentialsOf(s: Simulator, env: Record<string, string> = {}) {
  const userId = env.WPENGINE_USER_ID ?? s.credentials.userId
  const password = env.WPENGINE_PASSWORD ?? s.credentials.password
  const token = basicToken(userId, password)
  return { userId, password, token, authorization: `Basic ${token}` }
}

/** Neither the password nor the Basic token appears in any of these texts (read a job log through visible()). */
export function expectNoCredentialsIn(texts: string[], { password, token }: { password: string; token: string }): void {
  for (const text of texts) {
    expect(text).not.toContain(password)
    expect(text).not.toContain(token)
  }
}

/** The job log masks the simulator's password and Basic token, and shows them nowhere else. */
export function expectNoCredentials(stdout: string, s: Simulator): void {
  const { password, token } = credentialsOf(s)
  expect(stdout).toContain(`::add-mask::${password}`)
  expect(stdout).toContain(`::add-mask::${token}`)
  expectNoCredentialsIn([visible(stdout)], { password, token })
}

export { actionAgainst } from '../../scripts/run-action.js'

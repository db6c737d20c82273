import http from 'node:http'
import https from 'node:https'
import { checkBypass, getProxyUrl } from '@actions/http-client/lib/proxy'
import tunnel from 'tunnel'
import { safeText } from '../text/safe-text.js'

const LOOPBACK_HOSTS = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i

/** Plain http is allowed to these hosts only (api-url, and a download link). */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.test(hostname)
}

// HTTPS_PROXY, HTTP_PROXY and NO_PROXY (and their lowercase forms) mean here exactly what they mean
// to actions/checkout, cache and setup-node: the proxy decision is @actions/http-client's own
// (getProxyUrl and checkBypass), and the agents are made as its HttpClient.getAgent makes them (a
// `tunnel` agent that opens a CONNECT tunnel through an http or https proxy, or a plain keep-alive
// agent). Not HttpClient itself: its index loads undici, which costs more start-up time than this
// action's whole budget (see runner.ts). Only the requests are our own, so that redirects, time
// limits and retries stay ours.
//
// Three rules of our own on top:
// - plain http to a loopback host never goes through a proxy: the credentials would travel in clear;
// - a proxy variable that is set but cannot be used fails the request with one line naming it
//   (http-client silently goes direct for some malformed values), never showing its password;
// - the variables are read from the `env` given, not from process.env alone, so callers and tests can vary them.

/** Where the proxy variables are read from. */
export type ProxyEnv = Readonly<Record<string, string | undefined>>

// Every variable http-client reads, in its order of precedence (lowercase first).
const PROXY_VARIABLES = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY', 'no_proxy', 'NO_PROXY'] as const

/** A proxy variable that is set but cannot be used; `message` is one line for the log, without the proxy's password. */
export class ProxyConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ProxyConfigError'
  }
}

/**
 * Runs `fn` with process.env's proxy variables taken from `env`: http-client reads process.env only.
 * `fn` is synchronous, so nothing else can run while they are swapped.
 */
function withProxyEnv<T>(env: ProxyEnv, fn: () => T): T {
  if (env === process.env) return fn()
  const saved = PROXY_VARIABLES.map((name) => [name, process.env[name]] as const)
  const apply = (values: ReadonlyArray<readonly [string, string | undefined]>): void => {
    for (const [name, value] of values) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  }
  apply(PROXY_VARIABLES.map((name) => [name, env[name]] as const))
  try {
    return fn()
  } finally {
    apply(saved)
  }
}

/** True for plain http to 127.0.0.0/8, localhost or [::1]: never proxied, whatever the variables say. */
function loopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && isLoopbackHost(url.hostname)
}

/** The variable http-client takes the proxy from for this URL, when one is set (an empty value counts as unset, as there). */
function proxyVariable(url: URL, env: ProxyEnv): { name: string; value: string } | undefined {
  const names = url.protocol === 'https:' ? ['https_proxy', 'HTTPS_PROXY'] : ['http_proxy', 'HTTP_PROXY']
  for (const name of names) {
    const value = env[name]
    if (value) return { name, value }
  }
  return undefined
}

/** The value with everything up to its last `@` (a user name and password) hidden, safe for the log. */
function redacted(value: string): string {
  const at = value.lastIndexOf('@')
  if (at < 0) return safeText(value, 200)
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(value)?.[0] ?? ''
  return safeText(`${scheme}***@${value.slice(at + 1)}`, 200)
}

/**
 * Why a request to `url` cannot go through the proxy its variables name, or undefined when it can,
 * or when no proxy applies (none set, NO_PROXY, loopback). The variable is parsed the way
 * http-client's getProxyUrl parses it, but where it would give up silently and connect directly,
 * this says so. Meant to be checked up front too, before any request.
 */
export function proxyProblem(url: URL, env: ProxyEnv): string | undefined {
  if (loopbackHttp(url) || withProxyEnv(env, () => checkBypass(url))) return undefined
  const variable = proxyVariable(url, env)
  if (!variable) return undefined
  const { name, value } = variable
  const bad = (why: string): string =>
    `The proxy variable ${name} is set to '${redacted(value)}', which ${why}. Set it to a URL such as http://proxy.example.com:3128, or unset it.`
  let proxy: URL
  try {
    proxy = new URL(value)
  } catch {
    // http-client's fallback: a bare host:port is taken as http://host:port; anything else it ignores.
    if (value.startsWith('http://') || value.startsWith('https://')) return bad('is not a valid URL')
    try {
      proxy = new URL(`http://${value}`)
    } catch {
      return bad('is not a valid URL')
    }
  }
  // `proxy.example.com:3128` parses as a URL with the scheme `proxy.example.com:`; http-client then goes direct.
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') return bad('is not an http:// or https:// URL')
  if (!proxy.hostname) return bad('names no host')
  try {
    decodeURIComponent(proxy.username)
    decodeURIComponent(proxy.password)
  } catch {
    return bad('has a user name or password that is not valid percent-encoding')
  }
  return undefined
}

/** What a `tunnel` agent looks like inside: no destroy() of its own. */
interface TunnelAgent {
  sockets: Array<{ destroy?: () => void }>
  requests: unknown[]
  request: (options: http.RequestOptions) => http.ClientRequest
}

function isTunnel(agent: object): agent is TunnelAgent {
  return 'proxyOptions' in agent && Array.isArray((agent as Partial<TunnelAgent>).sockets)
}

/** A new agent for requests to `url`, through `proxy` if given: what http-client's HttpClient.getAgent builds. */
export function newAgent(url: URL, proxy: URL | undefined, keepAlive: boolean): http.Agent {
  // HttpClient with request options takes http.globalAgent's limit when none is given.
  const maxSockets = http.globalAgent.maxSockets
  const usingSsl = url.protocol === 'https:'
  if (!proxy?.hostname) return usingSsl ? new https.Agent({ keepAlive, maxSockets }) : new http.Agent({ keepAlive, maxSockets })
  const options = {
    maxSockets,
    keepAlive,
    proxy: {
      // getProxyUrl's URL gives the user name and password percent-decoded.
      ...(proxy.username || proxy.password ? { proxyAuth: `${proxy.username}:${proxy.password}` } : {}),
      host: proxy.hostname,
      // As http-client passes it: the URL's port string, '' for the scheme's default.
      port: proxy.port as unknown as number
    }
  }
  const overHttps = proxy.protocol === 'https:'
  if (usingSsl) return overHttps ? tunnel.httpsOverHttps(options) : tunnel.httpsOverHttp(options)
  return overHttps ? tunnel.httpOverHttps(options) : tunnel.httpOverHttp(options)
}

/**
 * The agents for one step's requests: one per protocol and route (direct, or each proxy; an
 * HttpClient keeps only one of each kind, whatever the protocol or proxy, which would mix them up).
 * destroy() lets go of every socket, tunnels included.
 */
export class ProxyAgents {
  private readonly agents = new Map<string, http.Agent>()
  // CONNECT requests the tunnelling agents sent, so that one still waiting for the proxy can be ended too.
  private readonly connects = new Set<http.ClientRequest>()

  constructor(
    private readonly env: ProxyEnv,
    private readonly keepAlive: boolean
  ) {}

  /** The agent for one request to `url`; throws a ProxyConfigError when its proxy variable is unusable. */
  agentFor(url: URL): http.Agent {
    const problem = proxyProblem(url, this.env)
    if (problem) throw new ProxyConfigError(problem)
    // Plain http to loopback is sent direct by this rule, not only by http-client's bypass.
    const proxy = loopbackHttp(url) ? undefined : withProxyEnv(this.env, () => getProxyUrl(url))
    const key = `${url.protocol} ${proxy?.hostname ? proxy.href : 'direct'}`
    let agent = this.agents.get(key)
    if (!agent) {
      agent = this.track(newAgent(url, proxy, this.keepAlive))
      this.agents.set(key, agent)
    }
    return agent
  }

  private track(agent: http.Agent): http.Agent {
    if (isTunnel(agent)) {
      const request = agent.request
      agent.request = (options) => {
        for (const pending of this.connects) if (pending.socket?.destroyed) this.connects.delete(pending)
        const connect = request(options)
        this.connects.add(connect)
        return connect
      }
    }
    return agent
  }

  /** Closes every connection, idle, in use or still being tunnelled, so that the process can exit. */
  destroy(): void {
    for (const connect of this.connects) connect.destroy()
    this.connects.clear()
    for (const agent of this.agents.values()) {
      if (isTunnel(agent)) {
        agent.requests.length = 0
        for (const socket of [...agent.sockets]) socket.destroy?.()
      } else {
        agent.destroy()
      }
    }
    this.agents.clear()
  }
}

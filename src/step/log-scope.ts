import type { Core } from './core.js'

/** Where one install's work is logged: the runner itself for one install; prefixed lines, no groups, for several at once. */
export interface Scope {
  log: { info(message: string): void; warning(message: string): void }
  group<T>(name: string, body: () => Promise<T>): Promise<T>
}

/** One install: plain lines, and collapsible groups. */
export function runnerScope(core: Pick<Core, 'info' | 'warning' | 'startGroup' | 'endGroup'>): Scope {
  return { log: core, group: (name, body) => group(core, name, body) }
}

/** Several installs at once: prefixed lines, no groups (groups cannot interleave). */
export function prefixedScope(core: Pick<Core, 'info' | 'warning'>, name: string): Scope {
  const log = {
    info: (message: string) => core.info(`[${name}] ${message}`),
    warning: (message: string) => core.warning(`[${name}] ${message}`)
  }
  return {
    log,
    group: (title, body) => {
      log.info(title)
      return body()
    }
  }
}

/** A collapsible group of log lines around `body`, closed however it ends. */
export async function group<T>(core: Pick<Core, 'startGroup' | 'endGroup'>, name: string, body: () => Promise<T>): Promise<T> {
  core.startGroup(name)
  try {
    return await body()
  } finally {
    core.endGroup()
  }
}

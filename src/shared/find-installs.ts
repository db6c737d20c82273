import type { InstallRef } from './inputs.js'
import { closestMatches } from '../util/closest.js'
import { safeText } from '../util/log-safety.js'
import type { WpeClient } from '../wpengine/client.js'
import { WpeApiError } from '../wpengine/errors.js'
import type { Install } from '../wpengine/types.js'
import { allItems } from '../wpengine/pages.js'

const ACCESS_HINT = 'and that API access is enabled for the account that owns it (https://my.wpengine.com/api_access)'

/** `Install mysite (294deacc-…), production`: the log line that says which install was found. */
export function describeInstall(install: Install): string {
  return `Install ${install.name} (${install.id})${install.environment ? `, ${safeText(install.environment, 40)}` : ''}`
}

/** What became of one install the user named: found, or the error that says why not. */
export type Resolution = { ref: InstallRef; install: Install } | { ref: InstallRef; error: unknown }

/**
 * Finds every install: each ID with one GET, and all names in one pass through GET /installs (the
 * API has no name filter), which stops as soon as every name is found. One install that cannot be
 * found does not stop the others. Results come in the order of `refs`.
 */
export async function findInstalls(client: Pick<WpeClient, 'getInstall' | 'listInstalls'>, refs: InstallRef[]): Promise<Resolution[]> {
  const names = refs.flatMap((ref) => (ref.kind === 'name' ? [ref.name] : []))
  const [byName, byId] = await Promise.all([
    findByNames(client, names),
    Promise.all(refs.map((ref) => (ref.kind === 'id' ? resolveId(client, ref) : undefined)))
  ])
  return refs.map((ref, index) => (ref.kind === 'id' ? (byId[index] as Resolution) : nameResolution(ref, byName)))
}

async function resolveId(client: Pick<WpeClient, 'getInstall'>, ref: InstallRef & { kind: 'id' }): Promise<Resolution> {
  try {
    return { ref, install: await getInstallById(client, ref.id) }
  } catch (error) {
    return { ref, error }
  }
}

/** No install of that name among those the API user can see; `suggestions` are the nearest names that exist. */
export class InstallNotFoundError extends Error {
  constructor(
    installName: string,
    searched: number,
    readonly suggestions: string[]
  ) {
    const guess = suggestions.length > 0 ? ` Did you mean ${suggestions.map((name) => safeText(name, 40)).join(' or ')}?` : ''
    super(
      `No install named '${installName}' is visible to this API user (${searched} installs searched).${guess} Check the install input ${ACCESS_HINT}.`
    )
    this.name = 'InstallNotFoundError'
  }
}

function nameResolution(ref: InstallRef & { kind: 'name' }, byName: NameSearch): Resolution {
  if (byName.error !== undefined) return { ref, error: byName.error }
  const install = byName.found.get(ref.name)
  return install
    ? { ref, install }
    : { ref, error: new InstallNotFoundError(ref.name, byName.seen.length, closestMatches(ref.name, byName.seen)) }
}

async function getInstallById(client: Pick<WpeClient, 'getInstall'>, id: string): Promise<Install> {
  try {
    return await client.getInstall(id)
  } catch (error) {
    if (error instanceof WpeApiError && error.status === 404) {
      throw new WpeApiError(`Install ${id} was not found. Check the install input ${ACCESS_HINT}.`, error.detail)
    }
    throw error
  }
}

interface NameSearch {
  found: Map<string, Install>
  /** Every name listed, for a "did you mean" when one is missing (then the search went through them all). */
  seen: string[]
  error?: unknown
}

async function findByNames(client: Pick<WpeClient, 'listInstalls'>, names: string[]): Promise<NameSearch> {
  const wanted = new Set(names)
  const search: NameSearch = { found: new Map(), seen: [] }
  if (wanted.size === 0) return search
  try {
    for await (const install of allItems((offset) => client.listInstalls(offset))) {
      search.seen.push(install.name)
      if (wanted.has(install.name)) search.found.set(install.name, install)
      if (search.found.size === wanted.size) break
    }
  } catch (error) {
    search.error = error
  }
  return search
}

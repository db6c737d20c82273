import type { InstallRef } from '../step/inputs.js'
import type { WpeClient } from '../wpengine/client.js'
import { WpeApiError } from '../wpengine/errors.js'
import type { Install, Unusable } from '../wpengine/types.js'
import { allItems } from '../wpengine/pages.js'

const ACCESS_HINT = 'and that API access is enabled for the account that owns it (https://my.wpengine.com/api_access)'

/** `Install mysite (294deacc-…), production`: the log line that says which install was found. */
export function describeInstall(install: Install): string {
  return `Install ${install.name} (${install.id})${install.environment ? `, ${install.environment}` : ''}`
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

export async function resolveId(client: Pick<WpeClient, 'getInstall'>, ref: InstallRef & { kind: 'id' }): Promise<Resolution> {
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
    const guess = suggestions.length > 0 ? ` Did you mean ${suggestions.join(' or ')}?` : ''
    super(
      `No install named '${installName}' is visible to this API user (${searched} installs searched).${guess} Check the install input ${ACCESS_HINT}.`
    )
    this.name = 'InstallNotFoundError'
  }
}

function nameResolution(ref: InstallRef & { kind: 'name' }, byName: NameSearch): Resolution {
  const install = byName.found.get(ref.name)
  if (install) return { ref, install }
  if (byName.error !== undefined) return { ref, error: byName.error }
  const broken = byName.broken.get(ref.name)
  if (broken !== undefined) return { ref, error: brokenEntryError(ref.name, broken) }
  return { ref, error: new InstallNotFoundError(ref.name, byName.seen.length, closestMatches(ref.name, byName.seen)) }
}

/** The install asked for by name is listed, but its entry does not match its shape (`reason`). */
export function brokenEntryError(name: string, reason: string): Error {
  return new Error(
    `WP Engine lists an install named '${name}', but its entry does not match the API's description (${reason}), so it cannot be used. Re-run the job later; if it happens again, contact WP Engine support.`
  )
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
  /** Names asked for whose entries do not match their shape, with what is wrong. */
  broken: Map<string, string>
  error?: unknown
}

/**
 * One pass through the account's installs. A malformed entry is skipped (the client warns), so that
 * one odd install elsewhere in the account fails no lookup; only one named like an install asked for fails that name.
 */
async function findByNames(client: Pick<WpeClient, 'listInstalls'>, names: string[]): Promise<NameSearch> {
  const wanted = new Set(names)
  const search: NameSearch = { found: new Map(), seen: [], broken: new Map() }
  if (wanted.size === 0) return search
  const askedFor = (item: Unusable): boolean => item.name !== undefined && wanted.has(item.name)
  // Names found or found broken, counted as they come: the search ends when all are.
  const settled = new Set<string>()
  try {
    const installs = allItems(
      (offset) => client.listInstalls(offset, { askedFor }),
      (item) => {
        search.broken.set(item.name as string, item.reason)
        settled.add(item.name as string)
      }
    )
    for await (const install of installs) {
      search.seen.push(install.name)
      if (wanted.has(install.name)) {
        search.found.set(install.name, install)
        settled.add(install.name)
      }
      if (settled.size === wanted.size) break
    }
  } catch (error) {
    search.error = error
  }
  return search
}

/**
 * The candidates closest to `wanted` by edit distance (a swap of two neighbouring letters counts as
 * one edit), nearest first, for a "did you mean". Only near misses count: at most a third of the
 * wanted text's length in edits, and at least one.
 */
export function closestMatches(wanted: string, candidates: Iterable<string>, limit = 3): string[] {
  const most = Math.max(1, Math.floor(wanted.length / 3))
  const near: { candidate: string; distance: number }[] = []
  for (const candidate of new Set(candidates)) {
    if (candidate === wanted || Math.abs(candidate.length - wanted.length) > most) continue
    const distance = editDistance(wanted, candidate)
    if (distance <= most) near.push({ candidate, distance })
  }
  near.sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate))
  return near.slice(0, limit).map(({ candidate }) => candidate)
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0))
  )
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1)
      rows[i]![j] = best
    }
  }
  return rows[a.length]![b.length]!
}

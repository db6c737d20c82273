import type { InstallRef } from '../step/inputs.js'
import type { WpeClient } from '../wpengine/client.js'
import { allItems } from '../wpengine/pages.js'
import type { Install } from '../wpengine/types.js'
import { brokenEntryError, closestMatches, findInstalls, InstallNotFoundError, resolveId, type Resolution } from './find-installs.js'
import { closestToPattern, globMatches, ruleMatches, ruleText, type InstallRule } from './install-rules.js'

/** The environments WP Engine gives an install. */
export const ENVIRONMENTS = ['production', 'staging', 'development'] as const
export type Environment = (typeof ENVIRONMENTS)[number]

/** Which installs to back up: the install input's names, IDs and patterns, less exclude's, in the environments given (all when none). */
export interface Choice {
  include: InstallRule[]
  exclude: InstallRule[]
  environments: Environment[]
}

export interface Chosen {
  /** One per install chosen, in the order of the rules (a pattern's installs by name), and the names or IDs not found. */
  resolutions: Resolution[]
  /** Installs the rules chose that exclude left out. */
  excluded: Install[]
  /** Rules that choose nothing, each as a sentence that quotes it: bad input, so nothing may be requested. */
  problems: string[]
  /** How many installs the API user sees, when the whole list was read. */
  visible?: number
}

/** Whether anything but plain names and IDs is asked for: then the whole list of installs is read. */
export function usesRules({ include, exclude, environments }: Choice): boolean {
  return include.some((rule) => rule.kind === 'pattern') || exclude.length > 0 || environments.length > 0
}

/**
 * The installs to back up. Names and IDs alone are found as findInstalls finds them (the list read only
 * as far as the last name). With a pattern, exclude or environment, the whole list is read in one pass,
 * and each rule is held to it: a pattern or exclude entry that matches no install, or a name outside the
 * environments, is a problem (with the closest names), as is a choice that leaves nothing.
 */
export async function chooseInstalls(client: Pick<WpeClient, 'getInstall' | 'listInstalls'>, choice: Choice): Promise<Chosen> {
  const { include, exclude, environments } = choice
  if (!usesRules(choice)) return { resolutions: await findInstalls(client, include as InstallRef[]), excluded: [], problems: [] }

  const named = new Set([...include, ...exclude].flatMap((rule) => (rule.kind === 'name' ? [rule.name] : [])))
  const listed: Install[] = []
  const broken = new Map<string, string>()
  const pages = allItems(
    (offset) => client.listInstalls(offset, { askedFor: (item) => item.name !== undefined && named.has(item.name) }),
    (item) => broken.set(item.name as string, item.reason)
  )
  for await (const install of pages) listed.push(install)
  const byName = new Map(listed.map((install) => [install.name, install]))
  const byId = new Map(listed.map((install) => [install.id, install]))
  const names = (): string[] => listed.map((install) => install.name)
  const inEnvironments = (install: Install): boolean =>
    environments.length === 0 || (environments as string[]).includes(install.environment?.toLowerCase() ?? '')
  // Each problem with the place of its rule, so that they read in the order the rules were given.
  const found: { at: number; problem: string }[] = []
  const environmentText = environments.join(', ')

  // Names and IDs first, so that a pattern never chooses again what is named on its own.
  const explicit = new Map<InstallRule, Resolution>()
  for (const [at, rule] of include.entries()) {
    if (rule.kind === 'pattern') continue
    const resolution =
      rule.kind === 'name' ? nameResolution(rule, byName, broken, listed.length, names) : await idResolution(client, rule, byId)
    if ('install' in resolution && !inEnvironments(resolution.install)) {
      found.push({
        at,
        problem: `install '${ruleText(rule)}' is ${describeEnvironment(resolution.install)}, outside environment (${environmentText}): leave it out of install, or add its environment`
      })
    }
    explicit.set(rule, resolution)
  }
  const chosenIds = new Set([...explicit.values()].flatMap((resolution) => ('install' in resolution ? [resolution.install.id] : [])))

  const resolutions: Resolution[] = []
  for (const [at, rule] of include.entries()) {
    const resolution = explicit.get(rule)
    if (resolution) {
      resolutions.push(resolution)
      continue
    }
    if (rule.kind !== 'pattern') continue
    const matching = listed.filter((install) => globMatches(rule.pattern, install.name))
    const kept = matching.filter(inEnvironments)
    if (matching.length === 0) found.push({ at, problem: noMatch('install', rule, listed.length, names()) })
    else if (kept.length === 0)
      found.push({
        at,
        problem: `install '${rule.pattern}' matches ${count(matching.length)}, none in environment (${environmentText}): ${environmentsOf(matching)}`
      })
    for (const install of kept.sort((a, b) => a.name.localeCompare(b.name))) {
      if (chosenIds.has(install.id)) continue
      chosenIds.add(install.id)
      resolutions.push({ ref: { kind: 'name', name: install.name }, install })
    }
  }

  const excludedIds = new Set<string>()
  for (const [at, rule] of exclude.entries()) {
    const matching = listed.filter((install) => ruleMatches(rule, install))
    // An install listed in a shape that cannot be used is left out anyway: excluding it is no mistake.
    const unusable = rule.kind === 'name' && broken.has(rule.name)
    if (matching.length === 0 && !unusable)
      found.push({ at: include.length + at, problem: noMatch('exclude', rule, listed.length, names()) })
    for (const install of matching) excludedIds.add(install.id)
  }
  const excluded: Install[] = []
  const kept = resolutions.filter((resolution) => {
    if (!('install' in resolution) || !excludedIds.has(resolution.install.id)) return true
    excluded.push(resolution.install)
    return false
  })
  const problems = found.sort((a, b) => a.at - b.at).map(({ problem }) => problem)
  if (problems.length === 0 && kept.length === 0) {
    problems.push(
      `install (${include.map(ruleText).join(', ')}) chooses ${count(resolutions.length)}, and exclude (${exclude.map(ruleText).join(', ')}) leaves out every one of them: there is nothing to back up`
    )
  }
  return { resolutions: kept, excluded, problems, visible: listed.length }
}

function nameResolution(
  ref: InstallRef & { kind: 'name' },
  byName: Map<string, Install>,
  broken: Map<string, string>,
  searched: number,
  names: () => string[]
): Resolution {
  const install = byName.get(ref.name)
  if (install) return { ref, install }
  const reason = broken.get(ref.name)
  if (reason !== undefined) return { ref, error: brokenEntryError(ref.name, reason) }
  return { ref, error: new InstallNotFoundError(ref.name, searched, closestMatches(ref.name, names())) }
}

/** An ID from the list, or (for one the list does not show) from its own GET, as findInstalls would. */
async function idResolution(
  client: Pick<WpeClient, 'getInstall'>,
  ref: InstallRef & { kind: 'id' },
  byId: Map<string, Install>
): Promise<Resolution> {
  const install = byId.get(ref.id)
  return install ? { ref, install } : resolveId(client, ref)
}

/** `exclude 'oldsop' matches no install this API user can see (2000 searched). Did you mean oldshop?` */
function noMatch(input: 'install' | 'exclude', rule: InstallRule, searched: number, names: string[]): string {
  const text = ruleText(rule)
  const suggestions =
    rule.kind === 'pattern' ? closestToPattern(rule.pattern, names) : rule.kind === 'name' ? closestMatches(rule.name, names) : []
  const guess = suggestions.length > 0 ? ` Did you mean ${suggestions.join(' or ')}?` : ''
  const fix = input === 'exclude' ? ' Correct it or remove it from exclude.' : ''
  return `${input} '${text}' matches no install this API user can see (${count(searched)} searched).${guess}${fix}`
}

const count = (n: number): string => `${n} install${n === 1 ? '' : 's'}`

/** `a staging install`, or `an install of no known environment`. */
function describeEnvironment(install: Install): string {
  return install.environment ? `a ${install.environment} install` : 'an install of no known environment'
}

/** `5 production, 2 staging`: the environments some installs are in. */
function environmentsOf(installs: Install[]): string {
  const counts = new Map<string, number>()
  for (const install of installs) {
    const environment = install.environment || 'no known environment'
    counts.set(environment, (counts.get(environment) ?? 0) + 1)
  }
  return [...counts].map(([environment, n]) => `${n} ${environment}`).join(', ')
}

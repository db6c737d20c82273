import type { Install } from '../wpengine/types.js'

/** One entry of the install or exclude input: an install by ID or by name, or a pattern of names (`shop*`, `*stg`, `*`). */
export type InstallRule = { kind: 'id'; id: string } | { kind: 'name'; name: string } | { kind: 'pattern'; pattern: string }

/** A pattern: lowercase letters, digits, and at least one `*` (any run of characters) or `?` (one character). */
export const INSTALL_PATTERN = /^(?=.*[*?])[a-z0-9*?]{1,64}$/

/** The rule as the user wrote it. */
export function ruleText(rule: InstallRule): string {
  return rule.kind === 'id' ? rule.id : rule.kind === 'name' ? rule.name : rule.pattern
}

export function ruleMatches(rule: InstallRule, install: Install): boolean {
  if (rule.kind === 'id') return rule.id === install.id
  if (rule.kind === 'name') return rule.name === install.name
  return globMatches(rule.pattern, install.name)
}

/** Whether `name` matches `pattern` as a whole, `*` standing for any run of characters and `?` for one. */
export function globMatches(pattern: string, name: string): boolean {
  // Greedy with one backtrack point (the last `*`): linear for these short texts, never exponential.
  let p = 0
  let n = 0
  let star = -1
  let resume = 0
  while (n < name.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === name[n])) {
      p++
      n++
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++
      resume = n
    } else if (star >= 0) {
      p = star + 1
      n = ++resume
    } else {
      return false
    }
  }
  while (pattern[p] === '*') p++
  return p === pattern.length
}

/**
 * The names closest to matching `pattern`, nearest first, for a "did you mean" when it matches none.
 * The distance is the fewest letters to change, add or remove in the pattern for it to match the
 * name (`*` and `?` match for free); only near misses count: at most a third of the pattern's letters,
 * and at least one.
 */
export function closestToPattern(pattern: string, names: Iterable<string>, limit = 3): string[] {
  const letters = pattern.replace(/[*?]/g, '').length
  const most = Math.max(1, Math.floor(letters / 3))
  const near: { name: string; distance: number }[] = []
  for (const name of new Set(names)) {
    const distance = patternDistance(pattern, name)
    if (distance > 0 && distance <= most) near.push({ name, distance })
  }
  near.sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name))
  return near.slice(0, limit).map(({ name }) => name)
}

/** Edit distance between a pattern and a name, wildcards matching at no cost; a swap of two neighbouring letters is one edit. */
export function patternDistance(pattern: string, name: string): number {
  // Row i holds the distances of pattern[0, i) against every name[0, j).
  const rows: number[][] = [Array.from({ length: name.length + 1 }, (_, j) => j)]
  for (let i = 1; i <= pattern.length; i++) {
    const c = pattern[i - 1]
    const above = rows[i - 1]!
    const row = [c === '*' ? above[0]! : above[0]! + 1]
    for (let j = 1; j <= name.length; j++) {
      if (c === '*') {
        row[j] = Math.min(above[j]!, row[j - 1]!)
        continue
      }
      let best = Math.min(above[j - 1]! + (c === '?' || c === name[j - 1] ? 0 : 1), above[j]! + 1, row[j - 1]! + 1)
      const previous = pattern[i - 2]
      if (i > 1 && j > 1 && previous !== '*' && c === name[j - 2] && previous === name[j - 1])
        best = Math.min(best, rows[i - 2]![j - 2]! + 1)
      row[j] = best
    }
    rows.push(row)
  }
  return rows[pattern.length]![name.length]!
}

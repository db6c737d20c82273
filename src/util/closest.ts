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

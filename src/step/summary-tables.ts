import { cell } from '../text/markdown-cell.js'
import { UUID } from '../wpengine/types.js'

// The pieces both actions' job summaries are built from, so that they read alike.

/** A row of a details table: a label and its Markdown value, or undefined when nothing is known. */
export type DetailRow = [label: string, value: string | undefined]

/**
 * One thing's details as a two-column table. GitHub renders no table without a header row, so the
 * first row (what the table is about) is the header instead of an empty one. Rows with no value are
 * left out; with nothing but the first, there is no table at all.
 */
export function detailsTable([head, ...rows]: [DetailRow, ...DetailRow[]]): string[] {
  const known = rows.filter((row): row is [string, string] => row[1] !== undefined)
  if (known.length === 0) return []
  return [`| ${head[0]} | ${head[1] ?? '—'} |`, '| :-- | :-- |', ...known.map(([label, value]) => `| ${label} | ${value} |`), '']
}

/** What went wrong and what to do, set apart from the facts. */
export function problemQuote(text: string): string[] {
  return [`> ${cell(text)}`, '']
}

/**
 * An ID in code type, so that it reads as one token and copies whole; text that is no UUID stays plain.
 * `short` gives its first eight digits, as git shortens a SHA, for a table where the whole ID would wrap.
 */
export function idCell(id: string | undefined | null, { short = false } = {}): string {
  return id && UUID.test(id) ? `\`${short ? id.slice(0, 8) : id}\`` : cell(id)
}

/**
 * Whole IDs to copy, one per named thing, folded away under a table whose cells show them short, so
 * that the table stays one glance wide. Nothing when there is none.
 */
export function fullIds(title: string, items: [name: string, id: string | undefined][]): string[] {
  const known = items.filter((item): item is [string, string] => Boolean(item[1]))
  if (known.length === 0) return []
  return [`<details><summary>${title}</summary>`, '', ...known.map(([name, id]) => `- ${cell(name)}: ${idCell(id)}`), '', '</details>', '']
}

import { beforeAll, describe, expect, it } from '@jest/globals'
import { existsSync } from 'node:fs'
import { marked } from 'marked'
import { ENDINGS, runEnding, type Ending } from '../../scripts/endings.js'
import { ACTION } from '../../scripts/run-action.js'

// Every ending's job summary, from the bundled action's own output, rendered as GitHub-flavoured
// Markdown: what a reviewer sees must be text and tables, never Markdown left raw. And its log.

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#124': '|', '#96': '`' }

/** The text a reader sees: tags dropped, entities decoded. */
function visibleText(html: string): string {
  return html.replace(/<[^>]+>/g, ' ').replace(/&(#?\w+);/g, (whole, name: string) => ENTITIES[name] ?? whole)
}

/** The rows of every rendered table, as cell texts, header row first. */
function tables(html: string): { headers: string[]; rows: string[][] }[] {
  return [...html.matchAll(/<table>([\s\S]*?)<\/table>/g)].map(([, table]) => {
    const cells = (row: string) => [...row.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map(([, text]) => visibleText(text ?? '').trim())
    const [head = '', ...body] = [...(table ?? '').matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map(([, row]) => row ?? '')
    return { headers: cells(head), rows: body.map(cells) }
  })
}

/**
 * An ending at a faster pace than the screenshots': status checks a second apart, backups that end
 * take 0.8 s (seen at the first check), and a 2 s timeout for the ending that times out. The pace
 * changes numbers in the text, never its shape.
 */
function faster(ending: Ending): Ending {
  if (ending.restore) return ending
  const ends = ending.sim?.durationMs !== undefined && ending.sim.durationMs < 60_000
  return {
    ...ending,
    sim: ends ? { ...ending.sim, requestedMs: 200, durationMs: 800 } : ending.sim,
    inputs: (sim) => ({ 'poll-interval': '1s', ...ending.inputs?.(sim), ...(ending.name === 'timeout' ? { timeout: '2s' } : {}) })
  }
}

beforeAll(() => {
  if (!existsSync(ACTION)) throw new Error('dist/index.js is missing: run npm run bundle')
})

describe('every ending as a person reads it: the job summary as GitHub renders it, and the log', () => {
  it.concurrent.each(ENDINGS.map((ending) => [ending.name, ending] as const))('%s', async (_name, ending) => {
    const result = await runEnding(faster(ending))
    expect(result.code === 0).toBe(ending.ok)
    const markdown = result.summary
    const html = await marked.parse(markdown, { gfm: true })
    const text = visibleText(html)

    // Every ending writes a summary that opens with what happened.
    expect(html).toMatch(/^<h2>(✅|❌|⏱️|🕓|⚠️|❓) /u)

    // No Markdown shows as Markdown: emphasis, code marks, table pipes, headings, alert markers.
    for (const raw of ['**', '`', '| ---', '| :--', '##', '[!']) expect(text).not.toContain(raw)
    for (const line of text.split('\n')) expect(line.trim()).not.toMatch(/^\|.*\|$/)

    // Every table line became a table row, no header is empty, and every row has the header's cells.
    const tableLines = markdown.split('\n').filter((line) => line.startsWith('|') && !/^\| :?-/.test(line))
    const rendered = tables(html)
    expect(rendered.reduce((sum, table) => sum + 1 + table.rows.length, 0)).toBe(tableLines.length)
    for (const { headers, rows } of rendered) {
      expect(headers.every((header) => header !== '')).toBe(true)
      for (const row of rows) expect(row).toHaveLength(headers.length)
      // Nothing unknown is listed as a row of dashes.
      for (const row of rows) expect(row.slice(1).every((value) => value === '—')).toBe(false)
    }

    // Times as people read them; the outputs keep ISO 8601.
    expect(text).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/)
    expect(text).not.toMatch(/\.\d{3}Z/)

    // The log: no group opened for nothing, and one annotation for the one problem, if any.
    expect(result.stdout).not.toMatch(/^::group::.*\n::endgroup::$/m)
    expect(result.stdout.match(/^::(error|warning)::/gm) ?? []).toHaveLength(ending.ok ? 0 : 1)

    // A failure says what went wrong, in the summary as in the failure line.
    const failure = /^::error::(.*)$/m.exec(result.stdout)?.[1]
    if (!ending.ok) expect(failure).toBeDefined()
    if (failure && !/^\d+ of \d+ installs/.test(failure)) {
      const firstSentence = failure.replace(/^Invalid input: /, '').split(/[.;] /)[0] ?? ''
      expect(text.replace(/\s+/g, ' ')).toContain(firstSentence.replace(/\s+/g, ' '))
    }
  })
})

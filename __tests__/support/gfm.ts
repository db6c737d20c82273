import { marked } from 'marked'
import { micromark } from 'micromark'
import { gfm, gfmHtml } from 'micromark-extension-gfm'

// Two real GFM renderers: micromark (with its GFM extensions, which follow GitHub's cmark-gfm) and
// marked. What renders as a link, an image or HTML in either would in a job summary too.

const ENTITIES: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"', '&#x27;': "'", '&#39;': "'" }
const decode = (html: string): string => html.replace(/&(?:lt|gt|amp|quot|#x27|#39);/g, (entity) => ENTITIES[entity] ?? entity)

export interface Rendered {
  /** micromark's HTML, then marked's. */
  html: string[]
  /** Every tag name either renderer produced. */
  tags: Set<string>
  /** The text of each table row's cells (micromark's rendering), tags stripped. */
  cells: string[][]
}

export function renderGfm(markdown: string): Rendered {
  const html = [micromark(markdown, { extensions: [gfm()], htmlExtensions: [gfmHtml()] }), marked.parse(markdown, { async: false })]
  const tags = new Set(html.flatMap((h) => [...h.matchAll(/<\/?([a-z][a-z0-9-]*)/gi)].map((m) => (m[1] ?? '').toLowerCase())))
  const cells = [...(html[0] ?? '').matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map(([, row]) =>
    [...(row ?? '').matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map(([, inner]) => decode((inner ?? '').replace(/<[^>]*>/g, '')))
  )
  return { html, tags, cells }
}

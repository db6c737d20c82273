import { oneLine } from './safe-text.js'

// Every character that can open Markdown or HTML in GitHub's renderer: links and images ([ ! ]),
// raw HTML and angle autolinks (<), entities (&), code, emphasis, strikethrough and math
// (` * _ ~ $), table cells (|), escapes (\) and email autolinks (@).
const SYNTAX = /[\\`*_[\]<>&|~$!@]/g
// Bare links that GFM turns into links by themselves: `https://…` and `www.…`.
const AUTOLINK = /:(?=\/)|(?<=www)\./gi
// What only counts at the start of a line, as a cell may start one: headings, lists, setext underlines.
const BLOCK_START = /^(?:[#+-](?=\s|$)|=|\d{1,9}(?=[.)](?:\s|$)))/

/**
 * Text from the API or the user, made inert in a Markdown table cell (or any inline place): on one
 * line, every piece of syntax backslash-escaped, so that it renders as the very text it is, with no
 * link, image, HTML or formatting.
 */
export function cell(value: string | undefined | null): string {
  if (!value) return '—'
  const text = oneLine(value)
    .replace(SYNTAX, '\\$&')
    .replace(AUTOLINK, '\\$&')
    .replace(BLOCK_START, (start) => (/\d/.test(start) ? `${start}\\` : `\\${start}`))
  return text === '' ? '—' : text
}

const MAX_TEXT = 500

/** Text that has been through safeText: one line, bounded, and unable to form a workflow command. */
export type SafeText = string & { readonly __safeText: true }

// ANSI escape sequences go whole; every other control, format (bidi overrides, zero-width), line or
// paragraph separator, and lone surrogate becomes a space, so the text stays on one line and shows what it says.
const ANSI_SEQUENCE = /\u001b\[[0-?]*[ -/]*[@-~]/g
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]+/gu

/** Text on one line, with nothing invisible in it, cut to at most `max` characters (an ellipsis shows the cut). */
export function oneLine(text: string, max = Infinity): string {
  // Long text is cut before it is cleaned too, so a huge answer costs no more than a short one.
  const head = text.length > max * 2 + 16 ? text.slice(0, max * 2 + 16) : text
  const line = head.replace(ANSI_SEQUENCE, '').replace(INVISIBLE, ' ').trim()
  return cut(line, max, head.length < text.length)
}

function cut(line: string, max: number, alreadyCut: boolean): string {
  if (line.length <= max && !alreadyCut) return line
  // Cut between code points, never inside a surrogate pair.
  const points = Array.from(line.slice(0, max))
  return `${points.slice(0, Math.max(0, points.length - 1)).join('')}…`
}

/**
 * Makes text from the API or from users safe to print in a workflow log: one line (see oneLine),
 * every `::` broken up so that no line can start a workflow command, every `##[` broken up so that
 * the runner's legacy command syntax, which it finds anywhere in a line, cannot appear, and cut to
 * `max` characters.
 */
export function safeText(text: string, max = MAX_TEXT): SafeText {
  const line = oneLine(text, max)
    .replace(/:(?=:)/g, ': ')
    .replace(/#(?=#\[)/g, '# ')
  // Breaking up colons adds characters: cut again so that the bound holds.
  return (line.length > max ? cut(line, max, true) : line) as SafeText
}

const MAX_TEXT = 500

/**
 * Makes text from the API or from users safe to print in a workflow log: control characters
 * (newlines, ANSI escapes) are removed so it stays on one line, every `::` is broken up so it
 * cannot start a workflow command, and long text is cut.
 */
export function safeText(text: string, max = MAX_TEXT): string {
  const oneLine = text
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/:(?=:)/g, ': ')
    .trim()
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine
}

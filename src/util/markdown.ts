/** Text from the API or the user, made inert in a Markdown table cell. */
export function cell(value: string | undefined | null): string {
  if (!value) return '—'
  return value
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '&#124;')
    .replace(/`/g, '&#96;')
}

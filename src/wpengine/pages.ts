import type { Page } from './types.js'

/**
 * Every item of an offset-paginated list. The next offset is read from `next` but the URL itself
 * is never followed: requests stay on the configured api-url, whatever host `next` names.
 */
export async function* allItems<T>(fetchPage: (offset: number) => Promise<Page<T>>): AsyncGenerator<T> {
  let offset = 0
  for (;;) {
    const page = await fetchPage(offset)
    const { results } = page
    yield* results
    const next = nextOffset(page.next)
    // An offset that does not move forward would loop for ever; an empty page ends the list too.
    if (next === undefined || next <= offset || results.length === 0) return
    offset = next
  }
}

function nextOffset(next: string | null | undefined): number | undefined {
  if (!next) return undefined
  try {
    const value = new URL(next, 'https://placeholder.invalid').searchParams.get('offset')
    return value !== null && /^\d+$/.test(value) ? Number(value) : undefined
  } catch {
    return undefined
  }
}

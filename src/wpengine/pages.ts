import { WpeApiError } from './errors.js'
import type { Page, Unusable } from './types.js'

/** No WP Engine account comes near this many pages of 100 (installs, or one install's backups or archives). */
export const MAX_PAGES = 200

/**
 * Every item of an offset-paginated list. The next offset comes from `next`, whose URL is never
 * followed. The list ends on a page without `next` or an empty page, and stops with a clear error
 * when pages stop advancing, run past the total the API counts, or pass MAX_PAGES: a broken API must
 * not keep the step busy for ever. Malformed items the caller asked for go to `onUnusable`.
 */
export async function* allItems<T>(
  fetchPage: (offset: number) => Promise<Page<T>>,
  onUnusable?: (item: Unusable) => void
): AsyncGenerator<T> {
  let offset = 0
  let seen = 0
  for (let pages = 1; ; pages++) {
    const page = await fetchPage(offset)
    seen += page.received
    if (page.count !== undefined && seen > page.count) {
      throw broken(page, pages, `went on past the ${page.count} items it counts (${seen} so far)`)
    }
    for (const item of page.unusable) onUnusable?.(item)
    yield* page.results
    const next = page.nextOffset
    if (next === undefined || page.received === 0) return
    if (next <= offset) throw broken(page, pages, `stopped advancing (page ${pages} points back to offset ${next})`)
    if (page.count !== undefined && next > page.count) {
      throw broken(page, pages, `points past its end (offset ${next} of the ${page.count} items it counts)`)
    }
    if (pages >= MAX_PAGES) {
      throw broken(page, pages, `went on for more than ${MAX_PAGES} pages (${seen} items), more than any WP Engine account holds`)
    }
    offset = next
  }
}

function broken(page: Page<unknown>, pages: number, what: string): WpeApiError {
  return new WpeApiError(
    `WP Engine's answer to ${page.operation} ${what}: its pagination looks broken, so the action stopped reading it. Re-run the job later.`,
    { kind: 'bad-response', operation: page.operation, ambiguous: false, transient: false, attempts: pages }
  )
}

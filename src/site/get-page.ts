import type { Send } from '../wpengine/http.js'

// One look at a site, as a visitor's browser would take it: a GET with no credentials of any kind,
// redirects followed. Only the status and whether the page holds a text are kept; nothing the site
// sends is ever shown.

/** Redirects followed before the last answer counts as it is (a browser gives up at about 20). */
export const MAX_REDIRECTS = 5

const REDIRECTS = new Set([301, 302, 303, 307, 308])

export interface PageAnswer {
  status: number
  /** How many redirects led to this answer. */
  redirects: number
  body: string
}

/**
 * GETs `url` through `send` (a transport that adds no header of its own), following up to
 * MAX_REDIRECTS redirects to http or https addresses. Rejects as `send` does when no answer comes.
 */
export async function getPage(send: Send, url: URL, signal: AbortSignal): Promise<PageAnswer> {
  let target = url
  for (let redirects = 0; ; redirects++) {
    const response = await send(
      {
        method: 'GET',
        url: target,
        headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8', 'user-agent': 'wpengine-backup-action (site check)' }
      },
      signal
    )
    const next = REDIRECTS.has(response.status) && redirects < MAX_REDIRECTS ? locationOf(response.headers.location, target) : undefined
    if (!next) return { status: response.status, redirects, body: response.body }
    target = next
  }
}

/** Where a redirect points, when it is an http or https address; undefined otherwise (the redirect is then the answer). */
function locationOf(location: string | string[] | undefined, base: URL): URL | undefined {
  const text = Array.isArray(location) ? location[0] : location
  if (!text) return undefined
  try {
    const url = new URL(text, base)
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined
  } catch {
    return undefined
  }
}

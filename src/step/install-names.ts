import type { Install } from '../wpengine/types.js'
import { installLabel, type InstallRef } from './inputs.js'

// How a step with several installs names them in its lines.

/** An install as the user named it, and as WP Engine knows it once found. */
export interface Named {
  ref: InstallRef
  install?: Install
}

/** What the install is called in messages: its name once known, else what the user gave. */
export function nameOf(entry: Named): string {
  return entry.install?.name ?? installLabel(entry.ref)
}

/** `shoptwo, shopthree (aborted by WP Engine); blog9 (not found; did you mean blog8?)`: installs grouped by the few words of why. */
export function namesByReason(failed: (Named & { reason?: string; outcome?: string })[]): string {
  const byReason = new Map<string, string[]>()
  for (const entry of failed) {
    const reason = entry.reason ?? entry.outcome ?? 'failed'
    byReason.set(reason, [...(byReason.get(reason) ?? []), nameOf(entry)])
  }
  return [...byReason].map(([reason, names]) => `${names.join(', ')} (${reason})`).join('; ')
}

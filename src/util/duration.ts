const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1_000 } as const

/**
 * Parses `90s`, `30m`, `1h`, `1h30m`, `1h30m15s` or bare seconds (`300`) into milliseconds.
 * Returns undefined for anything else, so the caller can name the input in its error.
 */
export function parseDuration(text: string): number | undefined {
  const value = text.trim().toLowerCase()
  if (/^\d+$/.test(value)) return Number(value) * UNIT_MS.s
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(value)
  if (!match || value === '') return undefined
  const [, h = '0', m = '0', s = '0'] = match
  return Number(h) * UNIT_MS.h + Number(m) * UNIT_MS.m + Number(s) * UNIT_MS.s
}

/** `95000` → `1m 35s`; `3600000` → `1h 0m 0s`; under a second → `0s`. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000))
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  if (h > 0) return `${h}h ${m}m ${s}s`
  if (m > 0) return `${m}m ${s}s`
  return `${s}s`
}

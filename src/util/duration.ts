const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1_000 } as const

/**
 * Parses `90s`, `30m`, `1h`, `1h30m` or `1h 30m 15s` into milliseconds. A bare number has no unit and
 * is not a duration (GitHub's `timeout-minutes` counts minutes, where seconds were once meant here):
 * undefined, like anything else unreadable, so that the caller can name the input in its error.
 */
export function parseDuration(text: string): number | undefined {
  const value = text.trim().toLowerCase()
  const match = /^(?:(\d+)h)? *(?:(\d+)m)? *(?:(\d+)s)?$/.exec(value)
  if (!match || !/[hms]$/.test(value)) return undefined
  const [, h = '0', m = '0', s = '0'] = match
  return Number(h) * UNIT_MS.h + Number(m) * UNIT_MS.m + Number(s) * UNIT_MS.s
}

/** As people write it: `1h`, `30m`, `4m 12s`, `1h 5m`; under a second → `0s`. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000))
  const parts = [
    [Math.floor(total / 3600), 'h'],
    [Math.floor((total % 3600) / 60), 'm'],
    [total % 60, 's']
  ] as const
  const shown = parts.filter(([value]) => value > 0).map(([value, unit]) => `${value}${unit}`)
  return shown.length > 0 ? shown.join(' ') : '0s'
}

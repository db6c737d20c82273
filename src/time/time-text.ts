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

/**
 * A time as a person reads it in a summary: `2026-11-22 10:04:41 UTC`, to the second. Text that is not
 * a time comes back as it was, so nothing the API said is lost; outputs keep the API's ISO 8601.
 */
export function readableTime(iso: string): string {
  const ms = Date.parse(iso)
  if (Number.isNaN(ms)) return iso
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`
}

/** A time of day as a log line says it: `10:42:30 UTC`. */
export function timeOfDay(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 19)} UTC`
}

/** A backup's age as the log and the summary say it: `12m old`, or `of unknown age` when the API gave no create_time. */
export function ageText(ageMs: number | undefined): string {
  return ageMs === undefined ? 'of unknown age' : `${formatDuration(ageMs)} old`
}

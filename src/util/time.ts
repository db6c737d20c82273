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

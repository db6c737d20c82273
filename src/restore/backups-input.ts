import type { InputReader, InstallRef } from '../step/inputs.js'
import { INSTALL_NAME, UUID } from '../wpengine/types.js'
import type { RestoreTarget } from './inputs.js'

// The backups input: the backup action's backups output, as it is (src/backup/report.ts writes it).
// Each install goes back to its own backup; an install the backup step gave no restore point is
// skipped, saying why, since the deploy recipes do not deploy to it either.

/** More than any account holds; a bound on what one input can make the step do. */
export const MAX_BACKUPS = 5_000
/** Problems with single entries named one by one before the rest are counted. */
const NAMED_PROBLEMS = 10

const HOW = "give the backup step's backups output as it is, e.g. backups: ${{ steps.backup.outputs.backups }}"

/** The targets the backups input names, with every problem pushed to the reader's (naming the entry and its value). */
export function parseBackups(read: InputReader, text: string): RestoreTarget[] {
  const { problems } = read
  const quote = (value: string): string => read.quote(value)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    problems.push(`backups ${quote(text)} is not JSON: ${HOW}`)
    return []
  }
  if (!Array.isArray(value)) {
    problems.push(`backups is ${kindOf(value)}, not a list of installs: ${HOW}`)
    return []
  }
  if (value.length === 0) problems.push('backups lists no installs: the backup step backed up none, so there is nothing to restore')
  if (value.length > MAX_BACKUPS) {
    problems.push(`backups lists ${value.length} installs; at most ${MAX_BACKUPS} are taken`)
    return []
  }
  const entryProblems: string[] = []
  const targets: RestoreTarget[] = []
  const seen = new Set<string>()
  value.forEach((entry: unknown, index) => {
    const target = targetOf(entry, `backups[${index}]`, entryProblems, quote)
    if (!target) return
    const key = target.ref.kind === 'id' ? target.ref.id : target.ref.name
    if (seen.has(key)) entryProblems.push(`backups[${index}] names ${key} again: each install is restored once, from one backup`)
    seen.add(key)
    targets.push(target)
  })
  problems.push(...entryProblems.slice(0, NAMED_PROBLEMS))
  if (entryProblems.length > NAMED_PROBLEMS)
    problems.push(`and ${entryProblems.length - NAMED_PROBLEMS} more problems with entries of backups`)
  return targets
}

/** One entry: its install (by name, found in one pass with the others, its ID then checked), and its backup or why it has none. */
function targetOf(entry: unknown, where: string, problems: string[], quote: (value: string) => string): RestoreTarget | undefined {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    problems.push(`${where} is ${kindOf(entry)}, not an install's entry: ${HOW}`)
    return undefined
  }
  const fields = entry as Record<string, unknown>
  if (!('backup-id' in fields)) {
    problems.push(`${where} has no backup-id: ${HOW} (a dry run's output has none)`)
    return undefined
  }
  const before = problems.length
  const field = (name: string, pattern: RegExp, what: string): string => {
    const value = fields[name] ?? ''
    if (typeof value === 'string' && (value === '' || pattern.test(value))) return value
    problems.push(`${where} ${name} ${typeof value === 'string' ? quote(value) : kindOf(value)} is not ${what}`)
    return ''
  }
  const installId = field('install-id', UUID, 'an install ID (a UUID)')
  const installName = field('install-name', INSTALL_NAME, 'an install name')
  const backupId = field('backup-id', UUID, 'a backup ID (a UUID)')
  const status = typeof fields.status === 'string' ? fields.status : ''
  const absent = (name: string): boolean => fields[name] === undefined || fields[name] === '' || fields[name] === null
  if (absent('install-id') && absent('install-name')) problems.push(`${where} names no install: it has neither install-id nor install-name`)
  if (problems.length > before) return undefined
  const ref: InstallRef = installName ? { kind: 'name', name: installName } : { kind: 'id', id: installId.toLowerCase() }
  const target: RestoreTarget = { ref, choice: { kind: 'backups', id: backupId.toLowerCase() } }
  if (installName && installId) target.installId = installId.toLowerCase()
  if (backupId === '') target.skip = 'the backup step got no backup of it, so there is no restore point'
  else if (status === 'aborted') target.skip = `its backup ${backupId.toLowerCase()} was aborted, so there is no restore point`
  return target
}

function kindOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

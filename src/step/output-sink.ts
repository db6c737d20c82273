import { oneLine, safeText } from '../text/safe-text.js'
import type { Core } from './core.js'

// The output sink: every log line, annotation, group title, output and the job summary of a step goes
// out through safeCore, whatever wrote it, so that no text (from the API, from the user, or from a
// message that quotes either) can start a workflow command, break out of a value, or make the summary
// too big for GitHub to take. Call sites need not remember anything.

/** A line longer than this is cut: an error line stays readable. */
export const MAX_LINE = 4_000
/** GitHub refuses a step summary larger than 1 MiB. */
export const MAX_SUMMARY_BYTES = 1024 * 1024

const CUT_NOTE = (lines: number) =>
  `\n\n> [!WARNING]\n> ${lines} more lines of this summary were cut: GitHub takes at most 1 MiB of summary per step.\n`

/** The summary, cut at a line boundary if it would pass GitHub's limit, with a note that says how much was cut. */
export function boundSummary(markdown: string): string {
  const bytes = Buffer.from(markdown, 'utf8')
  if (bytes.length <= MAX_SUMMARY_BYTES) return markdown
  const room = MAX_SUMMARY_BYTES - Buffer.byteLength(CUT_NOTE(Number.MAX_SAFE_INTEGER))
  const head = bytes.subarray(0, room).toString('utf8')
  const kept = head.slice(0, Math.max(0, head.lastIndexOf('\n')))
  const cutLines = markdown.slice(kept.length).split('\n').length - 1
  return `${kept}${CUT_NOTE(cutLines)}`
}

/** A log line: see safeText. */
function line(message: string | Error): string {
  return safeText(message instanceof Error ? message.message : message, MAX_LINE)
}

/**
 * @actions/core (or a fake of it) behind the output sink. Lines and annotations are made log-safe and cut to
 * MAX_LINE; output values are kept on one line, so that none can end early; the summary is bounded.
 */
export function safeCore(core: Core): Core {
  let pending = ''
  const summary = {
    addRaw(text: string, addEOL = false) {
      pending += addEOL ? `${text}\n` : text
      return summary
    },
    async write() {
      const text = boundSummary(pending)
      pending = ''
      core.summary.addRaw(text)
      return core.summary.write()
    }
  }
  return {
    getInput: (name, options) => core.getInput(name, options),
    setSecret: (secret) => core.setSecret(secret),
    setOutput: (name, value) => core.setOutput(name, oneLine(String(value))),
    setFailed: (message) => core.setFailed(line(message)),
    info: (message) => core.info(line(message)),
    warning: (message) => core.warning(line(message)),
    notice: (message) => core.notice(line(message)),
    debug: (message) => core.debug(line(message)),
    startGroup: (name) => core.startGroup(line(name)),
    endGroup: () => core.endGroup(),
    summary
  }
}

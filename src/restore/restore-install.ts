import { getPage } from '../site/get-page.js'
import type { StepTools } from '../step/harness.js'
import type { Scope } from '../step/log-scope.js'
import { formatDuration } from '../time/time-text.js'
import { answerText, checkSite, checksText } from '../workflows/check-site.js'
import { purgeCache } from '../workflows/purge-cache.js'
import { CancelledError, errorLine } from '../wpengine/errors.js'
import type { Send } from '../wpengine/http.js'
import type { Install } from '../wpengine/types.js'
import { chooseBackup, choiceLine } from './choose-backup.js'
import { shownUrl, siteUrl, type RestoreSettings } from './inputs.js'
import { askedText, cachesText } from './messages.js'
import type { RestoreEntry, SiteReport } from './report.js'
import { assertRestorable, requestRestore } from './request-restore.js'

/** What a restore step gives each install's work beyond the step's tools. */
export interface InstallWork {
  tools: StepTools<RestoreSettings>
  scope: Scope
  /** The transport for the site checks: it carries no credentials (never the API client's). */
  site: Send
}

/**
 * One install: its backup chosen and checked, the restore requested once, then, when asked, its
 * cache purged and its site checked. A failed purge or check does not undo what WP Engine accepted:
 * each is recorded in its own part of the entry, and the site is checked even when the purge failed.
 */
export async function restoreInstall(entry: RestoreEntry, install: Install, work: InstallWork): Promise<void> {
  const { client, clock, settings, context } = work.tools
  const { log } = work.scope
  const { backup, chosen } = await chooseBackup(client, install, entry.target.choice, { context, now: () => clock.now() })
  entry.backup = backup
  entry.chosen = chosen
  log.info(choiceLine(backup, chosen, install))
  assertRestorable(backup, install)
  log.info(`Asking WP Engine to restore ${install.name} from backup ${backup.id} (${optionsText(settings)}).`)
  entry.request = 'sending'
  await requestRestore(client, install, backup, {
    notification_emails: settings.notificationEmails,
    restore_database: settings.restoreDatabase,
    create_checkpoint: settings.createCheckpoint
  })
  entry.request = 'accepted'
  entry.acceptedAt = new Date(clock.now()).toISOString()
  log.info(`WP Engine accepted the restore of ${install.name} from backup ${backup.id}.`)
  if (settings.purgeCache) await purge(entry, install, work)
  if (settings.verify) await verify(entry, install, work)
}

/** `database included, a checkpoint backup first`: what the restore was asked to do. */
export function optionsText(settings: Pick<RestoreSettings, 'restoreDatabase' | 'createCheckpoint'>): string {
  return `database ${settings.restoreDatabase ? 'included' : 'left as it is'}, ${settings.createCheckpoint ? 'a checkpoint backup first' : 'no checkpoint'}`
}

async function purge(entry: RestoreEntry, install: Install, { tools, scope }: InstallWork): Promise<void> {
  const { client, clock, settings, signal } = tools
  const type = settings.purgeCache ?? 'all'
  const caches = cachesText(type)
  entry.purge = { type, state: 'purging' }
  try {
    const { waitedMs } = await purgeCache(client, clock, install, type, {
      signal,
      onRateLimited: (waitMs) =>
        scope.log.info(`WP Engine is rate-limiting cache purges of ${install.name} (429): asking once more in ${formatDuration(waitMs)}.`)
    })
    entry.purge = { type, state: 'purged', waitedMs }
    scope.log.info(`Purged the ${caches} of ${install.name}.`)
  } catch (error) {
    if (error instanceof CancelledError || signal.aborted) throw error
    entry.purge = { type, state: 'failed', error: errorLine(error) }
    scope.log.info(`❌ The ${caches} of ${install.name} were not purged: ${entry.purge.error}`)
  }
}

async function verify(entry: RestoreEntry, install: Install, { tools, scope, site }: InstallWork): Promise<void> {
  const { clock, settings, signal, random } = tools
  if (!settings.verify) return
  const { text, timeoutMs } = settings.verify
  const url = siteUrl(settings.verify, install.name)
  const shown = shownUrl(url)
  const report: SiteReport = (entry.site = { url: shown, state: 'checking', checks: 0, tookMs: 0 })
  scope.log.info(`Checking ${shown} until it answers ${askedText(text)}, for up to ${formatDuration(timeoutMs)}.`)
  const result = await checkSite({
    get: (attempt) => getPage(site, url, attempt),
    text,
    clock,
    timeoutMs,
    signal,
    random,
    onCheck: (answer, { elapsedMs, news }) => {
      Object.assign(report, { last: answer, checks: report.checks + 1, tookMs: elapsedMs })
      if (news) scope.log.info(`${shown} answers ${answerText(answer, text)} (${formatDuration(elapsedMs)} into the checks).`)
    }
  })
  Object.assign(report, { state: result.ok ? 'verified' : 'not-verified', last: result.last, checks: result.checks, tookMs: result.tookMs })
  scope.log.info(
    result.ok
      ? `✅ ${shown} answers ${answerText(result.last, text)}, after ${checksText(result)}.`
      : `❌ ${shown} did not answer ${askedText(text)} within ${formatDuration(timeoutMs)}: it last answered ${answerText(result.last, text)}.`
  )
}

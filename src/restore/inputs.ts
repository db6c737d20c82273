import type { Credentials } from '../step/harness.js'
import type { RunContext } from '../step/run-context.js'
import { InputReader, installLabel, type GetInput, type InstallRef } from '../step/inputs.js'

export interface RestoreSettings extends Credentials {
  install: InstallRef
  backupId: string
  notificationEmails: string[]
  restoreDatabase: boolean
  createCheckpoint: boolean
}

/** Reads and checks every input before anything is sent; throws one InputError listing all problems. */
export function parseRestoreInputs(getInput: GetInput, env: NodeJS.ProcessEnv, context: RunContext = {}): RestoreSettings {
  const read = new InputReader(getInput, env, context)
  const installs = read.installs()
  if (installs.length > 1)
    read.problems.push(
      `install lists ${installs.length} installs (${installs.map(installLabel).join(', ')}): a restore goes to exactly one`
    )
  const backupId = read.backupId(true)
  const notificationEmails = read.emails('to restore: WP Engine emails these addresses when the restore is done')
  const restoreDatabase = read.boolean('restore-database', true)
  const createCheckpoint = read.boolean('create-checkpoint', true)
  const { userId, password } = read.credentials()
  const apiUrl = read.apiUrl()
  read.done()
  return {
    install: installs[0] as InstallRef,
    backupId: backupId as string,
    notificationEmails,
    restoreDatabase,
    createCheckpoint,
    userId,
    password,
    apiUrl
  }
}

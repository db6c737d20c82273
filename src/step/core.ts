import type * as actionsCore from '@actions/core'

/** The part of @actions/core the actions use; tests pass a recording fake in its place. */
export type Core = Pick<
  typeof actionsCore,
  'getInput' | 'setOutput' | 'setSecret' | 'setFailed' | 'info' | 'warning' | 'notice' | 'debug' | 'startGroup' | 'endGroup'
> & { summary: { addRaw(text: string, addEOL?: boolean): unknown; write(): Promise<unknown> } }

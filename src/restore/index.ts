import { runRestore } from './main.js'
import { commandLine } from '../runner.js'

// The restore action's entry point (restore/action.yml), bundled to dist/restore/index.js.
await runRestore().catch((error: unknown) => {
  process.exitCode = 1
  process.stdout.write(commandLine('error', `Unexpected failure: ${error instanceof Error ? error.message : String(error)}`))
})

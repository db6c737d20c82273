import { run } from './main.js'
import { commandLine } from './runner.js'

// run() reports its own failures; this catches what it cannot (e.g. an unwritable GITHUB_OUTPUT)
// so that even then the log shows one error line and no stack trace.
await run().catch((error: unknown) => {
  process.exitCode = 1
  process.stdout.write(commandLine('error', `Unexpected failure: ${error instanceof Error ? error.message : String(error)}`))
})

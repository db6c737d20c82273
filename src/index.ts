import { run } from './main.js'
import { createRunner, runContextFromEnv } from './runner.js'

await run({
  runner: createRunner(process.env),
  env: process.env,
  context: runContextFromEnv(process.env),
  signals: process,
  // In-flight requests are already aborted and the outputs written: end now, whatever else is pending.
  onCancelled: () => process.exit()
})

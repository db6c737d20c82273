import { runRestore } from './main.js'

// The restore action's entry point (restore/action.yml), bundled to dist/restore/index.js.
await runRestore()

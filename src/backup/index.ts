import { run } from './main.js'

// The backup action's entry point (action.yml), bundled to dist/index.js.
await run()

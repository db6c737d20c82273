// @ts-check
// Writes the input and output tables of README.md and restore/README.md from action.yml and restore/action.yml (`npm run docs`),
// so that what users read is what the actions declare; a test fails when the README is out of date.
// An input's description in action.yml is one or two sentences (what GitHub and editors show); the README's
// Description column adds the input's detail from docs/inputs.yml, where every input must have one.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import YAML from 'yaml'
import { ROOT } from './run-action.js'

/** Each action: its action.yml, the README its tables go in, and its key in docs/inputs.yml. */
export const ACTIONS = /** @type {const} */ ({
  backup: { action: 'action.yml', readme: 'README.md' },
  restore: { action: join('restore', 'action.yml'), readme: join('restore', 'README.md') }
})

/** Where the inputs' details live, keyed by action (`backup`, `restore`), then by input name. */
export const DETAILS_FILE = join('docs', 'inputs.yml')

/** @typedef {Record<string, string>} Details the Markdown detail of each input of one action, by name */

/**
 * One action's details, from docs/inputs.yml.
 * @param {keyof typeof ACTIONS} key @returns {Details}
 */
export function readDetails(key, detailsYaml = readFileSync(join(ROOT, DETAILS_FILE), 'utf8')) {
  return YAML.parse(detailsYaml)?.[key] ?? {}
}

/** @param {string} text Markdown: kept as written, on one line, with its pipes escaped for the table */
const cell = (text) =>
  text
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ')
    .trim()

/** @param {string} text plain text from action.yml: nothing in it may read as HTML */
const plain = (text) => cell(text.replace(/</g, '&lt;'))

/**
 * What is wrong between an action's inputs and their details: an input without a detail, a detail
 * for an input the action does not have. Empty when they match.
 * @param {string} actionYaml @param {Details} details
 */
export function detailProblems(actionYaml, details) {
  const inputs = Object.keys(YAML.parse(actionYaml).inputs ?? {})
  return [
    ...inputs
      .filter((name) => typeof details[name] !== 'string' || details[name].trim() === '')
      .map((name) => `input ${name} has no detail in ${DETAILS_FILE}`),
    ...Object.keys(details)
      .filter((name) => !inputs.includes(name))
      .map((name) => `${DETAILS_FILE} has a detail for ${name}, which is not an input`)
  ]
}

/**
 * The two tables, rendered from action.yml and the inputs' details; throws when an input has no detail.
 * @param {string} actionYaml @param {Details} details
 */
export function renderTables(actionYaml, details) {
  const problems = detailProblems(actionYaml, details)
  if (problems.length > 0) throw new Error(problems.join('; '))
  const action = YAML.parse(actionYaml)
  const inputs = Object.entries(action.inputs ?? {}).map(
    ([name, input]) =>
      `| \`${name}\` | ${input.required ? 'yes' : 'no'} | ${input.default === undefined ? '' : `\`${cell(String(input.default))}\``} | ${plain(input.description)} ${cell(details[name] ?? '')} |`
  )
  const outputs = Object.entries(action.outputs ?? {}).map(([name, output]) => `| \`${name}\` | ${plain(output.description)} |`)
  return {
    inputs: ['| Input | Required | Default | Description |', '| --- | --- | --- | --- |', ...inputs].join('\n'),
    outputs: ['| Output | Description |', '| --- | --- |', ...outputs].join('\n')
  }
}

/**
 * The README with its tables between `<!-- inputs:start -->` and `…:end -->` markers replaced.
 * @param {string} readme @param {{ inputs: string, outputs: string }} tables
 */
export function withTables(readme, tables) {
  let text = readme
  for (const name of /** @type {const} */ (['inputs', 'outputs'])) {
    const pattern = new RegExp(`(<!-- ${name}:start -->\\n)[\\s\\S]*?(\\n<!-- ${name}:end -->)`)
    if (!pattern.test(text)) throw new Error(`The README has no <!-- ${name}:start --> … <!-- ${name}:end --> markers`)
    text = text.replace(pattern, `$1${tables[name]}$2`)
  }
  return text
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [key, { action, readme }] of Object.entries(ACTIONS)) {
    const path = join(ROOT, readme)
    const tables = renderTables(readFileSync(join(ROOT, action), 'utf8'), readDetails(/** @type {keyof typeof ACTIONS} */ (key)))
    writeFileSync(path, withTables(readFileSync(path, 'utf8'), tables))
  }
  process.stdout.write(`README.md and restore/README.md tables written from action.yml, restore/action.yml and ${DETAILS_FILE}\n`)
}

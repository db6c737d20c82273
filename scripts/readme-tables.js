// @ts-check
// Writes the input and output tables of README.md and restore/README.md from action.yml and restore/action.yml (`npm run docs`),
// so that what users read is what the actions declare; a test fails when the README is out of date.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import YAML from 'yaml'
import { ROOT } from './run-action.js'

/** @param {string} text */
const cell = (text) =>
  text
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ')
    .trim()

/** The two tables, rendered from action.yml. */
export function renderTables(actionYaml = readFileSync(join(ROOT, 'action.yml'), 'utf8')) {
  const action = YAML.parse(actionYaml)
  const inputs = Object.entries(action.inputs ?? {}).map(
    ([name, input]) =>
      `| \`${name}\` | ${input.required ? 'yes' : 'no'} | ${input.default === undefined ? '' : `\`${cell(String(input.default))}\``} | ${cell(input.description)} |`
  )
  const outputs = Object.entries(action.outputs ?? {}).map(([name, output]) => `| \`${name}\` | ${cell(output.description)} |`)
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
  /** @type {[readme: string, action: string][]} */
  const pairs = [
    ['README.md', 'action.yml'],
    [join('restore', 'README.md'), join('restore', 'action.yml')]
  ]
  for (const [readme, action] of pairs) {
    const path = join(ROOT, readme)
    writeFileSync(path, withTables(readFileSync(path, 'utf8'), renderTables(readFileSync(join(ROOT, action), 'utf8'))))
  }
  process.stdout.write('README.md and restore/README.md tables written from action.yml and restore/action.yml\n')
}

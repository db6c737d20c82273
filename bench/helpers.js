// @ts-check
// What the bench sections share: the compiled source, seeded randomness, statistics, formatting, and targets.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT } from '../scripts/run-action.js'

export const SECOND = 1000
export const MINUTE = 60 * SECOND

/**
 * @typedef {{ ok: boolean, line: string }} Target
 * @typedef {{ lines: string[], targets: Target[] }} SectionResult
 * @typedef {{ name: string, run: () => Promise<SectionResult> }} Section
 */

/**
 * One folder for everything a bench run writes, removed when the process ends however it ends (done,
 * failed, thrown, or interrupted). It becomes TMPDIR for this process, so every `mkdtemp(tmpdir())`
 * below it (the sections' own folders, and run-action's for each run of the action) lands inside it.
 */
export function scratchFolder() {
  const folder = mkdtempSync(join(tmpdir(), 'wpe-bench-'))
  process.env.TMPDIR = folder
  const remove = () => rmSync(folder, { recursive: true, force: true })
  process.on('exit', remove)
  for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
    process.once(signal, () => {
      remove()
      process.kill(process.pid, signal)
    })
  }
  return folder
}

let compiled = false

/**
 * The source, compiled to build/ (it imports with .js extensions): what the in-process sections measure
 * is the very code the action runs. Compiled once per bench run. @param {string} file e.g. `backup/main.js`
 */
export async function built(file) {
  if (!compiled) {
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.json')], {
      stdio: 'inherit'
    })
    if (tsc.status !== 0) throw new Error('tsc failed')
    compiled = true
  }
  return import(join(ROOT, 'build', file))
}

/** A seeded random source, so every run of the benchmark measures the same jitter. @param {number} seed */
export function seeded(seed) {
  let state = seed >>> 0
  return () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32
}

export const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN
export const mean = (/** @type {number[]} */ xs) => xs.reduce((a, b) => a + b, 0) / xs.length

export const seconds = (/** @type {number} */ ms) => (ms < 10 * SECOND ? `${(ms / SECOND).toFixed(1)} s` : `${Math.round(ms / SECOND)} s`)

/** How a measured value is written; `extra` decimals are added to tell two values apart. @typedef {(value: number, extra: number) => string} Unit */

/** Milliseconds as seconds: one decimal under 10 s. @type {Unit} */
export const inSeconds = (ms, extra) => `${(ms / SECOND).toFixed((ms < 10 * SECOND ? 1 : 0) + extra)} s`
/** A count, or a mean of counts (one decimal). @type {Unit} */
export const count = (n, extra) => n.toFixed((Number.isInteger(n) ? 0 : 1) + extra)
/** Bytes as MB (MiB). @type {Unit} */
export const megabytes = (bytes, extra) => `${(bytes / (1024 * 1024)).toFixed(extra)} MB`

const RELATIONS = {
  'at most': (/** @type {number} */ value, /** @type {number} */ limit) => value <= limit,
  under: (/** @type {number} */ value, /** @type {number} */ limit) => value < limit,
  exactly: (/** @type {number} */ value, /** @type {number} */ limit) => value === limit
}

/**
 * A target: `value`, measured, against `limit`. The line reads `what: value (relation limit)`, both in
 * `unit`, with more decimals when the usual ones would print a failing value and its limit alike.
 * @param {string} what @param {number} value @param {keyof typeof RELATIONS} relation @param {number} limit
 * @param {{ unit?: Unit, limitIs?: string }} [options] `limitIs`: what the limit is, when it is a measurement too
 * @returns {Target}
 */
export function target(what, value, relation, limit, { unit = count, limitIs } = {}) {
  const ok = RELATIONS[relation](value, limit)
  let extra = 0
  while (extra < 6 && value !== limit && unit(value, extra) === unit(limit, extra)) extra++
  return {
    ok,
    line: `${ok ? 'PASS' : 'FAIL'} ${what}: ${unit(value, extra)} (${relation} ${unit(limit, extra)}${limitIs ? `, ${limitIs}` : ''})`
  }
}

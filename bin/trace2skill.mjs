#!/usr/bin/env node
// The `trace2skill` command: runs the built CLI (npm install builds it; `npm run build` rebuilds it).
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { cliNodeProblem } from './node-check.mjs'

const tooOld = cliNodeProblem()
if (tooOld) {
  process.stderr.write(`${tooOld}\n`)
  process.exit(1)
}

const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url))
if (!existsSync(cli)) {
  process.stderr.write('trace2skill: not built yet: run `npm run build` in the trace2skill folder\n')
  process.exit(1)
}
await import(cli)

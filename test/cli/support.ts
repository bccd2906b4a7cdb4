/** The built `trace2skill` bin for the command-line tests: with standard input, and the store as saved. */
import { spawn } from 'node:child_process'
import { expect } from 'vitest'
import { BIN } from '../support/cli'
import { readBatch } from '../support/store-files'

export type Result = { code: number | null; stdout: string; stderr: string }

/** Runs the bin with `env` over the process's own, `input` on its standard input (closed at once when absent). */
export function cliIn(args: string[], env: Record<string, string | undefined>, input?: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.on('error', () => {}) // a command that never reads its input
    child.stdin.end(input ?? '')
  })
}

/** Each run's feedback as the store file holds it, by run number (for "nothing was applied"). */
export async function storedFeedback(dataDir: string, batchId: string): Promise<Record<number, unknown>> {
  const db = await readBatch(dataDir, batchId)
  const out: Record<number, unknown> = {}
  for (const id of db.batch.runIds) out[db.runs[id].number] = db.runs[id].feedback ?? null
  return out
}

/** The one line a refused command prints on stderr. */
export function oneLine(r: Result): string {
  const lines = r.stderr.trim().split('\n')
  expect(lines, r.stderr).toHaveLength(1)
  expect(lines[0]).toMatch(/^trace2skill: /)
  return lines[0]
}

/**
 * e2e fixtures: every test gets its own data dir and its own `trace2skill web` server (the real
 * built CLI), over the sessions that global-setup generated with the real Claude Code CLI.
 */
import { test as base, expect } from '@playwright/test'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
/** Written by global-setup (outside test-results, which Playwright empties). */
export const GENERATED = join(ROOT, '.tmp', 'e2e-sessions.json')

export interface Generated {
  configDir: string
  sessions: { scenario: string; sessionId: string; cwd: string }[]
}

export async function generated(): Promise<Generated> {
  return JSON.parse(await readFile(GENERATED, 'utf8'))
}

export async function startWeb(env: Record<string, string>): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(process.execPath, [join(ROOT, 'bin', 'trace2skill.mjs'), 'web', '--port', '0'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const url = await new Promise<string>((ok, fail) => {
    let out = ''
    let err = ''
    const timer = setTimeout(() => fail(new Error(`web mode did not start: ${err}`)), 20_000)
    proc.stdout!.on('data', (c) => {
      out += c
      const m = out.match(/(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/)
      if (m) {
        clearTimeout(timer)
        ok(m[1])
      }
    })
    proc.stderr!.on('data', (c) => (err += c))
    proc.on('exit', (code) => fail(new Error(`web mode exited ${code}: ${err}`)))
  })
  // What the server says afterwards shows in the test output: a crash must not be silent.
  proc.stderr!.on('data', (c) => process.stderr.write(`[web] ${c}`))
  proc.on('exit', (code, signal) => (code || (signal && signal !== 'SIGTERM')) && process.stderr.write(`[web] exited with ${code ?? signal}\n`))
  return { url, proc }
}

export const test = base.extend<{ app: { url: string; dataDir: string; gen: Generated } }>({
  app: async ({}, use) => {
    const gen = await generated()
    const dataDir = await mkdtemp(join(tmpdir(), 't2s-e2e-data-'))
    const { url, proc } = await startWeb({ CLAUDE_CONFIG_DIR: gen.configDir, TRACE2SKILL_DATA_DIR: dataDir })
    await use({ url, dataDir, gen })
    proc.kill('SIGTERM')
  }
})

export { expect }

/**
 * e2e fixtures: every test gets its own data dir and its own `trace2skill web` server (the real
 * built CLI), over the sessions that global-setup generated with the real Claude Code CLI.
 */
import { test as base, expect } from '@playwright/test'
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { CLAUDE_BIN, claudeEnv } from '../test/support/claude-harness'
import { prompt } from '../test/support/scenarios'

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
  proc.on(
    'exit',
    (code, signal) => (code || (signal && signal !== 'SIGTERM')) && process.stderr.write(`[web] exited with ${code ?? signal}\n`)
  )
  return { url, proc }
}

/**
 * The web mode with a scripted model and the real `claude` on its PATH, as for runs started from the
 * UI (each in a fresh config and data folder).
 */
/** The environment of a web server whose runs use the real claude against the scripted model at `serverUrl`. */
export function claudeWebEnv(serverUrl: string, config: string, data: string): Record<string, string> {
  return {
    CLAUDE_CONFIG_DIR: config,
    TRACE2SKILL_DATA_DIR: data,
    ANTHROPIC_API_KEY: 'test-key',
    ANTHROPIC_BASE_URL: serverUrl,
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    PATH: `${dirname(CLAUDE_BIN)}:${process.env.PATH}`
  }
}

export async function startWebWithClaude(
  serverUrl: string,
  name: string
): Promise<{ url: string; proc: ChildProcess; config: string; data: string }> {
  const config = await mkdtemp(join(tmpdir(), `t2s-e2e-${name}-claude-`))
  const data = await mkdtemp(join(tmpdir(), `t2s-e2e-${name}-data-`))
  const web = await startWeb(claudeWebEnv(serverUrl, config, data))
  return { ...web, config, data }
}

const LANDING_KINDS = ['write-file', 'tool-errors', 'write-file', 'tool-errors', 'write-file', 'tool-errors']
/** The grades of landingPagesBatch's runs, in the workflow's format: pages good, failed tools bad. */
export const LANDING_FEEDBACK = LANDING_KINDS.map(
  (k, i) => `Run ${i + 1}: ${k === 'write-file' ? 'good - clean page' : 'bad - no page at all'}`
).join('\n')

/**
 * Six real runs of a "Landing page" task (pages and failing tools alternating, every third hard) made
 * headless by the built CLI against the scripted model, then the web mode over them; and an empty
 * project folder to export into.
 */
export async function landingPagesBatch(
  serverUrl: string,
  name: string
): Promise<{ url: string; proc: ChildProcess; config: string; data: string; project: string }> {
  const dir = await mkdtemp(join(tmpdir(), `t2s-e2e-${name}-`))
  const config = join(dir, 'claude')
  const data = join(dir, 'data')
  const project = join(dir, 'my-project')
  await mkdir(project, { recursive: true })
  await writeFile(join(dir, 'task.json'), JSON.stringify({ name: 'Landing page', text: 'Build a landing page.' }))
  await writeFile(
    join(dir, 'variations.txt'),
    LANDING_KINDS.map((k, i) => `${i + 1}. [${i % 3 === 2 ? 'hard' : 'normal'}] ${prompt(k, `page ${i + 1}`)}`).join('\n')
  )
  const env = { ...process.env, ...claudeEnv(config, serverUrl), TRACE2SKILL_DATA_DIR: data }
  await promisify(execFile)(
    process.execPath,
    [
      join(ROOT, 'bin', 'trace2skill.mjs'),
      'run',
      '--task',
      join(dir, 'task.json'),
      '--variations',
      join(dir, 'variations.txt'),
      '--concurrency',
      '3',
      '--claude',
      CLAUDE_BIN,
      '--json'
    ],
    { env }
  )
  const web = await startWeb({
    CLAUDE_CONFIG_DIR: config,
    TRACE2SKILL_DATA_DIR: data,
    ANTHROPIC_API_KEY: 'test-key',
    ANTHROPIC_BASE_URL: serverUrl
  })
  return { ...web, config, data, project }
}

export const test = base.extend<{ app: { url: string; dataDir: string; gen: Generated } }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixtures a fixture uses from this pattern
  app: async ({}, use) => {
    const gen = await generated()
    const dataDir = await mkdtemp(join(tmpdir(), 't2s-e2e-data-'))
    const { url, proc } = await startWeb({ CLAUDE_CONFIG_DIR: gen.configDir, TRACE2SKILL_DATA_DIR: dataDir })
    await use({ url, dataDir, gen })
    proc.kill('SIGTERM')
  }
})

export { expect }

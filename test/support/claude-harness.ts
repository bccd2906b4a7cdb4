/**
 * Runs the real Claude Code CLI (`@anthropic-ai/claude-code`, pinned in devDependencies) offline
 * against the scripted model server, so tests get real session files. No API key, no network.
 */
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdir, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startModelServer } from './model-server'
import { prompt, scenarioScript } from './scenarios'

export const REPO = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..')
export const CLAUDE_BIN = join(REPO, 'node_modules', '.bin', 'claude')

/** The run settings of a verification against the scripted model: the real claude, accept-edits (root refuses bypass), 2 at once, 10 turns. */
export const SCRIPTED_RUN_SETTINGS = { claudePath: CLAUDE_BIN, concurrency: 2, maxTurns: 10, permission: 'accept-edits' as const }
export const ALLOWED_TOOLS = 'Write Read Edit Bash Glob Grep Agent Task'

export interface RunOptions {
  configDir: string
  cwd: string
  prompt: string
  serverUrl: string
  sessionId?: string
  maxTurns?: number
  extraArgs?: string[]
  env?: Record<string, string>
  timeoutMs?: number
}

export interface RunResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  sessionId: string
  streamEvents: unknown[]
  timedOut: boolean
}

/** The environment a scripted run gets: nothing of the user's credentials leaks in. */
export function claudeEnv(configDir: string, serverUrl: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: configDir,
    LANG: 'C.UTF-8',
    ANTHROPIC_BASE_URL: serverUrl,
    ANTHROPIC_API_KEY: 'test-key',
    CLAUDE_CONFIG_DIR: configDir,
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    ...extra
  }
}

export function runClaude(o: RunOptions): Promise<RunResult> {
  const sessionId = o.sessionId ?? randomUUID()
  const args = [
    '-p',
    o.prompt,
    '--output-format',
    'stream-json',
    '--verbose',
    '--session-id',
    sessionId,
    '--permission-mode',
    'acceptEdits',
    '--allowedTools',
    ALLOWED_TOOLS,
    ...(o.maxTurns ? ['--max-turns', String(o.maxTurns)] : []),
    ...(o.extraArgs ?? [])
  ]
  const child = spawn(CLAUDE_BIN, args, {
    cwd: o.cwd,
    env: claudeEnv(o.configDir, o.serverUrl, o.env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true // its own process group, so the whole tree can be ended
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c) => (stdout += c))
  child.stderr.on('data', (c) => (stderr += c))
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    try {
      process.kill(-child.pid!, 'SIGKILL')
    } catch {
      /* already gone */
    }
  }, o.timeoutMs ?? 120_000)
  return new Promise((ok, fail) => {
    child.on('error', (err) => {
      clearTimeout(timer)
      fail(err)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const streamEvents = stdout
        .split('\n')
        .filter((l) => l.trim().startsWith('{'))
        .map((l) => {
          try {
            return JSON.parse(l)
          } catch {
            return { unparsed: l }
          }
        })
      ok({ code, signal, stdout, stderr, sessionId, streamEvents, timedOut })
    })
  })
}

export interface GeneratedSession {
  scenario: string
  sessionId: string
  cwd: string
  code: number | null
}

/**
 * Real sessions for tests: write-file, tool-errors, long and subagent, in two workspaces (so two
 * projects), two at a time.
 */
export async function generateSessions(
  configDir: string,
  scenarios = ['write-file', 'tool-errors', 'long', 'subagent']
): Promise<{ workspaces: string[]; sessions: GeneratedSession[] }> {
  const server = await startModelServer(scenarioScript())
  const root = await mkdtemp(join(tmpdir(), 't2s-ws-'))
  const workspaces = [join(root, 'landing-page'), join(root, 'build-tool')]
  for (const w of workspaces) await mkdir(w, { recursive: true })
  const sessions: GeneratedSession[] = []
  try {
    const jobs = scenarios.map((scenario, i) => async () => {
      const cwd = workspaces[i % 2 === 0 ? 0 : 1]
      const r = await runClaude({ configDir, cwd, prompt: prompt(scenario, `Task ${i + 1}.`), serverUrl: server.url, maxTurns: 60 })
      if (r.code !== 0) throw new Error(`claude (${scenario}) exited ${r.code}: ${r.stderr.slice(0, 500)}`)
      sessions.push({ scenario, sessionId: r.sessionId, cwd, code: r.code })
    })
    let next = 0
    await Promise.all(
      [0, 1].map(async () => {
        while (next < jobs.length) await jobs[next++]()
      })
    )
  } finally {
    await server.close()
  }
  return { workspaces, sessions }
}

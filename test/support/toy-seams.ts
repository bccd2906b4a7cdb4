/**
 * A second agent and a second place to run, for tests only: they prove the runner's seams are real
 * (src/main/agents/driver.ts, src/main/backends/backend.ts). The "toy" agent is a Node script that
 * prints one JSON line per step and writes its answer to a file; the "plain" backend runs it as a plain
 * child process in a folder of its own, lists files without diffs, and records what it was asked to do.
 * Nothing of Claude Code, nothing of the local backend's process groups, watchdog or markers.
 */
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { AgentDriver, AgentMonitor } from '../../src/main/agents/driver'
import type { RunBackend, StaleRun } from '../../src/main/backends/backend'
import type { Numbers } from '../../src/shared/numbers'

/** The toy agent: `STEPS` steps (a JSON line each), then its answer in answer.txt and on stdout; `wait` in the prompt: waits to be ended. */
const TOY = String.raw`
const prompt = process.argv[1]
const fs = require('fs')
const steps = Number(process.env.TOY_STEPS || 2)
for (let i = 1; i <= steps; i++) console.log(JSON.stringify({ step: i, tool: 'think' }))
if (prompt.includes('wait')) setInterval(() => {}, 1000)
else {
  const answer = prompt.split('').reverse().join('')
  fs.writeFileSync('answer.txt', answer)
  console.log(JSON.stringify({ answer }))
}
`

class ToyMonitor implements AgentMonitor {
  private buf = ''
  readonly progress = { turns: 0, toolCalls: 0, tokens: 0, costUsd: 0 }
  answer: string | undefined
  push(chunk: Buffer) {
    this.buf += chunk.toString('utf8')
    let nl: number
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl)
      this.buf = this.buf.slice(nl + 1)
      const m = JSON.parse(line) as { step?: number; answer?: string }
      if (m.step) Object.assign(this.progress, { turns: m.step, toolCalls: m.step })
      if (m.answer !== undefined) this.answer = m.answer
    }
  }
  end() {}
}

export interface ToyDriver extends AgentDriver {
  /** the sessions it "wrote": what session() answers */
  sessions: Map<string, Numbers>
}

export function toyDriver(): ToyDriver {
  const sessions = new Map<string, Numbers>()
  return {
    id: 'toy',
    name: 'Toy agent',
    skillsFolder: '.toy/skills',
    sessions,
    check: async (path) => ({ ok: true, path: path ?? 'node', version: 'toy 1', install: 'nothing to install' }),
    presetAvailability: async () => ({ available: true }),
    preflight: async () => ({
      presets: { sandboxed: { available: true }, 'accept-edits': { available: true }, 'full-access': { available: true } },
      platform: 'toy',
      defaultPreset: 'accept-edits',
      summary: 'toy'
    }),
    inspectTemplate: async () => [],
    refusal: () => 'never',
    readyWorkspace: async () => [],
    async launch(spec) {
      // what a run needs and no more: no CLAUDE_CONFIG_DIR, no Claude Code arguments
      sessions.set(spec.sessionId, { turns: 9, toolCalls: 9, toolErrors: 0, tokens: 90, costUsd: 0.09, costSource: 'estimated' })
      return {
        command: process.execPath,
        args: ['-e', TOY, spec.prompt],
        env: { PATH: spec.appEnv.PATH, TOY_STEPS: '3', TMPDIR: spec.tmpDir }
      }
    },
    monitor: () => new ToyMonitor(),
    verdict: (monitor, exit) =>
      exit.cancelled
        ? { ok: false, reason: 'cancelled' }
        : monitor.answer !== undefined
          ? { ok: true }
          : { ok: false, reason: `toy exited with ${exit.code}` },
    async session(sessionId) {
      const totals = sessions.get(sessionId)
      return totals ? { file: `/nowhere/${sessionId}.toy`, projectId: 'toy-project', totals } : null
    }
  }
}

export interface PlainBackend extends RunBackend {
  /** what it was asked to do, in order */
  calls: string[]
  recovered: StaleRun[]
}

export function plainBackend(root: string): PlainBackend {
  const calls: string[] = []
  const recovered: StaleRun[] = []
  return {
    id: 'plain',
    calls,
    recovered,
    async prepare({ workspace }) {
      calls.push('prepare')
      await mkdir(workspace, { recursive: true })
      const tmpDir = await mkdtemp(join(root, 'tmp-'))
      return {
        tmpDir,
        dispose: async () => {
          calls.push('dispose')
          await rm(tmpDir, { recursive: true, force: true })
        }
      }
    },
    start(spec) {
      calls.push('start')
      const child = spawn(spec.command, spec.args, { cwd: spec.cwd, env: spec.env, stdio: ['ignore', 'pipe', 'pipe'] })
      child.stdout.on('data', spec.onStdout)
      child.stderr.on('data', spec.onStderr)
      const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
        child.on('close', (code, signal) => resolve({ code, signal }))
      )
      return {
        pid: child.pid,
        exited,
        end: async () => {
          calls.push('end')
          child.kill('SIGKILL')
          await exited
        },
        sweep: async () => void calls.push('sweep'),
        identity: async () => (child.pid ? { pid: child.pid, startedAt: 42 } : null)
      }
    },
    async collect({ workspace }) {
      calls.push('collect')
      const names = await readdir(workspace)
      return Promise.all(
        names.map(async (path) => ({ path, status: 'added' as const, bytes: (await stat(join(workspace, path))).size, binary: false }))
      )
    },
    async recover(run) {
      calls.push('recover')
      recovered.push(run)
    }
  }
}

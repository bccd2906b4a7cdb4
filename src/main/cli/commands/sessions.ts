/** Claude Code's sessions, read: `projects`, `sessions`, `trace`, `index`. */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import type { IndexTotals } from '../../../shared/contract'
import type { Project, Trace } from '../../../shared/trace'
import { call } from '../common'
import { verb } from '../context'
import { inline } from '../inert'
import { traceText } from '../trace-text'
import { indexEnded } from '../wait'

export const fmtBytes = (n: number) =>
  n > 1e9 ? `${(n / 1e9).toFixed(2)} GB` : n > 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${(n / 1e3).toFixed(1)} kB`

const projects = verb({
  name: 'projects',
  args: { n: 0, what: '' },
  options: ['json'],
  readOnly: true,
  async run({ client, print }) {
    // through the contract: a blind verification's run folders are left out, as on every screen
    const projects = await call<Project[]>(client, 'listProjects', {})
    print(
      projects,
      () =>
        projects
          .map((p) => `${inline(p.cwd ?? p.dir)}\t${p.sessions} sessions\t${inline(p.lastActivity ?? '-')}\t${fmtBytes(p.bytes)}`)
          .join('\n') || 'no projects'
    )
  }
})

const sessions = verb({
  name: 'sessions',
  args: { n: 1, what: 'a project' },
  options: ['json'],
  readOnly: true,
  async run({ client, print }, [arg]) {
    const abs = resolve(arg)
    const projectId =
      existsSync(abs) && (arg.includes('/') || arg === '.' || arg === '..')
        ? (await call<{ id: string }>(client, 'openFolder', { path: abs })).id
        : arg
    const sessions = await call<{ sessionId: string; firstPrompt: string; turns: number; toolCalls: number; end?: string }[]>(
      client,
      'listSessions',
      { projectId }
    )
    print(
      sessions,
      () =>
        sessions
          .map((s) => `${s.sessionId}\t${inline(s.end ?? '-')}\t${s.turns} turns\t${s.toolCalls} tool calls\t${inline(s.firstPrompt, 60)}`)
          .join('\n') || 'no sessions'
    )
  }
})

const trace = verb({
  name: 'trace',
  args: { n: 1, what: 'a session id' },
  options: ['project', 'json'],
  readOnly: true,
  async run({ client, io, print }, [sessionId], o) {
    const trace = await call<Trace>(client, 'getTrace', { sessionId, ...(o.project ? { projectId: o.project } : {}) })
    for (const w of trace.warnings) io.err(`warning: line ${w.line}: ${inline(w.message)}`)
    print(trace, () => traceText(trace))
  }
})

const index = verb({
  name: 'index',
  args: { n: 0, what: '' },
  options: ['json'],
  readOnly: true,
  async run({ client, print }) {
    // the indexing operation, as the app's Index button starts it, followed to its end
    const totals: IndexTotals = await indexEnded(client)
    print(
      totals,
      () =>
        `${totals.projects} projects, ${totals.sessions} sessions, ${fmtBytes(totals.bytes)}, ${totals.toolCalls} tool calls (${totals.toolErrors} errors), ${totals.tokens} tokens, $${totals.costUsd.toFixed(2)}, ${totals.seconds.toFixed(2)} s`
    )
  }
})

export const sessionVerbs = [projects, sessions, trace, index]

/**
 * Spawning `claude -p`: arguments from the run settings, the live stream-json parsed into progress,
 * and the whole process tree ended on cancel or timeout.
 */
import { statSync } from 'node:fs'
import { messageCostUsd, type PricedUsage } from '../../shared/models'
import { isReportedCost, sessionCost, totalTokens, type Numbers } from '../../shared/numbers'
import type { RunProgress, RunSettings } from '../../shared/runs'
import { SYNTHETIC_MODEL, usageOf } from '../traces/records'
import { findCommand, startProcess } from '../claude/process'
import { parseLine, type ClaudeMessage } from '../claude/stream'
import type { RunIsolation } from './isolation'

export interface ClaudeCheck {
  ok: boolean
  path: string
  version?: string
  error?: string
  install: string
}

/** How to get Claude Code, then how to point at it where the hint is shown: the app's settings, or the command line's option. */
export const installHint = (where: 'app' | 'cli'): string =>
  `Install Claude Code with \`npm install -g @anthropic-ai/claude-code\`, then sign in once with \`claude\`; or ${
    where === 'cli' ? 'pass its path with --claude PATH' : 'set the path to the claude binary in the batch settings'
  }.`
export const INSTALL_HINT = installHint('app')

/** How long a check of an unchanged binary is reused. */
const CHECK_TTL_MS = 60_000
const checks = new Map<string, { at: number; ttl: number; result: Promise<ClaudeCheck> }>()
/** a failed check (a timeout on a busy machine) is tried again sooner */
const FAILED_TTL_MS = 5_000

/** Forget every cached check (tests). */
export function clearClaudeChecks(): void {
  checks.clear()
}

/**
 * Does `claude` exist and start? Cheap on repeat: a path that names no file is answered without
 * starting anything, and the answer for a file is reused while its size and mtime are the same (a
 * minute at most), so a settings field checked as it is typed starts at most one process per binary.
 */
export function checkClaude(path = 'claude', env: NodeJS.ProcessEnv = process.env, timeoutMs = 20_000): Promise<ClaudeCheck> {
  const file = findCommand(path, { env })
  if (!file) return Promise.resolve({ ok: false, path, error: `\`${path}\` was not found`, install: INSTALL_HINT })
  let st: { size: number; mtimeMs: number }
  try {
    st = statSync(file)
  } catch {
    return Promise.resolve({ ok: false, path, error: `\`${path}\` was not found`, install: INSTALL_HINT })
  }
  const key = JSON.stringify([path, file, st.size, st.mtimeMs])
  const now = Date.now()
  for (const [k, v] of checks) if (now - v.at > v.ttl) checks.delete(k)
  const hit = checks.get(key)
  if (hit) return hit.result
  const entry = { at: now, ttl: CHECK_TTL_MS, result: runCheck(path, env, timeoutMs) }
  checks.set(key, entry)
  void entry.result.then((r) => void (r.ok || (entry.ttl = FAILED_TTL_MS)))
  return entry.result
}

async function runCheck(path: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<ClaudeCheck> {
  let out = ''
  let err = ''
  const proc = startProcess(path, ['--version'], { env, onStdout: (c) => (out += c), onStderr: (c) => (err += c) })
  const timer = setTimeout(() => void proc.end(0), timeoutMs)
  const exit = await proc.exited
  clearTimeout(timer)
  if (exit.error)
    return {
      ok: false,
      path,
      error: exit.error.code === 'ENOENT' ? `\`${path}\` was not found` : exit.error.message,
      install: INSTALL_HINT
    }
  if (exit.code === 0 && out.trim()) return { ok: true, path, version: out.trim().split('\n')[0], install: INSTALL_HINT }
  return {
    ok: false,
    path,
    error: `\`${path} --version\` failed (${exit.code ?? exit.signal ?? 'timeout'}): ${(err || out).trim().split('\n')[0] ?? ''}`,
    install: INSTALL_HINT
  }
}

/** Tools whose bare allow rule would let them write anywhere the process can. */
const FILE_EDIT_TOOLS = ['Write', 'Edit', 'MultiEdit', 'NotebookEdit']
const toolName = (rule: string) => rule.replace(/\(.*$/s, '').trim()

/**
 * The sandboxed preset's settings: Claude Code's sandbox on, claude refusing to start without it, no
 * way for a command to ask its way out (dangerouslyDisableSandbox is ignored), and the network limited
 * to the allowed domains (none by default).
 */
export function sandboxSettings(allowedDomains: string[]) {
  return { sandbox: { enabled: true, failIfUnavailable: true, allowUnsandboxedCommands: false, network: { allowedDomains } } }
}

/**
 * The allow-list in the sandboxed preset. File-edit tools are left out: acceptEdits already accepts
 * edits inside the working directory, and anything outside it would need a prompt, which `-p` turns
 * into a refusal; an allow rule for them would lift that. WebFetch (it runs in claude, outside the
 * sandbox) is allowed only for the allowed domains.
 */
export function sandboxedTools(allowedTools: string[], allowedDomains: string[]): string[] {
  const tools = allowedTools.filter((t) => !FILE_EDIT_TOOLS.includes(toolName(t)) && toolName(t) !== 'WebFetch')
  if (allowedTools.some((t) => toolName(t) === 'WebFetch'))
    for (const d of allowedDomains) if (!d.includes(':')) tools.push(`WebFetch(domain:${d})`)
  return tools
}

/**
 * A run's `--settings`: the sandbox's under Sandboxed, and the isolation's (no hooks, read deny rules,
 * the sandbox's read limits; see isolation.ts) when given. Empty: no `--settings` at all.
 */
export function runSettings(s: RunSettings, isolation?: RunIsolation): Record<string, unknown> {
  const sandboxed = s.permission === 'sandboxed' ? sandboxSettings(s.allowedDomains ?? []) : undefined
  if (!isolation) return sandboxed ?? {}
  return {
    ...isolation.settings,
    ...(sandboxed ? { sandbox: { ...sandboxed.sandbox, filesystem: isolation.sandboxFilesystem } } : {})
  }
}

/**
 * `isolation`: the run's own settings (see isolation.ts); `settingsFile`: where the runner wrote
 * runSettings() (a long deny list does not fit on a command line), else they go inline as JSON.
 */
export function claudeArgs(
  prompt: string,
  sessionId: string,
  s: RunSettings,
  o: { isolation?: RunIsolation; settingsFile?: string } = {}
): string[] {
  const args = ['-p', prompt, '--output-format', 'stream-json', '--verbose', '--session-id', sessionId]
  if (s.permission === 'full-access') args.push('--permission-mode', 'bypassPermissions')
  else if (s.permission === 'sandboxed') {
    const tools = sandboxedTools(s.allowedTools, s.allowedDomains ?? [])
    args.push('--permission-mode', 'acceptEdits', ...(tools.length ? ['--allowedTools', tools.join(' ')] : []))
  } else args.push('--permission-mode', 'acceptEdits', '--allowedTools', s.allowedTools.join(' '))
  const settings = runSettings(s, o.isolation)
  if (Object.keys(settings).length) args.push('--settings', o.settingsFile ?? JSON.stringify(settings))
  if (o.isolation) args.push(...o.isolation.args)
  args.push('--max-turns', String(s.maxTurns))
  if (s.maxBudgetUsd) args.push('--max-budget-usd', String(s.maxBudgetUsd))
  if (s.model) args.push('--model', s.model)
  return args
}

/** The final `result` line of a stream. */
export interface StreamResult {
  subtype: string
  isError: boolean
  result?: string
  numTurns?: number
  costUsd?: number
}

/**
 * Folds stream-json lines into live progress, by the definitions of src/shared/numbers.ts: turns are
 * the main conversation's messages, tool calls, tokens and cost include sub-agents' (the stream
 * carries them with a parent_tool_use_id). The cost is estimated from tokens at the same list prices
 * as a trace's (the stream has each message before its final output count, so it runs a little
 * low) until a result line brings Claude Code's own figure. When the run ends, the runner replaces
 * all of it with the numbers of the run's trace.
 */
export class StreamTracker {
  readonly progress: RunProgress = { turns: 0, toolCalls: 0, tokens: 0, costUsd: 0, costSource: 'estimated', elapsedMs: 0 }
  result: StreamResult | null = null
  sessionId: string | undefined
  private readonly usage = new Map<string, { usage: PricedUsage; model: string }>()
  private readonly turnIds = new Set<string>()
  private readonly callIds = new Set<string>()
  private anon = 0
  /** Claude Code's cost from the last result line, unless messages came after it */
  private reported: number | undefined

  /** One line of stream-json (see StreamReader for a byte stream). */
  line(text: string): void {
    const p = parseLine(text)
    if (p.kind === 'message') this.message(p.message)
  }

  /** One typed message of the stream. */
  message(m: ClaudeMessage): void {
    if (m.type === 'system' && m.subtype === 'init') this.sessionId = m.session_id
    if (m.type === 'assistant' && m.message.model !== SYNTHETIC_MODEL) {
      const id = m.message.id ?? `#anon-${this.anon++}`
      if (!m.parent_tool_use_id) {
        this.turnIds.add(id)
        this.progress.turns = this.turnIds.size
      }
      for (const b of m.message.content) {
        if (b.type === 'tool_use' || b.type === 'server_tool_use') {
          this.callIds.add(b.id ?? `#call-${this.callIds.size}`)
          this.progress.toolCalls = this.callIds.size
          if (!m.parent_tool_use_id) this.progress.currentTool = String(b.name)
        }
      }
      const u = usageOf(m.message.usage)?.usage
      const prev = this.usage.get(id)
      if (u && !(prev && prev.usage.output > u.output)) this.usage.set(id, { usage: u, model: m.message.model ?? prev?.model ?? '' })
      this.reported = undefined
      this.total()
    }
    if (m.type === 'user' && !m.parent_tool_use_id) this.progress.currentTool = undefined
    if (m.type === 'result') {
      const cost = isReportedCost(m.total_cost_usd) ? m.total_cost_usd : undefined
      this.result = { subtype: m.subtype, isError: !!m.is_error, result: m.result, numTurns: m.num_turns, costUsd: cost }
      if (cost !== undefined) this.reported = cost
      this.progress.currentTool = undefined
      this.total()
    }
  }

  private total(): void {
    let tokens = 0
    let usd = 0
    for (const { usage, model } of this.usage.values()) {
      tokens += totalTokens(usage)
      usd += messageCostUsd(model, usage)
    }
    this.progress.tokens = tokens
    Object.assign(this.progress, sessionCost(this.reported, usd))
  }
}

/** A finished run's stored numbers: its trace's totals, with the wall-clock time it took. */
export function progressOf(n: Numbers, elapsedMs: number): RunProgress {
  return { turns: n.turns, toolCalls: n.toolCalls, tokens: n.tokens, costUsd: n.costUsd, costSource: n.costSource, elapsedMs }
}

/** Why a run ended, in one line. */
export function explain(o: {
  result: StreamResult | null
  code: number | null
  signal: string | null
  cancelled: boolean
  timedOutMs?: number
  stderr: string
  settings: RunSettings
}): { ok: boolean; reason?: string } {
  if (o.cancelled) return { ok: false, reason: 'cancelled' }
  if (o.timedOutMs) return { ok: false, reason: `timed out after ${Math.round(o.timedOutMs / 1000)} s` }
  const lastErr = o.stderr.trim().split('\n').filter(Boolean).pop()?.slice(0, 300)
  // claude refused to start without its sandbox (failIfUnavailable): say so, not "error during execution"
  const noSandbox = o.stderr.match(/sandbox required but unavailable:\s*([^\n]*)/i)
  if (noSandbox) return { ok: false, reason: `Claude Code could not start its sandbox: ${noSandbox[1].trim().slice(0, 300)}` }
  const r = o.result
  if (r) {
    if (r.subtype === 'success' && !r.isError) return { ok: true }
    if (r.subtype === 'error_max_turns') return { ok: false, reason: `hit the turn limit (${o.settings.maxTurns} turns)` }
    if (/budget/i.test(r.subtype)) return { ok: false, reason: `hit the spending cap ($${o.settings.maxBudgetUsd})` }
    const text = (r.result ?? '').trim().split('\n')[0]
    if (/api key|authenticat|401|login/i.test(text + (lastErr ?? '')))
      return { ok: false, reason: `authentication failed: ${text || lastErr}` }
    return { ok: false, reason: `${r.subtype.replace(/_/g, ' ')}${text ? `: ${text.slice(0, 200)}` : ''}` }
  }
  if (o.code !== 0) {
    if (lastErr && /api key|authenticat|401|login/i.test(lastErr)) return { ok: false, reason: `authentication failed: ${lastErr}` }
    return { ok: false, reason: `claude exited with ${o.code ?? o.signal}${lastErr ? `: ${lastErr}` : ''}` }
  }
  return { ok: false, reason: 'the stream stopped before a result' }
}

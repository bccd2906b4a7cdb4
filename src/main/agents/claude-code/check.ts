/**
 * Is Claude Code here: its binary found and started (`claude --version`), checked cheaply on repeat.
 */
import { statSync } from 'node:fs'
import { findCommand, startProcess } from '../../base/processes'

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

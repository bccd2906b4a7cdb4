/**
 * The command line of one `claude -p` run: its arguments from the run settings, the sandbox preset's
 * settings and the isolation's (see isolation.ts).
 */
import type { RunSettings } from '../../../shared/runs'
import type { RunIsolation } from './isolation'

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

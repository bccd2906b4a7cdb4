/**
 * A task's template, as Claude Code would see it: which of its files are project settings (never loaded
 * in a run: taken out of each run's folder) and which load (skills, agents, commands, memory), said per
 * file on screen and in the terminal. Electron-free.
 */
import { lstat, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { readJson } from './env'

/** A template's files that would load as Claude Code project settings: never copied into a run's folder. */
export const PROJECT_SETTINGS_FILES = ['.claude/settings.json', '.claude/settings.local.json', '.mcp.json']

/** Take the project settings files out of a run's folder; returns those that were there (workspace-relative, `/`). */
export async function removeProjectSettings(workspace: string): Promise<string[]> {
  const removed: string[] = []
  // a `.claude` that is a link is not followed: the link itself goes (whatever it points at is left alone)
  const claude = join(workspace, '.claude')
  if ((await lstat(claude).catch(() => null))?.isSymbolicLink()) {
    await rm(claude, { force: true })
    removed.push('.claude')
  }
  for (const rel of PROJECT_SETTINGS_FILES) {
    const full = join(workspace, ...rel.split('/'))
    if (!(await lstat(full).catch(() => null))) continue
    await rm(full, { recursive: true, force: true })
    removed.push(rel)
  }
  return removed
}

/** What a template's Claude Code files are, and whether a run loads them. */
export interface TemplateEntry {
  /** template-relative, with `/` */
  path: string
  kind: 'settings' | 'mcp' | 'skill' | 'agent' | 'command' | 'memory' | 'other'
  loaded: boolean
  /** e.g. "hooks: SessionStart, PreToolUse; allow rules: Write" */
  detail?: string
}

/** Names from a file, for one line of a screen or a terminal: no control or bidi characters, not too long. */
const printable = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '?').slice(0, 100)
const list = (xs: string[], max = 8) =>
  xs.length > max ? `${xs.slice(0, max).map(printable).join(', ')} and ${xs.length - max} more` : xs.map(printable).join(', ')

function settingsDetail(s: Record<string, unknown> | null): string {
  if (!s) return 'not valid JSON'
  const parts: string[] = []
  const hooks = s.hooks && typeof s.hooks === 'object' ? Object.keys(s.hooks) : []
  if (hooks.length) parts.push(`hooks: ${list(hooks)}`)
  const perms = (s.permissions ?? {}) as Record<string, unknown>
  const allow = Array.isArray(perms.allow) ? perms.allow.filter((x): x is string => typeof x === 'string') : []
  if (allow.length) parts.push(`allow rules: ${list(allow)}`)
  const mcp = s.mcpServers && typeof s.mcpServers === 'object' ? Object.keys(s.mcpServers) : []
  if (mcp.length) parts.push(`MCP servers: ${list(mcp)}`)
  const other = Object.keys(s).filter((k) => !['hooks', 'permissions', 'mcpServers', '$schema'].includes(k))
  if (other.length) parts.push(`other settings: ${list(other)}`)
  return parts.join('; ') || 'no settings'
}

/**
 * What a template holds for Claude Code (its `.claude/`, `.mcp.json` and CLAUDE.md), sorted by path,
 * each with whether a run loads it: its settings and MCP servers never; its skills, agents, commands
 * and CLAUDE.md as any project's. Links are named, not followed.
 */
export async function inspectTemplate(templateDir: string): Promise<TemplateEntry[]> {
  const out: TemplateEntry[] = []
  const at = (rel: string) => join(templateDir, ...rel.split('/'))
  const st = (rel: string) => lstat(at(rel)).catch(() => null)
  // nothing is read through a linked .claude (a run's folder gets neither the link nor what it points at)
  const claude = await st('.claude')
  if (claude?.isDirectory())
    for (const rel of ['.claude/settings.json', '.claude/settings.local.json'])
      if (await st(rel)) out.push({ path: rel, kind: 'settings', loaded: false, detail: settingsDetail(await readJson(at(rel))) })
  const mcp = await st('.mcp.json')
  if (mcp) {
    const servers = (await readJson(at('.mcp.json')))?.mcpServers
    const names = servers && typeof servers === 'object' ? Object.keys(servers) : []
    out.push({ path: '.mcp.json', kind: 'mcp', loaded: false, detail: names.length ? `MCP servers: ${list(names)}` : undefined })
  }
  if ((await st('CLAUDE.md'))?.isFile()) out.push({ path: 'CLAUDE.md', kind: 'memory', loaded: true })
  if (claude?.isDirectory() && (await st('.claude/CLAUDE.md'))?.isFile())
    out.push({ path: '.claude/CLAUDE.md', kind: 'memory', loaded: true })
  if (claude?.isSymbolicLink())
    out.push({ path: '.claude', kind: 'other', loaded: false, detail: 'a link: not followed, left out of each run’s folder' })
  else if (claude?.isDirectory()) {
    const kinds: Record<string, TemplateEntry['kind']> = { skills: 'skill', agents: 'agent', commands: 'command' }
    for (const name of (await readdir(at('.claude')).catch(() => [] as string[])).sort()) {
      const rel = `.claude/${name}`
      if (PROJECT_SETTINGS_FILES.includes(rel) || name === 'CLAUDE.md') continue
      const kind = kinds[name]
      if (kind && (await st(rel))?.isDirectory()) {
        const items = (await readdir(at(rel)).catch(() => [] as string[])).sort()
        for (const item of items) out.push({ path: `${rel}/${printable(item)}`, kind, loaded: true })
      } else out.push({ path: printable(rel), kind: 'other', loaded: false })
    }
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}

/** One line per entry, for the terminal: `  .claude/settings.json (hooks: SessionStart): not loaded`. */
export function templateLines(entries: TemplateEntry[]): string[] {
  return entries.map((e) => `  ${e.path}${e.detail ? ` (${e.detail})` : ''}: ${e.loaded ? 'loaded' : 'not loaded'}`)
}

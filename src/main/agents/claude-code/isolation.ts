/**
 * What a run of `claude` gets from this machine, and no more:
 *
 * - Settings: the app's own (`--settings`). Never the user's settings files, hooks, allow rules or MCP
 *   servers (`--setting-sources project`, `--strict-mcp-config`, `disableAllHooks`), unless the batch
 *   opts in; never a template's project settings (its `.claude/settings.json`, `.claude/settings.local.json`
 *   and `.mcp.json` are taken out of each run's folder). The `project` source stays on: Claude Code 2.1
 *   loads a folder's skills, agents and CLAUDE.md only through it (a verification installs the skill it
 *   tests there), and with its settings files gone it brings no settings.
 * - Environment: what claude needs (PATH, HOME, locale, terminal, proxies, ANTHROPIC_* and CLAUDE_CODE_*),
 *   its own TMPDIR, the config folder, and a marker every process of the run inherits, so that all of
 *   them can be found and ended with it; nothing else of the app's environment.
 * - Reads: denied for well-known secret folders and files in the home folder, the config folder (its
 *   login and every other session), the app's data folder (other runs, other batches' prompts) and other
 *   runs' temporary folders: by permission deny rules (the Read, Grep and Glob tools, in every preset)
 *   and by the sandbox's filesystem settings (Bash, under Sandboxed).
 *
 * Electron-free.
 */
import { lstat, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, isAbsolute, join, relative, sep } from 'node:path'
import type { RunSettings } from '../../../shared/runs'
import { isInside } from '../../base/paths'
import { RUN_MARKER, type Marker } from '../../base/processes'
import { runTmpRoot } from '../../base/run-tmp'
import { claudeArgs, runSettings } from './args'

export { RUN_MARKER }

/** What claude gets of the app's environment, by name (upper-cased for the comparison). */
const KEEP = new Set(
  [
    'PATH',
    'HOME',
    'USER',
    'LOGNAME',
    'SHELL',
    'LANG',
    'LANGUAGE',
    'TERM',
    'COLORTERM',
    'NO_COLOR',
    'TZ',
    'IS_SANDBOX',
    'HTTP_PROXY',
    'HTTPS_PROXY',
    'NO_PROXY',
    'ALL_PROXY',
    'NODE_EXTRA_CA_CERTS',
    'SSL_CERT_FILE',
    'SSL_CERT_DIR',
    'REQUESTS_CA_BUNDLE',
    'XDG_CONFIG_HOME',
    'XDG_DATA_HOME',
    'XDG_CACHE_HOME',
    'XDG_STATE_HOME',
    'MAX_THINKING_TOKENS',
    'MCP_TIMEOUT',
    'MCP_TOOL_TIMEOUT',
    'BASH_DEFAULT_TIMEOUT_MS',
    'BASH_MAX_TIMEOUT_MS',
    // Windows: what programs need to start at all, and where the user's folders are
    'SYSTEMROOT',
    'SYSTEMDRIVE',
    'WINDIR',
    'COMSPEC',
    'PATHEXT',
    'USERPROFILE',
    'USERNAME',
    'APPDATA',
    'LOCALAPPDATA',
    'PROGRAMDATA',
    'PROGRAMFILES',
    'PROGRAMFILES(X86)',
    'COMMONPROGRAMFILES',
    'HOMEDRIVE',
    'HOMEPATH',
    'NUMBER_OF_PROCESSORS',
    'PROCESSOR_ARCHITECTURE',
    'OS'
  ].map((k) => k.toUpperCase())
)
const KEEP_PREFIXES = ['LC_', 'ANTHROPIC_', 'CLAUDE_CODE_', 'DISABLE_']
/** Bedrock and Vertex need their cloud's variables, only when claude is told to use them. */
const BEDROCK = ['AWS_']
const VERTEX = ['CLOUD_ML_REGION', 'VERTEX_REGION_', 'GOOGLE_APPLICATION_CREDENTIALS', 'GOOGLE_CLOUD_PROJECT', 'GCLOUD_PROJECT']
/**
 * Never, whatever the rules above say: they hand out the user's credentials, change what claude runs,
 * or belong to a Claude Code session the app itself was started from (its temporary folder, its sockets).
 */
const NEVER = new Set([
  'CLAUDE_CODE_SUBPROCESS_ENV_SCRUB',
  'CLAUDE_CODE_TMPDIR',
  'CLAUDE_CODE_ENTRYPOINT',
  'CLAUDE_CODE_EXECPATH',
  'CLAUDE_CODE_SSE_PORT',
  'SSH_AUTH_SOCK',
  'GPG_AGENT_INFO',
  'NODE_OPTIONS'
])
const NEVER_PREFIXES = ['CLAUDE_CODE_SESSION_', 'CLAUDE_CODE_CHILD_', 'CLAUDE_CODE_MESSAGING_', 'CLAUDE_CODE_HOST_']

const truthy = (v: string | undefined) => !!v && !/^(0|false|no|off)?$/i.test(v.trim())

/**
 * The environment of a run's claude: the variables it needs from the app's environment (see above),
 * then CLAUDE_CONFIG_DIR, its own TMPDIR (TMP and TEMP on Windows) and the run's marker.
 */
/** Which variables of `env` a run keeps (by the rules above; Bedrock's and Vertex's when `env` turns them on). */
function keeper(env: NodeJS.ProcessEnv): (name: string) => boolean {
  const value = (name: string) => Object.entries(env).find(([k]) => k.toUpperCase() === name)?.[1]
  const bedrock = truthy(value('CLAUDE_CODE_USE_BEDROCK'))
  const vertex = truthy(value('CLAUDE_CODE_USE_VERTEX'))
  return (name) => {
    const K = name.toUpperCase()
    if (NEVER.has(K) || NEVER_PREFIXES.some((p) => K.startsWith(p))) return false
    return (
      KEEP.has(K) ||
      KEEP_PREFIXES.some((p) => K.startsWith(p)) ||
      (bedrock && BEDROCK.some((p) => K.startsWith(p))) ||
      (vertex && VERTEX.some((p) => K.startsWith(p)))
    )
  }
}

/** What the app sets itself in a run's environment. */
const OURS = new Set(['CLAUDE_CONFIG_DIR', 'TMPDIR', 'TMP', 'TEMP', RUN_MARKER])

export function runEnvironment(
  appEnv: NodeJS.ProcessEnv,
  o: { configDir: string; tmpDir: string; marker: string | Marker; platform?: NodeJS.Platform }
): NodeJS.ProcessEnv {
  const win = (o.platform ?? process.platform) === 'win32'
  const upper = (k: string) => k.toUpperCase()
  const keep = keeper(appEnv)
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(appEnv)) if (v !== undefined && keep(k)) env[k] = v
  // ours, whatever the app's environment said (on Windows, names differ only by case: drop the other spellings)
  const set = (name: string, v: string) => {
    if (win) for (const k of Object.keys(env)) if (upper(k) === name) delete env[k]
    env[name] = v
  }
  set('CLAUDE_CONFIG_DIR', o.configDir)
  set('TMPDIR', o.tmpDir)
  if (win) {
    set('TMP', o.tmpDir)
    set('TEMP', o.tmpDir)
  }
  const marker = typeof o.marker === 'string' ? { name: RUN_MARKER, value: o.marker } : o.marker
  set(marker.name, marker.value)
  return env
}

/** Secret places in the home folder: keys, cloud and registry credentials, password stores. */
export const SECRET_HOME_PATHS = [
  '.ssh',
  '.gnupg',
  '.aws',
  '.azure',
  '.config/gcloud',
  '.kube',
  '.docker/config.json',
  '.netrc',
  '.npmrc',
  '.yarnrc.yml',
  '.pypirc',
  '.git-credentials',
  '.config/gh',
  '.config/hub',
  '.cargo/credentials',
  '.cargo/credentials.toml',
  '.gem/credentials',
  '.terraform.d/credentials.tfrc.json',
  '.vault-token',
  '.password-store',
  '.local/share/keyrings',
  '.claude',
  '.claude.json'
]

/** The config folder's entries a run's tools may read when the batch uses the user's settings (their skills, agents...). */
const USER_CONFIG_PARTS = ['skills', 'agents', 'commands', 'plugins', 'output-styles']
/** Entries of the data folder that may not exist yet when a run starts (denied all the same). */
const DATA_PARTS = ['store', 'runs', 'archive', 'cache', 'evidence', 'export-backups', 'workspaces', 'api-key.bin']
/** Entries of the config folder that may not exist yet when a run starts. */
const CONFIG_PARTS = ['.credentials.json', 'projects', 'history.jsonl', '.claude.json', 'todos', 'shell-snapshots', 'file-history']

export interface ReadDenials {
  /** paths (absolute) whose reading the Read, Grep and Glob tools are denied */
  tools: string[]
  /** the sandbox's filesystem: denied, and re-allowed inside the denied (the run's own folders) */
  sandbox: { denyRead: string[]; allowRead: string[] }
}

/**
 * Everything under `root` except `keep` (a folder inside it): `root`'s other entries, and at each level
 * down to `keep` that level's other entries (as the folders are now, with `known` added at the top).
 */
async function allBut(root: string, keep: string[], known: string[] = []): Promise<string[]> {
  const out = new Set<string>()
  const names = async (dir: string) => (await readdir(dir).catch(() => [] as string[])).map((n) => join(dir, n))
  for (const p of [...(await names(root)), ...known.map((n) => join(root, n))]) out.add(p)
  for (const k of keep) {
    if (!isInside(k, root)) continue
    // walk down from root to k: every level's siblings stay denied, the path to k does not
    let dir = root
    for (const part of relative(root, k).split(sep).filter(Boolean)) {
      const next = join(dir, part)
      out.delete(next)
      if (next !== k) for (const s of await names(next)) out.add(s)
      dir = next
    }
  }
  // an entry on the way to another kept one is not denied either
  return [...out].filter((p) => !keep.some((k) => isInside(k, p)))
}

/**
 * What a run may not read. `home`: the home folder the run gets; `workspace` and `tmpDir`: its own
 * folders (readable); `useMine`: the batch uses the user's settings, so the config folder's skills,
 * agents, commands and plugins stay readable.
 */
export async function readDenials(o: {
  home?: string
  configDir: string
  dataDir: string
  workspace: string
  tmpDir: string
  tmpRoot?: string
  useMine?: boolean
}): Promise<ReadDenials> {
  const tools = new Set<string>()
  const denyRead = new Set<string>()
  const allowRead = new Set<string>()
  const mine = o.useMine ? USER_CONFIG_PARTS.map((p) => join(o.configDir, p)) : []
  const ownOf = (p: string) => [o.workspace, o.tmpDir].some((own) => isInside(own, p))
  if (o.home && isAbsolute(o.home))
    for (const p of SECRET_HOME_PATHS) {
      const full = join(o.home, ...p.split('/'))
      // the config folder is handled below (its parts the user's settings need stay readable)
      if (isInside(o.configDir, full) || ownOf(full)) continue
      tools.add(full)
      denyRead.add(full)
    }
  // the config folder: all of it but what the user's own settings bring (their skills...)
  for (const p of await allBut(o.configDir, mine, CONFIG_PARTS)) if (!ownOf(p)) tools.add(p)
  denyRead.add(o.configDir)
  for (const m of mine) allowRead.add(m)
  // the data folder: all of it but the run's own workspace
  for (const p of await allBut(o.dataDir, [o.workspace], DATA_PARTS)) tools.add(p)
  denyRead.add(o.dataDir)
  allowRead.add(o.workspace)
  // other runs' temporary folders (for Bash; the tools keep reading the run's own, where Claude Code puts long outputs)
  const tmpRoot = o.tmpRoot ?? runTmpRoot()
  if (isInside(o.tmpDir, tmpRoot) && o.tmpDir !== tmpRoot) {
    denyRead.add(tmpRoot)
    allowRead.add(o.tmpDir)
  }
  return { tools: [...tools], sandbox: { denyRead: [...denyRead], allowRead: [...allowRead] } }
}

/** A Read deny rule for an absolute path (`//` starts an absolute path in Claude Code's rules), the path and all under it. */
export function readRules(paths: string[]): string[] {
  const rules: string[] = []
  for (const p of paths) {
    const posix = p.replace(/\\/g, '/')
    const abs = `/${posix.startsWith('/') ? posix : `/${posix}`}`
    rules.push(`Read(${abs})`, `Read(${abs}/**)`)
  }
  return rules
}

/** What of the user's settings is their login (how claude authenticates, where its API is), kept when the rest is not. */
export interface LoginSettings {
  apiKeyHelper?: string
  awsAuthRefresh?: string
  awsCredentialExport?: string
  /** the settings' `env`, only the variables a run's environment would keep (ANTHROPIC_*, CLAUDE_CODE_*...) */
  env?: Record<string, string>
}

/** The login part of the user's settings.json in the config folder ({} when there is none, or it cannot be read). */
export async function loginSettings(configDir: string): Promise<LoginSettings> {
  const s = await readJson(join(configDir, 'settings.json'))
  if (!s) return {}
  const out: LoginSettings = {}
  for (const k of ['apiKeyHelper', 'awsAuthRefresh', 'awsCredentialExport'] as const) if (typeof s[k] === 'string') out[k] = s[k] as string
  if (s.env && typeof s.env === 'object' && !Array.isArray(s.env)) {
    const strings = Object.entries(s.env).filter((e): e is [string, string] => typeof e[1] === 'string')
    // the same rules as the run's own environment; never what the app sets itself
    const keep = keeper(Object.fromEntries(strings))
    const env = Object.fromEntries(strings.filter(([k]) => keep(k) && !OURS.has(k.toUpperCase())))
    if (Object.keys(env).length) out.env = env
  }
  return out
}

/**
 * The CLAUDE.md files of the folders above a run's folder (Claude Code reads a project's memory from
 * every folder up to the root: the data folder lives in the home folder, so `~/CLAUDE.md` would reach
 * every run): left out, so a run reads only its own folder's.
 */
export function outerMemoryFiles(workspace: string): string[] {
  const out: string[] = []
  for (let dir = dirname(workspace); ; dir = dirname(dir)) {
    for (const name of ['CLAUDE.md', 'CLAUDE.local.md', '.claude/CLAUDE.md']) out.push(join(dir, ...name.split('/')).replace(/\\/g, '/'))
    if (dirname(dir) === dir) break
  }
  return out
}

/** The settings and arguments that make a run's settings the app's own. */
export interface RunIsolation {
  /** arguments beside --settings (which settings sources load, MCP servers) */
  args: string[]
  /** merged into the run's --settings */
  settings: LoginSettings & { disableAllHooks?: true; claudeMdExcludes?: string[]; permissions: { deny: string[] } }
  /** merged into the sandbox settings of a sandboxed run */
  sandboxFilesystem: { denyRead: string[]; allowRead: string[] }
}

/**
 * `login`: what of the user's settings is kept when they do not load (see loginSettings); `workspace`:
 * the run's folder (the memory files above it are left out).
 */
export function runIsolation(denials: ReadDenials, useMine: boolean, login: LoginSettings = {}, workspace?: string): RunIsolation {
  return {
    // the user's settings (hooks, allow rules) and MCP servers only when the batch asks for them; project
    // settings files never load (they are taken out of the run's folder), the project's skills do
    args: useMine ? ['--setting-sources', 'user,project'] : ['--setting-sources', 'project', '--strict-mcp-config'],
    settings: {
      ...(useMine ? {} : { ...login, disableAllHooks: true as const }),
      ...(workspace ? { claudeMdExcludes: outerMemoryFiles(workspace) } : {}),
      permissions: { deny: readRules(denials.tools) }
    },
    sandboxFilesystem: denials.sandbox
  }
}

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

async function readJson(file: string): Promise<Record<string, unknown> | null> {
  const st = await lstat(file).catch(() => null)
  if (!st?.isFile() || st.size > 1_000_000) return null
  try {
    const v = JSON.parse(await readFile(file, 'utf8')) as unknown
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null
  } catch {
    return null
  }
}

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

/** What one run of claude is started with: its arguments and environment. */
export interface IsolatedRun {
  args: string[]
  env: NodeJS.ProcessEnv
}

/**
 * Ready one run in the place its backend made (its own temporary folder, its marker): the settings that
 * make it the app's (written to `<logDir>/claude-settings.json`, where the run cannot read them and a
 * person can), its arguments and its environment.
 */
export async function isolateRun(o: {
  prompt: string
  sessionId: string
  settings: RunSettings
  appEnv: NodeJS.ProcessEnv
  configDir: string
  dataDir: string
  workspace: string
  logDir: string
  tmpDir: string
  tmpRoot?: string
  marker: Marker
}): Promise<IsolatedRun> {
  const useMine = !!o.settings.useMyClaudeSettings
  const home = o.appEnv.HOME || o.appEnv.USERPROFILE || homedir()
  const denials = await readDenials({
    home,
    configDir: o.configDir,
    dataDir: o.dataDir,
    workspace: o.workspace,
    tmpDir: o.tmpDir,
    tmpRoot: o.tmpRoot,
    useMine
  })
  const isolation = runIsolation(denials, useMine, useMine ? {} : await loginSettings(o.configDir), o.workspace)
  const settingsFile = join(o.logDir, 'claude-settings.json')
  await writeFile(settingsFile, JSON.stringify(runSettings(o.settings, isolation), null, 2))
  return {
    args: claudeArgs(o.prompt, o.sessionId, o.settings, { isolation, settingsFile }),
    env: runEnvironment(o.appEnv, { configDir: o.configDir, tmpDir: o.tmpDir, marker: o.marker })
  }
}

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
 *   them can be found and ended with it; nothing else of the app's environment (env.ts).
 * - Reads: denied for well-known secret folders and files in the home folder, the config folder (its
 *   login and every other session), the app's data folder (other runs, other batches' prompts) and other
 *   runs' temporary folders: by permission deny rules (the Read, Grep and Glob tools, in every preset)
 *   and by the sandbox's filesystem settings (Bash, under Sandboxed).
 *
 * A template's own Claude Code files: template.ts. Electron-free.
 */
import { readdir, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, isAbsolute, join, relative, sep } from 'node:path'
import type { RunSettings } from '../../../shared/runs'
import { isInside } from '../../base/paths'
import type { Marker } from '../../base/processes'
import { runTmpRoot } from '../../base/run-tmp'
import { claudeArgs, runSettings } from './args'
import { loginSettings, runEnvironment, type LoginSettings } from './env'

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

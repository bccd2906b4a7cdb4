/**
 * The environment of a run's claude: only what it needs of the app's (PATH, HOME, locale, terminal,
 * proxies, ANTHROPIC_* and CLAUDE_CODE_*, Bedrock's or Vertex's when turned on), then the config folder,
 * its own TMPDIR and the run's marker; and the login part of the user's settings, kept when the rest of
 * them does not load. Electron-free.
 */
import { lstat, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { RUN_MARKER, type Marker } from '../../base/processes'

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

/** A JSON object from a file, or null (none, unreadable, not an object). */
export async function readJson(file: string): Promise<Record<string, unknown> | null> {
  const st = await lstat(file).catch(() => null)
  if (!st?.isFile() || st.size > 1_000_000) return null
  try {
    const v = JSON.parse(await readFile(file, 'utf8')) as unknown
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null
  } catch {
    return null
  }
}

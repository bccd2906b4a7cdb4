/**
 * Where things live. `CLAUDE_CONFIG_DIR` (else ~/.claude) holds Claude Code's sessions;
 * `TRACE2SKILL_DATA_DIR` (else the OS's per-user app data folder, the same one Electron's
 * `userData` points at) holds the app's own store.
 */
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'

export const APP_NAME = 'trace2skill'

export function claudeConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.CLAUDE_CONFIG_DIR || join(homedir(), '.claude'))
}

export function defaultUserDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_NAME)
  if (platform === 'win32') return join(env.APPDATA || join(homedir(), 'AppData', 'Roaming'), APP_NAME)
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), APP_NAME)
}

export function dataDir(env: NodeJS.ProcessEnv = process.env, fallback = defaultUserDataDir(env)): string {
  return resolve(env.TRACE2SKILL_DATA_DIR || fallback)
}

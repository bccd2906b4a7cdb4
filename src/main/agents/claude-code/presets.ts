/**
 * Can Claude Code's sandbox work here, and which permission preset does a new batch start with?
 * Linux needs bubblewrap and socat on the PATH claude gets (and bwrap able to make a namespace);
 * macOS has sandbox-exec; elsewhere there is none. Electron-free; every lookup can be injected.
 */
import { execFile } from 'node:child_process'
import { accessSync, constants, statSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { PRESET_LABELS, type PermissionPreflight, type PermissionPreset, type PresetAvailability } from '../../../shared/runs'

export const LINUX_INSTALL = '`sudo apt-get install bubblewrap socat` (Fedora: `sudo dnf install bubblewrap socat`)'

export interface PreflightDeps {
  platform?: NodeJS.Platform
  /** the environment claude will get (its PATH is searched) */
  env?: NodeJS.ProcessEnv
  /** the full path of an executable on that PATH, or null */
  which?: (name: string, env: NodeJS.ProcessEnv) => Promise<string | null>
  /** can bwrap make a sandbox? */
  probe?: (bwrap: string) => Promise<{ ok: boolean; error?: string }>
  /** the user id the runs have (root is refused full access by Claude Code) */
  uid?: number | null
  exists?: (path: string) => boolean
}

/** An executable file named `name` in one of PATH's folders. */
export async function whichOnPath(name: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const full = join(dir, name)
    try {
      if (!statSync(full).isFile()) continue
      accessSync(full, constants.X_OK)
      return full
    } catch {
      /* not here */
    }
  }
  return null
}

/** `bwrap --ro-bind / / --unshare-net true`: a namespace with no network, which is what Claude Code asks of it. */
export function probeBwrap(bwrap: string, timeoutMs = 5000): Promise<{ ok: boolean; error?: string }> {
  return new Promise((resolve) => {
    execFile(bwrap, ['--ro-bind', '/', '/', '--dev', '/dev', '--unshare-net', 'true'], { timeout: timeoutMs }, (err, _out, stderr) => {
      if (!err) return resolve({ ok: true })
      const why =
        String(stderr || '')
          .trim()
          .split('\n')[0] || (err.killed ? `no answer in ${timeoutMs / 1000} s` : err.message)
      resolve({ ok: false, error: why })
    })
  })
}

/** Is Claude Code's sandbox usable here? `reason` says why not and how to fix it. */
export async function sandboxAvailability(d: PreflightDeps = {}): Promise<PresetAvailability> {
  const platform = d.platform ?? process.platform
  const env = d.env ?? process.env
  const which = d.which ?? whichOnPath
  if (platform === 'linux') {
    const [bwrap, socat] = await Promise.all([which('bwrap', env), which('socat', env)])
    if (!bwrap && !socat) return { available: false, reason: `bubblewrap and socat are not installed: ${LINUX_INSTALL}` }
    if (!bwrap) return { available: false, reason: `bubblewrap is not installed: ${LINUX_INSTALL}` }
    if (!socat)
      return {
        available: false,
        reason:
          "socat is not installed (the sandbox's network proxy needs it): `sudo apt-get install socat` (Fedora: `sudo dnf install socat`)"
      }
    const probe = await (d.probe ?? probeBwrap)(bwrap)
    if (!probe.ok)
      return {
        available: false,
        reason: `bubblewrap cannot create a sandbox here (${probe.error ?? 'it failed'}): unprivileged user namespaces may be turned off (sysctl kernel.unprivileged_userns_clone=1; on Ubuntu 24.04, an AppArmor profile for bwrap), or this container forbids them`
      }
    return { available: true }
  }
  if (platform === 'darwin') {
    const exists =
      d.exists ??
      ((p: string) => {
        try {
          return statSync(p).isFile()
        } catch {
          return false
        }
      })
    return exists('/usr/bin/sandbox-exec')
      ? { available: true }
      : { available: false, reason: "/usr/bin/sandbox-exec is missing, which Claude Code's sandbox needs on macOS" }
  }
  if (platform === 'win32')
    return {
      available: false,
      reason:
        "Claude Code's sandbox is not available on Windows here: run trace2skill inside WSL 2 (with bubblewrap and socat) to sandbox runs"
    }
  return { available: false, reason: `Claude Code's sandbox works on Linux and macOS only, not on ${platform}` }
}

/** Full access as root: Claude Code refuses bypassPermissions unless IS_SANDBOX=1 says the machine is a throwaway one. */
export function fullAccessAvailability(d: Pick<PreflightDeps, 'env' | 'uid'> = {}): PresetAvailability {
  const env = d.env ?? process.env
  const uid = d.uid !== undefined ? d.uid : typeof process.getuid === 'function' ? process.getuid() : null
  if (uid === 0 && env.IS_SANDBOX !== '1')
    return {
      available: false,
      reason:
        'Claude Code refuses full access (bypassPermissions) when it runs as root: run trace2skill as a normal user (or, only in a container you can throw away, start it with IS_SANDBOX=1 in its environment)'
    }
  return { available: true }
}

/** Every preset's availability, the default for a new batch (sandboxed where available) and why. */
export async function permissionPreflight(d: PreflightDeps = {}): Promise<PermissionPreflight> {
  const sandboxed = await sandboxAvailability(d)
  const defaultPreset: PermissionPreset = sandboxed.available ? 'sandboxed' : 'accept-edits'
  return {
    platform: d.platform ?? process.platform,
    presets: { sandboxed, 'accept-edits': { available: true }, 'full-access': fullAccessAvailability(d) },
    defaultPreset,
    summary: sandboxed.available
      ? `${PRESET_LABELS.sandboxed} by default: Claude Code's sandbox works here`
      : `${PRESET_LABELS['accept-edits']} by default, because the sandbox is not available: ${sandboxed.reason}`
  }
}

/** The message a refused start gives: never a silent fall-back to a weaker preset. */
export function refusal(preset: PermissionPreset, a: PresetAvailability): string {
  if (preset === 'sandboxed')
    return `Sandboxed runs are not available: ${a.reason}. Install what is missing, or choose Accept edits explicitly (no sandbox).`
  return `${PRESET_LABELS[preset]} is not available: ${a.reason}.`
}

/** One preset's availability (accept-edits always works). */
export async function presetAvailability(preset: PermissionPreset, d: PreflightDeps = {}): Promise<PresetAvailability> {
  if (preset === 'sandboxed') return sandboxAvailability(d)
  if (preset === 'full-access') return fullAccessAvailability(d)
  return { available: true }
}

/**
 * Is the process at a pid still the one we started? What we record at start (its pid, the start time the
 * OS reports, a marker on its command line such as the session id) tells, after a restart, whether the
 * process with that pid is ours or a stranger that reuses the pid. ps-list on macOS and Linux (`ps`), a
 * CIM query through PowerShell on Windows. Electron-free.
 */
import { execa } from 'execa'
import psList from 'ps-list'
import { endTree } from './processes'

/** What the OS says about a process now. */
export interface ProcessInfo {
  pid: number
  /** when it started, ms since the epoch (to the second on macOS and Linux) */
  startedAt?: number
  /** its command line (with arguments) */
  command?: string
  name?: string
}

/** Ask the OS about one process; null when there is none with that pid. */
export async function processInfo(pid: number, platform: NodeJS.Platform = process.platform): Promise<ProcessInfo | null> {
  if (platform === 'win32') return windowsProcessInfo(pid)
  const p = (await psList({ all: true })).find((x) => x.pid === pid)
  if (!p) return null
  return { pid, startedAt: p.startTime?.getTime(), command: p.cmd, name: p.name }
}

/** The CIM query for one process (PowerShell 5.1 and 7); prints one JSON object or nothing. */
export function windowsProcessQuery(pid: number): string[] {
  const script = `$p = Get-CimInstance Win32_Process -Filter 'ProcessId=${Math.trunc(pid)}'; if ($p) { [pscustomobject]@{ pid = $p.ProcessId; name = $p.Name; command = $p.CommandLine; started = $p.CreationDate.ToUniversalTime().ToString('o') } | ConvertTo-Json -Compress }`
  return ['-NoProfile', '-NonInteractive', '-Command', script]
}

/** Read what windowsProcessQuery printed. */
export function parseWindowsProcess(stdout: string): ProcessInfo | null {
  const text = stdout.trim()
  if (!text) return null
  try {
    const o = JSON.parse(text) as { pid?: unknown; name?: unknown; command?: unknown; started?: unknown }
    if (typeof o.pid !== 'number') return null
    const t = typeof o.started === 'string' ? Date.parse(o.started) : NaN
    return {
      pid: o.pid,
      startedAt: Number.isFinite(t) ? t : undefined,
      command: typeof o.command === 'string' ? o.command : undefined,
      name: typeof o.name === 'string' ? o.name : undefined
    }
  } catch {
    return null
  }
}

async function windowsProcessInfo(pid: number): Promise<ProcessInfo | null> {
  const r = await execa('powershell.exe', windowsProcessQuery(pid), { reject: false, windowsHide: true, timeout: 30_000 })
  return parseWindowsProcess(String(r.stdout ?? ''))
}

/** What we keep about a process we started, to know it again after a restart. */
export interface RecordedProcess {
  pid: number
  /** processInfo(pid).startedAt, read just after the start */
  startedAt?: number
  /** a string on its command line (the run's session id) */
  marker?: string
}

/**
 * Is the process now at this pid the one we recorded? Its start time must match (a reused pid
 * belongs to a process started later) and its command line must carry the marker; at least one of
 * the two must be known, or nothing is ours.
 */
export function isSameProcess(recorded: RecordedProcess, now: ProcessInfo | null, toleranceMs = 1500): boolean {
  if (!now || now.pid !== recorded.pid) return false
  let proof = false
  if (recorded.startedAt !== undefined && now.startedAt !== undefined) {
    if (Math.abs(recorded.startedAt - now.startedAt) > toleranceMs) return false
    proof = true
  }
  if (recorded.marker && now.command !== undefined) {
    if (!now.command.includes(recorded.marker)) return false
    proof = true
  }
  return proof
}

/** The identity to record for a process just started (start time from the OS). */
export async function recordProcess(pid: number, marker?: string, platform: NodeJS.Platform = process.platform): Promise<RecordedProcess> {
  const info = await processInfo(pid, platform).catch(() => null)
  return { pid, startedAt: info?.startedAt, marker }
}

/**
 * At start-up: end a process a crashed app left running, only if it is still the one it recorded.
 * 'ended' it was ours and is gone now; 'gone' nothing runs at that pid; 'other' a different process
 * has the pid, and is left alone.
 */
export async function endIfOurs(
  recorded: RecordedProcess,
  opts: { platform?: NodeJS.Platform; lookup?: (pid: number) => Promise<ProcessInfo | null>; graceMs?: number } = {}
): Promise<'ended' | 'gone' | 'other'> {
  const platform = opts.platform ?? process.platform
  const now = await (opts.lookup ?? ((pid) => processInfo(pid, platform)))(recorded.pid).catch(() => null)
  if (!now) return 'gone'
  if (!isSameProcess(recorded, now)) return 'other'
  // started detached on POSIX: it leads its own group
  await endTree(recorded.pid, { graceMs: opts.graceMs ?? 0, platform })
  return 'ended'
}

/**
 * A run's own temporary folder on this machine (its TMPDIR): private, short (Claude Code's sandbox puts
 * sockets there), under one folder for all runs, removed when the run ends and after a crash.
 */
import { lstat, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** The run's own temporary folder: short (Claude Code's sandbox puts sockets there), private, under one folder for all runs. */
export function runTmpRoot(): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'user'
  return join(tmpdir(), `trace2skill-${uid}`)
}

/** A run's temporary folder: `run-<first 8 of its session id>-XXXXXX` (mode 0700) in runTmpRoot(). */
export async function makeRunTmp(sessionId: string, root = runTmpRoot()): Promise<string> {
  await mkdir(root, { recursive: true, mode: 0o700 })
  const st = await lstat(root)
  if (!st.isDirectory() || (typeof process.getuid === 'function' && st.uid !== process.getuid()))
    throw new Error(`${root} is not a folder of this user: cannot give the run a private temporary folder`)
  return mkdtemp(join(root, `run-${sessionId.replace(/[^A-Za-z0-9-]/g, '').slice(0, 8)}-`))
}

/** Remove the temporary folders of a run (by its session id): at its end, and after a crash at the next start. */
export async function removeRunTmp(sessionId: string, root = runTmpRoot()): Promise<void> {
  const prefix = `run-${sessionId.replace(/[^A-Za-z0-9-]/g, '').slice(0, 8)}-`
  for (const name of await readdir(root).catch(() => [] as string[]))
    // one left behind (a file the run made read-only) only takes room in the temporary folder; the next start tries again
    if (name.startsWith(prefix)) await rm(join(root, name), { recursive: true, force: true }).catch(() => {})
}

/**
 * The request guard of the screenshot ports (src/main/runs/screenshots.ts): which URLs an untrusted
 * page may load (files whose real path is inside its workspace, nothing else), and reading such a file
 * safely.
 */
import { constants } from 'node:fs'
import { open, realpath, stat } from 'node:fs/promises'
import { dirname, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Workspace files larger than this are not served to a page. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024

export type WorkspaceDecision =
  /** data: and blob: URLs: made in memory, nothing leaves */
  | { action: 'pass' }
  /** a regular file (or folder) whose real path is inside the workspace */
  | { action: 'serve'; path: string }
  /** inside the workspace, but no such file: not an escape, not listed */
  | { action: 'missing' }
  /** anything else: the network, a path out, a link out, a device or FIFO */
  | { action: 'block'; reason: string }

const inside = (path: string, root: string) => path === root || path.startsWith(root.endsWith(sep) ? root : root + sep)

/**
 * May an untrusted page load this URL? Only files whose REAL path (every symbolic link on the way
 * resolved) is inside the workspace, and only regular files and folders. With `origin`, URLs under it
 * map to the workspace (the playwright port); without, `file:` URLs do (the Electron port).
 */
export async function decideWorkspaceRequest(url: string, root: string, opts: { origin?: string } = {}): Promise<WorkspaceDecision> {
  if (/^(data|blob):/i.test(url)) return { action: 'pass' }
  const block = (reason: string): WorkspaceDecision => ({ action: 'block', reason })
  let realRoot: string
  try {
    realRoot = await realpath(root)
  } catch {
    return block('no workspace')
  }
  let path: string
  try {
    if (opts.origin !== undefined) {
      if (!url.startsWith(`${opts.origin}/`)) return block('network')
      path = resolve(realRoot, decodeURIComponent(new URL(url).pathname).replace(/^\/+/, ''))
    } else {
      if (!/^file:/i.test(url)) return block('network')
      path = resolve(fileURLToPath(url))
    }
  } catch {
    return block('malformed')
  }
  if (path.includes('\0')) return block('malformed')
  if (!inside(path, realRoot)) return block('outside the workspace')
  let real: string
  try {
    real = await realpath(path)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code !== 'ENOENT' && code !== 'ENOTDIR') return block(`unreadable (${code})`)
    // Missing: harmless only if the nearest folder that exists is really inside the workspace.
    for (let dir = dirname(path); ; dir = dirname(dir)) {
      const realDir = await realpath(dir).catch(() => null)
      if (realDir) return inside(realDir, realRoot) ? { action: 'missing' } : block('a link out of the workspace')
      if (dir === dirname(dir)) return block('outside the workspace')
    }
  }
  if (!inside(real, realRoot)) return block('a link out of the workspace')
  const st = await stat(real).catch(() => null)
  if (!st || !(st.isFile() || st.isDirectory())) return block('not a regular file')
  return { action: 'serve', path: real }
}

/**
 * Reads a file that decideWorkspaceRequest allowed, without following a link swapped in since, without
 * blocking on a FIFO, and only up to MAX_FILE_BYTES. Null when it is not a regular file (any more).
 */
export async function readWorkspaceFile(path: string): Promise<Buffer | null> {
  const fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(() => null)
  if (!fh) return null
  try {
    const st = await fh.stat()
    if (!st.isFile() || st.size > MAX_FILE_BYTES) return null
    return await fh.readFile()
  } catch {
    return null
  } finally {
    await fh.close().catch(() => {})
  }
}

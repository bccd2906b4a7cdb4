/**
 * Run workspaces: each run starts in a fresh copy of the task's template folder (or an empty folder),
 * so runs never see each other's files; afterwards, what it created or changed is diffed against the
 * template.
 */
import { blindFolderSession } from './run-folders'
import { createHash } from 'node:crypto'
import { cp, lstat, mkdir, readdir, readlink, realpath } from 'node:fs/promises'
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { createTwoFilesPatch } from 'diff'
import type { OutputFile } from '../../shared/runs'
import { isInside } from './paths'
import { openRegular } from './safe-file'

const SKIP = new Set(['.git', 'node_modules', '.DS_Store'])
const MAX_FILES = 5000
const DIFF_MAX_BYTES = 256 * 1024
/** How much of a file says whether it is binary (a NUL byte in it). */
const SNIFF_BYTES = 8000

/** The name of a verification run's folder in workspaces/<batch>/: never its deck number (a blind deck's runs). */
export const blindFolderName = (sessionId: string) => `blind-${sessionId.slice(0, 8)}`
/** A folder name made by blindFolderName: its session's first 8 characters. */
export { blindFolderSession }

export async function prepareWorkspace(dir: string, templateDir?: string): Promise<void> {
  if (templateDir) await checkTemplate(templateDir)
  await mkdir(dir, { recursive: true })
  if (templateDir)
    await cp(templateDir, dir, { recursive: true, verbatimSymlinks: true, filter: (src) => !SKIP.has(src.split(sep).pop() ?? '') })
}

/**
 * A task's template is untrusted: its links are copied as they are into each run's folder, so one that
 * points outside the template (`.claude -> ../../../../../.claude` reaches the user's own ~/.claude from
 * a run's folder) or to an absolute path is refused, naming it. Links inside the template are fine.
 */
export async function checkTemplate(templateDir: string): Promise<void> {
  const root = resolve(templateDir)
  const refuse = (rel: string, target: string, why: string): never => {
    throw Object.assign(
      new Error(
        `the task's template folder ${root} holds a symbolic link ${why}: ${rel} -> ${target}. Each run works in a copy of the template, and through that link it would reach outside its own folder. Replace the link with a copy of what it points to, or remove it.`
      ),
      { code: 'invalid' }
    )
  }
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
    for (const e of entries) {
      if (SKIP.has(e.name)) continue
      const full = join(dir, e.name)
      if (e.isDirectory()) await walk(full)
      else if (e.isSymbolicLink()) {
        const target = await readlink(full)
        const rel = relative(root, full).split(sep).join('/')
        if (isAbsolute(target)) refuse(rel, target, 'to an absolute path')
        if (!isInside(resolve(dirname(full), target), root)) refuse(rel, target, 'that points outside it')
      }
    }
  }
  await walk(root)
}

interface Entry {
  bytes: number
}

/**
 * Regular files under a folder (links not followed), by relative path, with their sizes. Nothing is
 * read: contents are compared (in streams) only where sizes are equal. One that cannot be looked at
 * is left out alone.
 */
export async function listFiles(root: string): Promise<Map<string, Entry>> {
  const out = new Map<string, Entry>()
  const walk = async (dir: string) => {
    let entries
    try {
      entries = await readdir(dir, { withFileTypes: true })
    } catch {
      return
    }
    for (const e of entries) {
      if (out.size >= MAX_FILES || SKIP.has(e.name)) continue
      const full = join(dir, e.name)
      if (e.isDirectory()) await walk(full)
      else if (e.isFile()) {
        const st = await lstat(full).catch(() => null)
        if (st?.isFile()) out.set(relative(root, full).split(sep).join('/'), { bytes: st.size })
      }
    }
  }
  const st = await lstat(root).catch(() => null)
  if (st?.isDirectory()) await walk(root)
  return out
}

/** SHA-1 of a regular file inside `root`, read in a stream (any size, little memory); null when it cannot be read. */
async function hashInside(root: string, path: string): Promise<string | null> {
  const full = await insideRegular(root, path)
  if (!full) return null
  try {
    const { fh, size } = await openRegular(full)
    try {
      const hash = createHash('sha1')
      if (size > 0) await pipeline(fh.createReadStream({ start: 0, end: size - 1, autoClose: false }), hash)
      return hash.digest('hex')
    } finally {
      await fh.close().catch(() => {})
    }
  } catch {
    return null
  }
}

/** Files the run added, modified or deleted relative to the template, with text diffs where they are small enough. */
export async function diffWorkspace(workspace: string, templateDir?: string): Promise<OutputFile[]> {
  const after = await listFiles(workspace)
  const before = templateDir ? await listFiles(templateDir) : new Map<string, Entry>()
  const out: OutputFile[] = []
  for (const [path, e] of after) {
    try {
      const b = before.get(path)
      if (b && b.bytes === e.bytes) {
        // same size: the same bytes? (hashed in streams: a file of any size costs little memory)
        const [h1, h2] = await Promise.all([hashInside(templateDir!, path), hashInside(workspace, path)])
        if (h1 !== null && h1 === h2) continue
      }
      const small = e.bytes + (b?.bytes ?? 0) <= DIFF_MAX_BYTES
      const limit = small ? DIFF_MAX_BYTES : SNIFF_BYTES
      const [oldRead, newRead] = await Promise.all([
        b ? readInsideFile(templateDir, path, limit).catch(() => null) : null,
        readInsideFile(workspace, path, limit).catch(() => null)
      ])
      const oldBuf = oldRead?.buf ?? Buffer.alloc(0)
      const newBuf = newRead?.buf ?? Buffer.alloc(0)
      const binary = isBinary(newBuf) || isBinary(oldBuf)
      const diff =
        !binary && small ? createTwoFilesPatch(`a/${path}`, `b/${path}`, oldBuf.toString('utf8'), newBuf.toString('utf8')) : undefined
      out.push({ path, status: b ? 'modified' : 'added', bytes: e.bytes, diff, binary, ...(small ? {} : { tooLarge: true }) })
    } catch {
      /* one file that cannot be read is left out, not the run's whole list */
    }
  }
  for (const [path, e] of before) if (!after.has(path)) out.push({ path, status: 'deleted', bytes: e.bytes, binary: false })
  return out.sort((a, b) => a.path.localeCompare(b.path))
}

export interface FilePairDiff {
  path: string
  /** what each run did to the file (null: it did not touch it) */
  a: OutputFile['status'] | null
  b: OutputFile['status'] | null
  /** both runs ended with the same bytes */
  same: boolean
  binary: boolean
  /** unified diff from run A's file to run B's (text files of reasonable size) */
  diff?: string
  /** too large for a text diff (compared by content all the same) */
  tooLarge?: boolean
}

/** Whether a buffer looks like binary data (a NUL byte in its first 8 KB). */
export const isBinary = (buf: Buffer) => buf.subarray(0, SNIFF_BYTES).includes(0)

/** A path inside a run's folder as recorded (`a/b.html`): never absolute, never `..`. */
export const isInsidePath = (p: string) =>
  !!p && !p.startsWith('/') && !/^[a-zA-Z]:/.test(p) && !p.includes('\\') && !p.split('/').some((s) => s === '..' || s === '')

/** The full path of a regular file inside `root` (no folder on the way a link out of it); null when it is not one. */
async function insideRegular(root: string | undefined, path: string): Promise<string | null> {
  if (!root || !isInsidePath(path)) return null
  const full = join(root, ...path.split('/'))
  const st = await lstat(full).catch(() => null)
  if (!st?.isFile()) return null
  // no folder on the way may be a link out of the run's folder (a run's files are untrusted)
  const [realRoot, realFull] = await Promise.all([realpath(root).catch(() => null), realpath(full).catch(() => null)])
  if (!realRoot || !realFull || !isInside(realFull, realRoot)) return null
  return full
}

/**
 * Reads a regular file inside `root` (links not followed, a FIFO never waited on) up to `limit`
 * bytes; null when it is not there, not a regular file, or the path is not inside.
 */
export async function readInsideFile(root: string | undefined, path: string, limit: number): Promise<{ buf: Buffer; size: number } | null> {
  const full = await insideRegular(root, path)
  if (!full) return null
  const { fh, size } = await openRegular(full)
  try {
    const len = Math.min(size, limit)
    const buf = Buffer.alloc(len)
    let at = 0
    // one read takes at most 2 GiB: read in pieces
    while (at < len) {
      const { bytesRead } = await fh.read(buf, at, Math.min(len - at, 1 << 30), at)
      if (!bytesRead) break
      at += bytesRead
    }
    return { buf: buf.subarray(0, at), size }
  } finally {
    await fh.close()
  }
}

/** The files two runs produced, side by side: for each path either touched, run A's version diffed against run B's. */
export async function diffRunOutputs(
  a: { workspace?: string; files: OutputFile[] },
  b: { workspace?: string; files: OutputFile[] }
): Promise<FilePairDiff[]> {
  const paths = [...new Set([...a.files.map((f) => f.path), ...b.files.map((f) => f.path)])].sort()
  // one at a time: a pair of huge files is hashed in streams, never held
  const out: FilePairDiff[] = []
  for (const path of paths) {
    const fa = a.files.find((f) => f.path === path)
    const fb = b.files.find((f) => f.path === path)
    const [ra, rb] = await Promise.all([
      fa?.status === 'deleted' ? null : readInsideFile(a.workspace, path, DIFF_MAX_BYTES + 1).catch(() => null),
      fb?.status === 'deleted' ? null : readInsideFile(b.workspace, path, DIFF_MAX_BYTES + 1).catch(() => null)
    ])
    const bufA = ra?.buf ?? Buffer.alloc(0)
    const bufB = rb?.buf ?? Buffer.alloc(0)
    const binary = isBinary(bufA) || isBinary(bufB)
    const small = (ra?.size ?? 0) + (rb?.size ?? 0) <= DIFF_MAX_BYTES
    let same = ra !== null && rb !== null && ra.size === rb.size && bufA.equals(bufB)
    if (same && !small) {
      // the first bytes agree: the rest, in streams
      const [ha, hb] = await Promise.all([hashInside(a.workspace!, path), hashInside(b.workspace!, path)])
      same = ha !== null && ha === hb
    }
    const diff =
      !binary && !same && small
        ? createTwoFilesPatch(`run A/${path}`, `run B/${path}`, bufA.toString('utf8'), bufB.toString('utf8'), undefined, undefined, {
            context: 3
          })
        : undefined
    out.push({ path, a: fa?.status ?? null, b: fb?.status ?? null, same, binary, diff, ...(small ? {} : { tooLarge: true }) })
  }
  return out
}

/** The largest text file of a run given whole to a grader (getRunTexts). */
export const RUN_TEXT_MAX = 256 * 1024

/**
 * The text files a run made or changed, by path, each read inside its folder (no link followed):
 * binaries, deleted files, files over RUN_TEXT_MAX and what cannot be read (gone, swapped for a link) are left out.
 */
export async function readRunTexts(run: { workspace?: string; files: OutputFile[] }): Promise<{ path: string; text: string }[]> {
  const out: { path: string; text: string }[] = []
  for (const f of run.files) {
    if (f.status === 'deleted' || f.binary) continue
    // not there any more, or not a regular file inside the folder: nothing to give
    const got = await readInsideFile(run.workspace, f.path, RUN_TEXT_MAX).catch(() => null)
    if (got && got.size <= RUN_TEXT_MAX && !isBinary(got.buf)) out.push({ path: f.path, text: got.buf.toString('utf8') })
  }
  return out
}

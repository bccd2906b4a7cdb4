/**
 * Run workspaces: each run starts in a fresh copy of the task's template folder (or an empty folder),
 * so runs never see each other's files; afterwards, what it created or changed is diffed against the
 * template.
 */
import { createHash } from 'node:crypto'
import { cp, lstat, mkdir, open, readdir, readFile, readlink, realpath } from 'node:fs/promises'
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { createTwoFilesPatch } from 'diff'
import type { OutputFile } from '../../shared/runs'
import { isInside } from '../app/guards'

const SKIP = new Set(['.git', 'node_modules', '.DS_Store'])
const MAX_FILES = 5000
const DIFF_MAX_BYTES = 256 * 1024

/** The name of a verification run's folder in workspaces/<batch>/: never its deck number (a blind deck's runs). */
export const blindFolderName = (sessionId: string) => `blind-${sessionId.slice(0, 8)}`
/** A folder name made by blindFolderName: its session's first 8 characters. */
export const blindFolderSession = (name: string) => /^blind-([0-9a-f]{8})$/.exec(name)?.[1]

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
  hash: string
}

/** Regular files under a folder (links not followed), by relative path. */
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
        const buf = await readFile(full)
        out.set(relative(root, full).split(sep).join('/'), { bytes: buf.length, hash: createHash('sha1').update(buf).digest('hex') })
      }
    }
  }
  const st = await lstat(root).catch(() => null)
  if (st?.isDirectory()) await walk(root)
  return out
}

/** Files the run added, modified or deleted relative to the template, with text diffs. */
export async function diffWorkspace(workspace: string, templateDir?: string): Promise<OutputFile[]> {
  const after = await listFiles(workspace)
  const before = templateDir ? await listFiles(templateDir) : new Map<string, Entry>()
  const out: OutputFile[] = []
  const read = (root: string | undefined, path: string) =>
    root ? readFile(join(root, path)).catch(() => Buffer.alloc(0)) : Promise.resolve(Buffer.alloc(0))
  for (const [path, e] of after) {
    const b = before.get(path)
    if (b && b.hash === e.hash) continue
    const [oldBuf, newBuf] = await Promise.all([read(templateDir, path), read(workspace, path)])
    const binary = isBinary(newBuf) || isBinary(oldBuf)
    const diff =
      !binary && oldBuf.length + newBuf.length <= DIFF_MAX_BYTES
        ? createTwoFilesPatch(`a/${path}`, `b/${path}`, oldBuf.toString('utf8'), newBuf.toString('utf8'))
        : undefined
    out.push({ path, status: b ? 'modified' : 'added', bytes: e.bytes, diff, binary })
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
}

/** Whether a buffer looks like binary data (a NUL byte in its first 8 KB). */
export const isBinary = (buf: Buffer) => buf.subarray(0, 8000).includes(0)

/** A path inside a run's folder as recorded (`a/b.html`): never absolute, never `..`. */
export const isInsidePath = (p: string) =>
  !!p && !p.startsWith('/') && !/^[a-zA-Z]:/.test(p) && !p.includes('\\') && !p.split('/').some((s) => s === '..' || s === '')

/**
 * Reads a regular file inside `root` (links not followed) up to `limit` bytes; null when it is not
 * there, not a regular file, or the path is not inside.
 */
export async function readInsideFile(root: string | undefined, path: string, limit: number): Promise<{ buf: Buffer; size: number } | null> {
  if (!root || !isInsidePath(path)) return null
  const full = join(root, ...path.split('/'))
  const st = await lstat(full).catch(() => null)
  if (!st?.isFile()) return null
  // no folder on the way may be a link out of the run's folder (a run's files are untrusted)
  const [realRoot, realFull] = await Promise.all([realpath(root).catch(() => null), realpath(full).catch(() => null)])
  if (!realRoot || !realFull || !isInside(realFull, realRoot)) return null
  const fh = await open(full, 'r')
  try {
    const len = Math.min(st.size, limit)
    const buf = Buffer.alloc(len)
    const { bytesRead } = await fh.read(buf, 0, len, 0)
    return { buf: buf.subarray(0, bytesRead), size: st.size }
  } finally {
    await fh.close()
  }
}

/** A file's bytes in a workspace, whole (readInsideFile); null when it is not there. */
async function readInside(root: string | undefined, path: string): Promise<Buffer | null> {
  return (await readInsideFile(root, path, Number.POSITIVE_INFINITY))?.buf ?? null
}

/** The files two runs produced, side by side: for each path either touched, run A's version diffed against run B's. */
export async function diffRunOutputs(
  a: { workspace?: string; files: OutputFile[] },
  b: { workspace?: string; files: OutputFile[] }
): Promise<FilePairDiff[]> {
  const paths = [...new Set([...a.files.map((f) => f.path), ...b.files.map((f) => f.path)])].sort()
  return Promise.all(
    paths.map(async (path) => {
      const fa = a.files.find((f) => f.path === path)
      const fb = b.files.find((f) => f.path === path)
      const [ba, bb] = await Promise.all([
        fa?.status === 'deleted' ? null : readInside(a.workspace, path),
        fb?.status === 'deleted' ? null : readInside(b.workspace, path)
      ])
      const bufA = ba ?? Buffer.alloc(0)
      const bufB = bb ?? Buffer.alloc(0)
      const binary = isBinary(bufA) || isBinary(bufB)
      const same = ba !== null && bb !== null && bufA.equals(bufB)
      const diff =
        !binary && !same && bufA.length + bufB.length <= DIFF_MAX_BYTES
          ? createTwoFilesPatch(`run A/${path}`, `run B/${path}`, bufA.toString('utf8'), bufB.toString('utf8'), undefined, undefined, {
              context: 3
            })
          : undefined
      return { path, a: fa?.status ?? null, b: fb?.status ?? null, same, binary, diff }
    })
  )
}

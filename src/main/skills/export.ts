/**
 * Writes a skill (SKILL.md, references, analyst agents) into a project folder the user picked.
 *
 * Plain Node, no Electron. The skill and agent names come from model output, so every path is
 * checked: no '..', no separators inside a name, nothing absolute, everything inside the real path
 * of the target folder, and no symbolic link anywhere on the way (links are refused, never
 * followed). All checks run for all files before anything is written. Nothing is cached: every
 * call reads the disk afresh.
 */
import { randomBytes } from 'node:crypto'
import { constants } from 'node:fs'
import { chmod, lstat, mkdir, open, realpath, rename, rm, rmdir, stat, unlink } from 'node:fs/promises'
import { basename, dirname, isAbsolute, join, resolve, win32 } from 'node:path'
import { createTwoFilesPatch } from 'diff'
import { fail } from '../../shared/contract'
import { isInside } from '../base/paths'

export interface ExportFile {
  /** relative to the target folder, '/'-separated, e.g. ".claude/skills/landing-page/SKILL.md" */
  path: string
  content: string
  /** the file's permission bits (0o755: a script with its run bit); absent: a new file's default, an existing one's own */
  mode?: number
}

export interface PlannedFile {
  path: string
  bytes: number
  status: 'new' | 'same' | 'changed'
  /** unified diff existing -> new, for 'changed' text files under 512 KiB */
  diff?: string
}

export interface ExportPlan {
  /** the real path of the target folder (symbolic links in the folder's own path resolved once) */
  folder: string
  files: PlannedFile[]
}

export interface ExportResult {
  folder: string
  /** relative paths written (new or changed) */
  written: string[]
  /** relative paths left alone because their bytes were already identical */
  unchanged: string[]
  /** path: relative path in the target; backup: absolute path of the copy of the old content */
  backups: { path: string; backup: string }[]
}

const DIFF_MAX_BYTES = 512 * 1024
/** A script's permission bits: its run bit set. */
export const SCRIPT_MODE = 0o755
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0

/**
 * The files of a skill's folder and the agents, as an export writes them. `edgeCasesMd`: the one
 * references/edge-cases.md (older callers); `references`: each references/<name>.md (by topic). Every
 * name is checked as one file name (a topic named "../x" is refused), and no path is given twice.
 */
export function skillFiles(input: {
  name: string
  skillMd: string
  edgeCasesMd?: string
  references?: { name: string; content: string }[]
  agents: { name: string; content: string }[]
  /** scripts/<name>, written with their run bit (the ones the person included) */
  scripts?: { name: string; content: string }[]
}): ExportFile[] {
  checkName(input.name, 'skill name')
  for (const a of input.agents) checkName(a.name, 'agent name')
  for (const r of input.references ?? []) checkName(r.name, 'reference name')
  for (const s of input.scripts ?? []) checkName(s.name, 'script name')
  const base = `.claude/skills/${input.name}`
  const out: ExportFile[] = [{ path: `${base}/SKILL.md`, content: input.skillMd }]
  if (input.edgeCasesMd && input.edgeCasesMd.trim() !== '')
    out.push({ path: `${base}/references/edge-cases.md`, content: input.edgeCasesMd })
  for (const r of input.references ?? [])
    if (r.content.trim() !== '') out.push({ path: `${base}/references/${r.name}.md`, content: r.content })
  for (const s of input.scripts ?? []) out.push({ path: `${base}/scripts/${s.name}`, content: s.content, mode: SCRIPT_MODE })
  for (const a of input.agents) out.push({ path: `.claude/agents/${a.name}.md`, content: a.content })
  const seen = new Set<string>()
  for (const f of out) {
    if (seen.has(f.path)) throw fail(`the skill would write ${f.path} twice`, 'invalid')
    seen.add(f.path)
  }
  return out
}

/** Throws when `name` cannot safely be used as one file or folder name. */
export function checkName(name: string, what: string): void {
  const shown = typeof name === 'string' ? JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}...` : name) : String(name)
  const bad = (why: string): never => {
    throw fail(`invalid ${what}: ${shown} ${why}`, 'invalid')
  }
  if (typeof name !== 'string' || name === '') bad('is empty')
  if (name === '.' || name === '..') bad('is not allowed')
  if (name.includes('\0')) bad('contains a NUL character')
  if (/[\x00-\x1f\x7f]/.test(name)) bad('contains a control character')
  if (isAbsolute(name) || win32.isAbsolute(name) || /^[A-Za-z]:/.test(name)) bad('is an absolute path')
  if (name.split(/[\\/]/).includes('..')) bad("contains '..' as a path segment")
  if (name.includes('/') || name.includes('\\')) bad('contains a path separator')
}

export async function planExport(folder: string, files: ExportFile[]): Promise<ExportPlan> {
  const { root, entries } = await analyze(folder, files)
  return { folder: root, files: entries.map((e) => e.planned) }
}

export async function writeExport(
  folder: string,
  files: ExportFile[],
  opts: { backupDir: string; now?: () => Date }
): Promise<ExportResult> {
  // 1. every check for every file; nothing is written if one fails
  const { root, entries } = await analyze(folder, files)
  if (typeof opts.backupDir !== 'string' || !isAbsolute(opts.backupDir))
    throw fail(`backup folder must be an absolute path: ${opts.backupDir}`, 'invalid')
  const stamp = timestamp((opts.now ?? (() => new Date()))())
  const result: ExportResult = { folder: root, written: [], unchanged: [], backups: [] }
  let backupRoot: string | undefined

  // 2. write, re-checking each path right before touching it
  for (const e of entries) {
    const dir = await ensureDirs(root, e.rel, e.segs)
    const target = join(dir, e.segs[e.segs.length - 1])
    const existing = await readExisting(root, e.rel, e.segs)
    if (existing && existing.buf.equals(e.buf) && sameMode(existing.mode, e.mode)) {
      result.unchanged.push(e.rel)
      continue
    }
    if (existing) {
      backupRoot ??= await makeBackupRoot(opts.backupDir, stamp)
      const backup = join(backupRoot, ...e.segs)
      await mkdir(dirname(backup), { recursive: true })
      const fh = await open(backup, 'wx', 0o600)
      try {
        await fh.writeFile(existing.buf)
        await fh.sync()
      } finally {
        await fh.close()
      }
      result.backups.push({ path: e.rel, backup })
    }
    await atomicWrite(target, e.buf, e.mode ?? existing?.mode)
    result.written.push(e.rel)
  }
  return result
}

/**
 * Writes files inside a folder with every check an export makes (no '..', nothing outside, no symbolic
 * link on any segment, a link swapped in refused), replacing what is there, without backups: verify's
 * installer, into a run's folder. Returns the relative paths written.
 */
export async function writeInside(folder: string, files: ExportFile[]): Promise<string[]> {
  const { root, entries } = await analyze(folder, files)
  for (const e of entries) {
    const dir = await ensureDirs(root, e.rel, e.segs)
    await atomicWrite(join(dir, e.segs[e.segs.length - 1]), e.buf, e.mode ?? (await readExisting(root, e.rel, e.segs))?.mode)
  }
  return entries.map((e) => e.rel)
}

/**
 * Removes `rel` inside `folder` (a file, a link itself, or a folder with all it holds) without going
 * through a symbolic link on the way: a link on a folder segment is refused, never followed (what it
 * points to stays as it was). False when there is nothing to remove.
 */
export async function removeInside(folder: string, rel: string): Promise<boolean> {
  const root = await resolveRoot(folder)
  const segs = checkPath(root, rel)
  let cur = root
  for (let i = 0; i < segs.length; i++) {
    cur = join(cur, segs[i])
    const st = await lstat(cur).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return null
      throw err
    })
    if (!st) return false
    const last = i === segs.length - 1
    if (!last && st.isSymbolicLink())
      throw fail(`refused: ${rel} goes through a symbolic link (${segs.slice(0, i + 1).join('/')})`, 'forbidden')
    if (!last && !st.isDirectory()) return false
    // the last segment: a link or a file goes itself; a folder with what it holds (rm never follows the links inside)
    if (last) await rm(cur, { recursive: st.isDirectory(), force: true })
  }
  return true
}

/** Removes the folder `rel` inside `folder` if it is a real, empty folder (no link followed); false otherwise. */
export async function removeEmptyDirInside(folder: string, rel: string): Promise<boolean> {
  const root = await resolveRoot(folder)
  const segs = checkPath(root, rel)
  let cur = root
  for (const seg of segs) {
    cur = join(cur, seg)
    // not there, not readable, a link or not a folder: nothing of ours to remove
    const st = await lstat(cur).catch(() => null)
    if (!st || st.isSymbolicLink() || !st.isDirectory()) return false
  }
  // tidying only: a folder not empty (the project's own files) or not removable stays, and the caller is told so (false)
  return rmdir(cur).then(
    () => true,
    () => false
  )
}

// ---------------------------------------------------------------------------------------------

interface Entry {
  rel: string
  segs: string[]
  buf: Buffer
  mode?: number
  planned: PlannedFile
}

/** Whether a file's mode is already the one wanted (none wanted: any). */
const sameMode = (have: number, want: number | undefined) => want === undefined || (have & 0o7777) === want

async function resolveRoot(folder: string): Promise<string> {
  if (typeof folder !== 'string' || folder === '' || !isAbsolute(folder))
    throw fail(`export folder must be an absolute path: ${folder}`, 'invalid')
  let st
  try {
    st = await stat(folder)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') throw fail(`export folder does not exist: ${folder}`, 'invalid', err)
    throw err
  }
  if (!st.isDirectory()) throw fail(`not a folder: ${folder}`, 'invalid')
  return realpath(folder)
}

/** Syntax checks of one relative path; returns its segments. */
function checkPath(root: string, rel: string): string[] {
  if (typeof rel !== 'string' || rel === '') throw fail('refused: empty file path', 'forbidden')
  if (isAbsolute(rel) || win32.isAbsolute(rel)) throw fail(`refused: ${JSON.stringify(rel)} is an absolute path`, 'forbidden')
  const segs = rel.split('/')
  for (const s of segs) checkName(s, `path ${JSON.stringify(rel)}: segment`)
  const abs = resolve(root, ...segs)
  if (abs === root || !isInside(abs, root)) throw fail(`refused: ${JSON.stringify(rel)} is outside the export folder`, 'forbidden')
  return segs
}

async function analyze(folder: string, files: ExportFile[]): Promise<{ root: string; entries: Entry[] }> {
  const root = await resolveRoot(folder)
  const seen = new Set<string>()
  const dirs = new Set<string>()
  const checked = files.map((f) => {
    const segs = checkPath(root, f.path)
    if (typeof f.content !== 'string') throw fail(`refused: ${f.path} has no text content`, 'forbidden')
    if (seen.has(f.path)) throw fail(`refused: ${f.path} is listed twice`, 'forbidden')
    seen.add(f.path)
    for (let i = 1; i < segs.length; i++) dirs.add(segs.slice(0, i).join('/'))
    return { f, segs }
  })
  for (const { f } of checked) if (dirs.has(f.path)) throw fail(`refused: ${f.path} is both a file and a folder`, 'forbidden')

  const entries: Entry[] = []
  for (const { f, segs } of checked) {
    const buf = Buffer.from(f.content, 'utf8')
    const existing = await readExisting(root, f.path, segs)
    const planned: PlannedFile = {
      path: f.path,
      bytes: buf.length,
      status: !existing ? 'new' : existing.buf.equals(buf) && sameMode(existing.mode, f.mode) ? 'same' : 'changed'
    }
    if (
      existing &&
      planned.status === 'changed' &&
      !isBinary(existing.buf) &&
      !isBinary(buf) &&
      existing.buf.length <= DIFF_MAX_BYTES &&
      buf.length <= DIFF_MAX_BYTES
    ) {
      planned.diff = createTwoFilesPatch(`a/${f.path}`, `b/${f.path}`, existing.buf.toString('utf8'), f.content)
    }
    if (f.mode !== undefined && (!Number.isInteger(f.mode) || f.mode < 0 || f.mode > 0o777))
      throw fail(`refused: ${f.path} has an invalid mode`, 'forbidden')
    entries.push({ rel: f.path, segs, buf, ...(f.mode !== undefined ? { mode: f.mode } : {}), planned })
  }
  return { root, entries }
}

/**
 * Walks the path from the root down with lstat. Refuses symbolic links anywhere and non-folders
 * where a folder is needed; returns the file's bytes and mode, or null when it does not exist.
 */
async function readExisting(root: string, rel: string, segs: string[]): Promise<{ buf: Buffer; mode: number } | null> {
  let cur = root
  for (let i = 0; i < segs.length; i++) {
    cur = join(cur, segs[i])
    const last = i === segs.length - 1
    let st
    try {
      st = await lstat(cur)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw err
    }
    if (st.isSymbolicLink()) throw fail(`refused: ${rel} goes through a symbolic link`, 'forbidden')
    if (!last && !st.isDirectory())
      throw fail(`refused: ${rel} needs ${segs.slice(0, i + 1).join('/')} to be a folder, and it is not`, 'forbidden')
    if (last && !st.isFile()) throw fail(`refused: ${rel} exists and is not a regular file`, 'forbidden')
  }
  // O_NOFOLLOW: a link swapped in after the lstat is refused, not followed
  let fh
  try {
    fh = await open(cur, constants.O_RDONLY | O_NOFOLLOW)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ELOOP' || code === 'EMLINK') throw fail(`refused: ${rel} goes through a symbolic link`, 'forbidden', err)
    if (code === 'ENOENT') return null
    throw err
  }
  try {
    const st = await fh.stat()
    if (!st.isFile()) throw fail(`refused: ${rel} exists and is not a regular file`, 'forbidden')
    return { buf: await fh.readFile(), mode: st.mode }
  } finally {
    await fh.close()
  }
}

/** Creates the missing folders of `segs` (all but the last) one by one, re-checking each with lstat. */
async function ensureDirs(root: string, rel: string, segs: string[]): Promise<string> {
  let cur = root
  for (let i = 0; i < segs.length - 1; i++) {
    cur = join(cur, segs[i])
    let st = await lstat(cur).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null
      throw err
    })
    if (!st) {
      await mkdir(cur).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err
      })
      st = await lstat(cur)
    }
    if (st.isSymbolicLink()) throw fail(`refused: ${rel} goes through a symbolic link`, 'forbidden')
    if (!st.isDirectory()) throw fail(`refused: ${rel} needs ${segs.slice(0, i + 1).join('/')} to be a folder, and it is not`, 'forbidden')
  }
  if (!isInside(cur, root)) throw fail(`refused: ${JSON.stringify(rel)} is outside the export folder`, 'forbidden')
  return cur
}

/** Temp file in the same folder (created exclusively, never through a link), then rename over the target. */
async function atomicWrite(target: string, buf: Buffer, mode?: number): Promise<void> {
  const tmp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`)
  const fh = await open(tmp, 'wx', 0o666)
  try {
    try {
      await fh.writeFile(buf)
      await fh.sync()
    } finally {
      await fh.close()
    }
    if (mode !== undefined) await chmod(tmp, mode & 0o7777)
    await rename(tmp, target)
  } catch (err) {
    // the write's own failure is what is thrown; a hidden .tmp file left beside the target is never read as it
    await unlink(tmp).catch(() => undefined)
    throw err
  }
}

async function makeBackupRoot(backupDir: string, stamp: string): Promise<string> {
  await mkdir(backupDir, { recursive: true })
  for (let n = 1; ; n++) {
    const dir = join(backupDir, n === 1 ? stamp : `${stamp}-${n}`)
    try {
      await mkdir(dir)
      return dir
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || n >= 1000) throw err
    }
  }
}

/** 2026-11-24T10:15:30.123Z -> 2026-11-24T10-15-30-123Z */
function timestamp(d: Date): string {
  return d.toISOString().replace(/[:.]/g, '-')
}

function isBinary(buf: Buffer): boolean {
  return buf.includes(0)
}

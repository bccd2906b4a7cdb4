/**
 * The evidence of one run as the analysts see it: what the person graded (the feedback, the run's
 * final files, its screenshots) and what the agent did (its trace, sub-agents included). Loaded once
 * per analysis from the run's record, its session and its folder. Electron-free.
 */
import { chmod, lstat, open, readdir, realpath, rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Run } from '../../shared/runs'
import { isInside } from '../app/guards'
import type { RunForAnalysis } from './condense'

/** A file the run created, changed or deleted, with its final content when it is text. */
export interface OutputEvidence {
  /** path inside the run's folder, with `/` */
  path: string
  status: 'added' | 'modified' | 'deleted'
  bytes: number
  binary: boolean
  /** the final text (up to OUTPUT_READ_LIMIT bytes; `truncated` when the file is longer); absent for binaries and deleted files */
  text?: string
  truncated?: boolean
}

/** A screenshot the person saw (a PNG in the app's data folder). */
export interface ShotEvidence {
  label: 'desktop' | 'mobile'
  /** absolute path of the PNG */
  file: string
  width: number
  height: number
  /** the HTML file it shows (path inside the run's folder) */
  html: string
}

export interface RunEvidence extends RunForAnalysis {
  /** the run's folder (its final files), when it still exists */
  workspace?: string
  outputs: OutputEvidence[]
  shots: ShotEvidence[]
}

/** Bytes of one output file read for the analysts (the rest is left out and said so). */
export const OUTPUT_READ_LIMIT = 512 * 1024

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

/** The files a run left, with their final text, read from its folder. */
export async function loadOutputs(run: Pick<Run, 'workspace' | 'files'>): Promise<OutputEvidence[]> {
  return Promise.all(
    (run.files ?? []).map(async (f): Promise<OutputEvidence> => {
      const base = { path: f.path, status: f.status, bytes: f.bytes, binary: f.binary }
      if (f.status === 'deleted' || f.binary) return base
      const read = await readInsideFile(run.workspace, f.path, OUTPUT_READ_LIMIT).catch(() => null)
      if (!read) return base
      if (isBinary(read.buf)) return { ...base, binary: true }
      return { ...base, bytes: read.size, text: read.buf.toString('utf8'), ...(read.size > read.buf.length ? { truncated: true } : {}) }
    })
  )
}

/** The run's screenshots that exist, with their real PNG size (a failed or missing shot is left out). */
export async function loadShots(run: Pick<Run, 'screenshots'>, shotsDir?: string): Promise<ShotEvidence[]> {
  const out: ShotEvidence[] = []
  for (const set of run.screenshots ?? [])
    for (const s of set.shots) {
      if (!s.file || s.error) continue
      // only files of the run's own screenshots folder, when it is known
      if (shotsDir && !isInside(resolve(s.file), shotsDir)) continue
      const head = await readHead(s.file, 32).catch(() => null)
      if (!head || head.length < 24 || head.readUInt32BE(0) !== 0x89504e47) continue
      out.push({ label: s.label, file: s.file, width: head.readUInt32BE(16), height: head.readUInt32BE(20), html: set.html })
    }
  return out
}

async function readHead(file: string, bytes: number): Promise<Buffer> {
  const fh = await open(file, 'r')
  try {
    const buf = Buffer.alloc(bytes)
    const { bytesRead } = await fh.read(buf, 0, bytes, 0)
    return buf.subarray(0, bytesRead)
  } finally {
    await fh.close()
  }
}

/** Removes an evidence folder made read-only (folder.ts): its folders are made writable again first, so this works without root too. */
export async function removeEvidenceFolder(dir: string): Promise<void> {
  const walk = async (d: string) => {
    await chmod(d, 0o755).catch(() => {})
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) if (e.isDirectory()) await walk(join(d, e.name))
  }
  await walk(dir)
  await rm(dir, { recursive: true, force: true })
}

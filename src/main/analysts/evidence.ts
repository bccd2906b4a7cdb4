/**
 * The evidence of one run as the analysts see it: what the person graded (the feedback, the run's
 * final files, its screenshots) and what the agent did (its trace, sub-agents included). Loaded once
 * per analysis from the run's record, its session and its folder. Electron-free.
 */
import { chmod, lstat, open, readdir, rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Run } from '../../shared/runs'
import { isInside } from '../base/paths'
import { pngSize } from '../runs/screenshots'
import { isBinary, readInsideFile } from '../base/workspace'
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

/** The files a run left, with their final text, read from its folder. */
export async function loadOutputs(run: Pick<Run, 'workspace' | 'files'>): Promise<OutputEvidence[]> {
  return Promise.all(
    (run.files ?? []).map(async (f): Promise<OutputEvidence> => {
      const base = { path: f.path, status: f.status, bytes: f.bytes, binary: f.binary }
      if (f.status === 'deleted' || f.binary) return base
      // gone, or refused (a link, outside the run's folder): the analysts read it as not readable
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
      // its real size, from the PNG's header (a missing file or not a PNG is left out)
      const size = await readHead(s.file, 32)
        .then(pngSize)
        .catch(() => null)
      if (size) out.push({ label: s.label, file: s.file, ...size, html: set.html })
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

/**
 * Removes an evidence folder made read-only (folder.ts): its folders are made writable again first
 * (u+w), so this works without root too. Only real folders are walked and changed: a symbolic link
 * (at the top or inside) is removed as a link, never followed.
 */
export async function removeEvidenceFolder(dir: string): Promise<void> {
  // no folder: nothing to remove
  const top = await lstat(dir).catch(() => null)
  if (!top) return
  if (top.isDirectory()) {
    // a folder that cannot be made writable or listed makes the rm below fail, and that is thrown
    const walk = async (d: string) => {
      await chmod(d, 0o700).catch(() => {})
      for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) if (e.isDirectory()) await walk(join(d, e.name))
    }
    await walk(dir)
  }
  await rm(dir, { recursive: true, force: true })
}

/**
 * Removes every evidence folder under `root` (`<dataDir>/evidence`) but those of the analyses `keep`
 * says are live: what an analysis stopped in the middle (the app killed) or since deleted left behind.
 * One that cannot be removed goes to `onError` (the next start tries again).
 */
export async function removeStrayEvidence(
  root: string,
  keep: (analysisId: string) => boolean = () => false,
  onError: (analysisId: string, err: unknown) => void = () => {}
): Promise<void> {
  // no evidence folder yet: nothing was left behind
  for (const name of await readdir(root).catch(() => [] as string[]))
    if (!keep(name)) await removeEvidenceFolder(join(root, name)).catch((e) => onError(name, e))
}

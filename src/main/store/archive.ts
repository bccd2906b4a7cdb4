/**
 * Archive: Claude Code deletes old sessions on its own (30 days by default), so a session the user
 * pins or uses in later steps gets a compressed copy in the store and stays readable after the
 * original is gone. Sub-agent transcripts (`<session-id>/subagents/*`) are archived with it.
 */
import { randomUUID } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { lstat, mkdir, readdir, rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join, relative } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGunzip, createGzip } from 'node:zlib'
import { isSessionId } from '../../shared/trace'
import { MAX_META, openRegular } from '../base/safe-file'
import type { ArchiveEntry, Store } from './store'

/** A session id is one file name (never a path): the archive uses it as a folder name. */
function assertSafeId(sessionId: string): void {
  if (!isSessionId(sessionId)) throw new Error(`not a session id: ${JSON.stringify(String(sessionId).slice(0, 80))}`)
}

/** Another trace2skill process may unpack the same archive at once: never share a temp name. */
const uniqueTmp = (dest: string) => `${dest}.${process.pid}-${randomUUID().slice(0, 8)}.tmp`

/** A failed copy (a full disk) leaves no half-written temp file behind. */
const cleanUp = (tmp: string) => async (err: unknown) => {
  await rm(tmp, { force: true })
  throw err
}

/** Copies a regular file compressed; a link, a FIFO or a device is refused (safe-file.ts), never read. */
async function gzipTo(src: string, dest: string): Promise<number> {
  const { fh, size } = await openRegular(src)
  const tmp = uniqueTmp(dest)
  try {
    await mkdir(dirname(dest), { recursive: true })
    // the bytes it had when opened: a file that keeps growing is not followed for ever
    const input = size > 0 ? fh.createReadStream({ start: 0, end: size - 1, autoClose: false }) : Readable.from([])
    await pipeline(input, createGzip({ level: 6 }), createWriteStream(tmp)).catch(cleanUp(tmp))
  } finally {
    // a file only read: closing it cannot lose anything
    await fh.close().catch(() => {})
  }
  await rename(tmp, dest)
  return (await stat(dest)).size
}

async function gunzipTo(src: string, dest: string): Promise<void> {
  await mkdir(dirname(dest), { recursive: true })
  const tmp = uniqueTmp(dest)
  await pipeline(createReadStream(src), createGunzip(), createWriteStream(tmp)).catch(cleanUp(tmp))
  await rename(tmp, dest)
}

/**
 * Files of a session's sub-agent folder, if any: what the parser reads of it (regular files only, no
 * link, no meta.json larger than it reads).
 */
export async function subagentFiles(sessionFile: string, sessionId: string): Promise<string[]> {
  const dir = join(dirname(sessionFile), sessionId, 'subagents')
  try {
    const out: string[] = []
    for (const e of await readdir(dir, { withFileTypes: true })) {
      if (!e.isFile() || !(e.name.endsWith('.jsonl') || e.name.endsWith('.json'))) continue
      if (e.name.endsWith('.json') && ((await lstat(join(dir, e.name)).catch(() => null))?.size ?? Infinity) > MAX_META) continue
      out.push(join(dir, e.name))
    }
    return out.sort()
  } catch {
    // no sub-agent folder (most sessions), or one that cannot be listed: the session is archived without them
    return []
  }
}

/**
 * Archive (or refresh) a session. A no-op when the archive is already up to date with the original.
 */
export async function archiveSession(
  store: Store,
  s: { sessionId: string; projectId: string; file: string; cwd?: string }
): Promise<ArchiveEntry> {
  assertSafeId(s.sessionId)
  const src = await stat(s.file)
  const existing = store.sessions.archive(s.sessionId)
  if (existing && existing.sourceSize === src.size && existing.sourceMtimeMs === src.mtimeMs) return existing
  const base = join('archive', s.sessionId)
  const file = join(base, `${s.sessionId}.jsonl.gz`)
  let bytes = await gzipTo(s.file, join(store.dataDir, file))
  const subagents: ArchiveEntry['subagents'] = []
  for (const sub of await subagentFiles(s.file, s.sessionId)) {
    const name = basename(sub)
    const dest = join(base, 'subagents', `${name}.gz`)
    // one that changed into something else since it was listed is left out, not the whole archive
    const got = await gzipTo(sub, join(store.dataDir, dest)).catch(() => null)
    if (got === null) continue
    bytes += got
    subagents.push({ name, file: dest })
  }
  const entry: ArchiveEntry = {
    sessionId: s.sessionId,
    projectId: s.projectId,
    originalFile: s.file,
    cwd: s.cwd,
    file,
    subagents,
    bytes,
    sourceSize: src.size,
    sourceMtimeMs: src.mtimeMs,
    archivedAt: new Date().toISOString()
  }
  await store.sessions.putArchive(entry)
  return entry
}

/**
 * Unpack an archived session into the data dir's cache, laid out as Claude Code lays it out
 * (`<id>.jsonl` + `<id>/subagents/*`), so the ordinary parser reads it. Returns the session file path.
 */
export async function materializeArchive(store: Store, sessionId: string): Promise<string> {
  assertSafeId(sessionId)
  const entry = store.sessions.archive(sessionId)
  if (!entry) throw new Error(`session ${sessionId} is not archived`)
  const dir = join(store.dataDir, 'cache', 'archive', sessionId)
  const file = join(dir, `${sessionId}.jsonl`)
  const ok = await stat(file).then(
    (st) => st.size === entry.sourceSize,
    () => false
  )
  if (ok) return file
  await rm(dir, { recursive: true, force: true })
  await gunzipTo(join(store.dataDir, entry.file), file)
  for (const sub of entry.subagents) {
    const name = basename(sub.name)
    await gunzipTo(join(store.dataDir, sub.file), join(dir, sessionId, 'subagents', name))
  }
  return file
}

export async function removeArchive(store: Store, sessionId: string): Promise<void> {
  assertSafeId(sessionId)
  if (!store.sessions.archive(sessionId)) return
  await store.sessions.deleteArchive(sessionId)
  const dir = join(store.dataDir, 'archive', sessionId)
  if (!relative(store.dataDir, dir).startsWith('..')) await rm(dir, { recursive: true, force: true })
  await rm(join(store.dataDir, 'cache', 'archive', sessionId), { recursive: true, force: true })
}

/**
 * A streaming JSONL line reader that reports byte offsets (readline cannot), reads files of any size
 * with one reused buffer, and copes with lines of tens of MB. Never throws on a file. Only regular
 * files are read (safe-file.ts: no link followed, no FIFO waited on), and a line longer than
 * MAX_LINE is skipped in a stream, never held: it is reported through `onLongLine`.
 */
import { closeSync, readSync } from 'node:fs'
import { openRegular, openRegularSync, UnreadableFile } from '../base/safe-file'

const CHUNK = 1 << 20
const WHOLE = 64 << 20
/** The longest line read (a session's line holds its images as base64: tens of MB is usual). */
export const MAX_LINE = 256 << 20
/** MAX_LINE in words, for warnings. */
export const MAX_LINE_SHOWN = `${MAX_LINE / 2 ** 20} MiB`
/** A buffer to reuse for the next file (taken while a read runs, so concurrent reads never share it). */
let spare: Buffer | null = null

export interface LineReadResult {
  /** offset just past the last complete line (where an incremental read resumes) */
  endOffset: number
  /** bytes read */
  bytes: number
  /** complete lines seen (empty lines included in numbering, not reported) */
  lines: number
  /** a final line without a newline: maybe a session still being written */
  partialTail?: { offset: number; length: number; lineNo: number }
  /** the same, longer than the longest line read (reported through onLongLine, not counted in `lines`) */
  longTail?: { offset: number; length: number; lineNo: number }
  error?: string
}

export interface ReadOptions {
  /** byte offset to start at (must be the start of a line) */
  start?: number
  /** line number of the first line read (1-based); defaults to 1 */
  firstLineNo?: number
  /**
   * Called for each complete, non-empty line. `buf` is only valid during the call; the line is
   * `buf[offset, offset + length)`, without its newline (and without a CR before it).
   * `fileOffset` is the line's byte offset in the file.
   */
  onLine(buf: Buffer, offset: number, length: number, lineNo: number, fileOffset: number): void
  /** also deliver the partial tail through onLine (after reporting it) */
  includePartialTail?: boolean
  /**
   * Called for each line longer than `maxLine` bytes instead of onLine: it was skipped, not read.
   * `complete` is false for a last line without a newline (see `longTail`).
   */
  onLongLine?(lineNo: number, fileOffset: number, length: number, complete: boolean): void
  /** the longest line delivered (MAX_LINE unless set) */
  maxLine?: number
  /** blocking reads: for worker threads, where waiting on the shared I/O pool only adds latency */
  sync?: boolean
}

/** The few file operations the reader needs, blocking or not. */
interface Handle {
  read(buf: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }> | { bytesRead: number }
  size(): Promise<number> | number
  close(): Promise<void> | void
}

async function openHandle(file: string, sync: boolean): Promise<Handle> {
  if (sync) {
    const { fd, size } = openRegularSync(file)
    return {
      read: (buf, offset, length, position) => ({ bytesRead: readSync(fd, buf, offset, length, position) }),
      size: () => size,
      close: () => closeSync(fd)
    }
  }
  const { fh, size } = await openRegular(file)
  return {
    read: (buf, offset, length, position) => fh.read(buf, offset, length, position),
    size: () => size,
    close: () => fh.close()
  }
}

/** Why a file could not be read: the system's code (ENOENT), or what it is (a FIFO, a link). */
const whyNot = (err: unknown) =>
  err instanceof UnreadableFile && err.code !== 'EISDIR' ? err.message : ((err as NodeJS.ErrnoException).code ?? (err as Error).message)

export async function readJsonlLines(file: string, opts: ReadOptions): Promise<LineReadResult> {
  const start = opts.start ?? 0
  let lineNo = (opts.firstLineNo ?? 1) - 1
  let fh: Handle
  try {
    fh = await openHandle(file, !!opts.sync)
  } catch (err) {
    return { endOffset: start, bytes: 0, lines: 0, error: whyNot(err) }
  }
  const maxLine = Math.max(1, opts.maxLine ?? MAX_LINE)
  // Files up to WHOLE bytes are read in one call (most sessions); larger ones in 1 MiB chunks.
  let size = 0
  try {
    size = await fh.size()
  } catch {
    /* read in chunks until EOF */
  }
  const remaining = Math.max(0, size - start)
  const want = remaining > 0 && remaining <= WHOLE ? remaining + 1 : CHUNK
  // Fresh memory costs a page fault per 4 KiB on first touch; a free shared buffer does not.
  const lease = spare && spare.length >= want ? spare : null
  if (lease) spare = null
  let buf = lease ?? Buffer.allocUnsafe(want)
  let filled = 0 // bytes of buf holding data
  let bufFileOffset = start // file offset of buf[0]
  let pos = start
  let bytes = 0
  let lines = 0
  /** a line over maxLine being skipped: where it starts and how many of its bytes went by */
  let long: { offset: number; length: number } | null = null
  try {
    for (;;) {
      if (filled === buf.length) {
        if (filled > maxLine) {
          // A line longer than any read: let its bytes go by until its newline, holding none.
          long = { offset: bufFileOffset, length: filled }
          bufFileOffset += filled
          filled = 0
        } else {
          // A line longer than the buffer: grow it (up to the longest line read).
          const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, maxLine + 1))
          buf.copy(bigger, 0, 0, filled)
          buf = bigger
        }
      }
      const { bytesRead } = await fh.read(buf, filled, buf.length - filled, pos)
      if (bytesRead === 0) break
      pos += bytesRead
      bytes += bytesRead
      const scanFrom = filled
      filled += bytesRead
      let lineStart = 0
      let nl = buf.indexOf(10, scanFrom)
      if (long) {
        if (nl === -1 || nl >= filled) {
          long.length += filled
          bufFileOffset += filled
          filled = 0
          continue
        }
        lineNo++
        lines++
        const length = long.length + (nl > 0 && buf[nl - 1] === 13 ? nl - 1 : nl)
        opts.onLongLine?.(lineNo, long.offset, length, true)
        long = null
        lineStart = nl + 1
        nl = buf.indexOf(10, lineStart)
      }
      while (nl !== -1 && nl < filled) {
        lineNo++
        lines++
        let end = nl
        if (end > lineStart && buf[end - 1] === 13) end--
        if (end - lineStart > maxLine) opts.onLongLine?.(lineNo, bufFileOffset + lineStart, end - lineStart, true)
        else if (end > lineStart) opts.onLine(buf, lineStart, end - lineStart, lineNo, bufFileOffset + lineStart)
        lineStart = nl + 1
        nl = buf.indexOf(10, lineStart)
      }
      if (lineStart > 0) {
        buf.copy(buf, 0, lineStart, filled)
        filled -= lineStart
        bufFileOffset += lineStart
      }
    }
    if (long) {
      // an unterminated last line over the limit: reported, and a later read resumes before it
      const longTail = { offset: long.offset, length: long.length + filled, lineNo: lineNo + 1 }
      opts.onLongLine?.(longTail.lineNo, longTail.offset, longTail.length, false)
      return { endOffset: long.offset, bytes, lines, longTail }
    }
    const result: LineReadResult = { endOffset: bufFileOffset, bytes, lines }
    if (filled > maxLine) {
      const longTail = { offset: bufFileOffset, length: filled, lineNo: lineNo + 1 }
      opts.onLongLine?.(longTail.lineNo, longTail.offset, longTail.length, false)
      return { ...result, longTail }
    }
    if (filled > 0) {
      result.partialTail = { offset: bufFileOffset, length: filled, lineNo: lineNo + 1 }
      if (opts.includePartialTail) opts.onLine(buf, 0, filled, lineNo + 1, bufFileOffset)
    }
    return result
  } catch (err) {
    return { endOffset: bufFileOffset, bytes, lines, error: whyNot(err) }
  } finally {
    if (buf.length <= WHOLE && (!spare || spare.length < buf.length)) spare = buf
    try {
      await fh.close()
    } catch {
      /* closing a read handle cannot lose data */
    }
  }
}

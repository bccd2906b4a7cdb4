/**
 * Opening files that came from outside (a session folder someone copied, a run's folder) without
 * trusting their names: a symbolic link is not followed, a FIFO, a device or a socket is not read, and
 * the open itself never blocks (O_NONBLOCK: a FIFO with no writer would otherwise hold one of the few
 * threads Node reads files on for ever, and with it every later read of the process). Only regular
 * files come back; what is refused says why, in words a warning can show.
 */
import { closeSync, constants, fstatSync, openSync, type Stats } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'

/** The largest sub-agent meta.json read (they are a few hundred bytes). */
export const MAX_META = 1 << 20

/** Read-only, the last segment not followed if it is a link, never waiting on a FIFO. */
export const SAFE_READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK

/** What a file is when it is not a regular file, in words; null when it is one. */
export function notRegular(
  st: Pick<Stats, 'isFile' | 'isSymbolicLink' | 'isDirectory' | 'isFIFO' | 'isCharacterDevice' | 'isBlockDevice' | 'isSocket'>
): string | null {
  if (st.isFile()) return null
  if (st.isSymbolicLink()) return 'a symbolic link'
  if (st.isDirectory()) return 'a folder'
  if (st.isFIFO()) return 'not a regular file (a FIFO)'
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'not a regular file (a device)'
  if (st.isSocket()) return 'not a regular file (a socket)'
  return 'not a regular file'
}

/** The warning for a file skipped because of what it is (`notRegular`). */
export const skipped = (what: string) => (what === 'a symbolic link' ? 'a symbolic link: not followed' : `${what}: not read`)

/** A file refused because of what it is, or its size; `message` is the warning to show. */
export class UnreadableFile extends Error {
  constructor(
    readonly code: 'ELOOP' | 'EISDIR' | 'ENOTREG' | 'EFBIG',
    readonly what: string
  ) {
    super(code === 'EFBIG' ? `${what}: not read` : skipped(what))
  }
}

const refusal = (what: string) =>
  new UnreadableFile(what === 'a symbolic link' ? 'ELOOP' : what === 'a folder' ? 'EISDIR' : 'ENOTREG', what)

/** A link as the last segment makes O_NOFOLLOW fail with ELOOP (a socket: ENXIO). */
function openError(err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'ELOOP') return refusal('a symbolic link')
  if (code === 'ENXIO') return refusal('not a regular file (a socket)')
  return err
}

/** Open a regular file for reading (see the top of this file), or throw UnreadableFile or the system's error. */
export async function openRegular(file: string): Promise<{ fh: FileHandle; size: number }> {
  const fh = await open(file, SAFE_READ_FLAGS).catch((err) => {
    throw openError(err)
  })
  try {
    const st = await fh.stat()
    const what = notRegular(st)
    if (what) throw refusal(what)
    return { fh, size: st.size }
  } catch (err) {
    await fh.close().catch(() => {})
    throw err
  }
}

/** The same, blocking (worker threads). */
export function openRegularSync(file: string): { fd: number; size: number } {
  let fd: number
  try {
    fd = openSync(file, SAFE_READ_FLAGS)
  } catch (err) {
    throw openError(err)
  }
  try {
    const st = fstatSync(fd)
    const what = notRegular(st)
    if (what) throw refusal(what)
    return { fd, size: st.size }
  } catch (err) {
    closeSync(fd)
    throw err
  }
}

const mib = (n: number) => `${Math.round((n / 2 ** 20) * 10) / 10} MiB`

/** A small regular file whole (a sub-agent's meta.json): refused, not read, when larger than `limit` bytes. */
export async function readRegularFile(file: string, limit: number): Promise<Buffer> {
  const { fh, size } = await openRegular(file)
  try {
    if (size > limit) throw new UnreadableFile('EFBIG', `larger than ${mib(limit)} (${size} bytes)`)
    const buf = Buffer.alloc(size)
    let at = 0
    while (at < size) {
      const { bytesRead } = await fh.read(buf, at, size - at, at)
      if (!bytesRead) break
      at += bytesRead
    }
    return buf.subarray(0, at)
  } finally {
    await fh.close().catch(() => {})
  }
}

/**
 * One writer per data folder: a writer holds the folder's lock (./lock.ts) while it runs, and a second
 * writer is refused with a message naming the first; a read-only open takes no lock. Here too is the
 * context every document writes through: how a file is written, whether it may still be (the lock is
 * still held), and who hears of a failed write or of a notice found after start-up.
 */
import { mkdir } from 'node:fs/promises'
import { fail, type Notice } from '../../shared/contract'
import type { StoreContext } from './collection'
import { atomicWrite, type WriteFn } from './document'
import { lockDataDir, type DataDirLock } from './lock'

export interface Writer {
  readonly ctx: StoreContext
  /** the data folder's lock (none when read-only) */
  readonly lock: DataDirLock | null
  onWriteError(listener: (err: Error) => void): () => void
  onNotice(listener: (n: Notice) => void): () => void
}

/**
 * Take the data folder's lock (unless read-only) and make the context documents write through.
 * `notices` gets the notice of a takeover by another trace2skill, and every notice found later.
 */
export async function openWriter(
  dataDir: string,
  opts: { readOnly: boolean; owner?: string; writeFile?: WriteFn },
  notices: Notice[]
): Promise<Writer> {
  const { readOnly } = opts
  let lock: DataDirLock | null = null
  const writeErrorListeners = new Set<(err: Error) => void>()
  const noticeListeners = new Set<(n: Notice) => void>()
  if (!readOnly) {
    await mkdir(dataDir, { recursive: true })
    lock = await lockDataDir(
      dataDir,
      opts.owner ?? 'trace2skill',
      () => {
        notices.push({
          level: 'error',
          message: `Another trace2skill took over the data folder ${dataDir}; this one no longer saves anything. Restart it.`
        })
      },
      { writeFile: opts.writeFile }
    )
  }
  const ctx: StoreContext = {
    readOnly,
    writeFile: opts.writeFile ?? atomicWrite,
    canWrite: () =>
      lock && !lock.held ? fail(`not saved: another trace2skill took over the data folder ${dataDir}`, 'data-dir-busy') : null,
    onWriteError: (err) => writeErrorListeners.forEach((l) => l(err)),
    notify: (n) => {
      notices.push(n)
      noticeListeners.forEach((l) => l(n))
    }
  }
  return {
    ctx,
    lock,
    onWriteError(listener) {
      writeErrorListeners.add(listener)
      return () => void writeErrorListeners.delete(listener)
    },
    onNotice(listener) {
      noticeListeners.add(listener)
      return () => void noticeListeners.delete(listener)
    }
  }
}

/**
 * One writer per data folder. The process that changes the store (the desktop app, `trace2skill web`,
 * `run`, `analyze`, `export`) holds a lock on its data folder for as long as it runs; a second writer
 * is refused with a message naming the holder, so two processes never overwrite each other's saves.
 *
 * The lock is proper-lockfile's (an atomic mkdir, kept fresh while the holder lives, stale a few
 * seconds after it dies, released on exit). Beside it, a small owner file says who holds it.
 */
import { readFile, stat } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import lockfile from 'proper-lockfile'
import writeFileAtomic from 'write-file-atomic'
import { isAlive } from '../base/process'

export const LOCK_DIR = 'store.lock'
export const OWNER_FILE = 'store.lock-owner.json'
/** a holder that stopped refreshing its lock this long ago is gone (a crash, a kill -9) */
export const STALE_MS = 5000

export interface LockOwner {
  pid: number
  host: string
  /** what holds it, for people: "the desktop app", "`trace2skill web`" */
  what: string
  startedAt: string
}

export interface DataDirLock {
  readonly owner: LockOwner
  /** false once another process took the lock over (this one froze for longer than STALE_MS) */
  readonly held: boolean
  release(): Promise<void>
}

export class DataDirBusyError extends Error {
  readonly code = 'data-dir-busy'
  constructor(
    readonly dataDir: string,
    readonly holder: LockOwner | null
  ) {
    super(busyMessage(dataDir, holder))
  }
}

function busyMessage(dataDir: string, holder: LockOwner | null): string {
  const who = holder
    ? `${holder.what} (pid ${holder.pid}${holder.host !== hostname() ? ` on ${holder.host}` : ''}, since ${holder.startedAt.replace('T', ' ').slice(0, 19)})`
    : 'another trace2skill'
  return `The data folder ${dataDir} is in use by ${who}. One trace2skill at a time may change it: stop that one first, or use another folder (TRACE2SKILL_DATA_DIR=...).`
}

async function readOwner(dataDir: string): Promise<LockOwner | null> {
  try {
    const o = JSON.parse(await readFile(join(dataDir, OWNER_FILE), 'utf8'))
    return typeof o?.pid === 'number' && typeof o?.what === 'string' ? (o as LockOwner) : null
  } catch {
    return null
  }
}

/** A holder on this machine whose process is gone (a holder elsewhere, or unknown, is taken to be alive). */
const goneHere = (holder: LockOwner | null) => !!holder && holder.host === hostname() && !isAlive(holder.pid)

/**
 * Who holds the data folder: nobody (no lock), or its holder (null when it cannot be read) and whether
 * it is gone (its process on this machine has stopped, and its lock will go stale).
 */
export async function lockHolder(dataDir: string): Promise<{ held: false } | { held: true; holder: LockOwner | null; gone: boolean }> {
  if (!(await stat(join(dataDir, LOCK_DIR)).catch(() => null))) return { held: false }
  const holder = await readOwner(dataDir)
  return { held: true, holder, gone: goneHere(holder) }
}

/**
 * Take the data folder's lock, or throw DataDirBusyError. A holder on this machine whose process is
 * gone (it crashed moments ago) is waited out until its lock goes stale, rather than refused.
 */
export async function lockDataDir(
  dataDir: string,
  what: string,
  onLost?: (err: Error) => void,
  opts: { writeFile?: (file: string, text: string) => Promise<void> } = {}
): Promise<DataDirLock> {
  const owner: LockOwner = { pid: process.pid, host: hostname(), what, startedAt: new Date().toISOString() }
  let held = true
  const attempt = () =>
    lockfile.lock(dataDir, {
      lockfilePath: join(dataDir, LOCK_DIR),
      realpath: false,
      stale: STALE_MS,
      onCompromised: (err) => {
        held = false
        onLost?.(err)
      }
    })
  let release: () => Promise<void>
  for (let waited = 0; ; waited += 500) {
    try {
      release = await attempt()
      break
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err
      const holder = await readOwner(dataDir)
      const gone = holder?.pid !== process.pid && goneHere(holder)
      if (!gone || waited > STALE_MS * 2) throw new DataDirBusyError(dataDir, holder)
      await new Promise((r) => setTimeout(r, 500))
    }
  }
  try {
    await (opts.writeFile ?? writeFileAtomic)(join(dataDir, OWNER_FILE), JSON.stringify(owner))
  } catch (err) {
    // a start that fails here (a full disk) lets go at once: the next one is not told the folder is in use
    held = false
    // the error that matters is the one thrown; a lock that cannot be let go goes stale in STALE_MS
    await release().catch(() => {})
    throw err
  }
  return {
    owner,
    get held() {
      return held
    },
    async release() {
      if (!held) return
      held = false
      // already lost, or its folder gone: a lock not let go goes stale in STALE_MS, and the next start takes it
      await release().catch(() => {})
    }
  }
}

/**
 * Where the running app answers, for the command line. The app (the desktop app and `trace2skill
 * web`) holds its data folder's lock; so that the CLI's writing commands can still be used beside it,
 * the app serves the contract on 127.0.0.1 with a random token and writes where (its address, its
 * token, its pid) into the data folder, in a file only the user can read (0600), removed when it stops.
 * A CLI that finds the folder held by a live app reads it and becomes the app's client.
 *
 * The file is trusted only if it is a regular file (no link) owned by this user and readable by no one
 * else, names a loopback address, and its pid is the one holding the lock.
 */
import { lstatSync, readFileSync, unlinkSync } from 'node:fs'
import { lstat, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import writeFileAtomic from 'write-file-atomic'
import { isAlive } from '../base/process'
import { z } from 'zod'

export const ENDPOINT_FILE = 'app-endpoint.json'

const EndpointSchema = z.object({
  /** http://127.0.0.1:PORT (loopback only) */
  url: z.string().regex(/^http:\/\/127\.0\.0\.1:\d{1,5}$/),
  token: z.string().min(16).max(200),
  pid: z.number().int().positive(),
  /** who serves: "the desktop app", "`trace2skill web`" */
  what: z.string().max(200),
  startedAt: z.string()
})
export type AppEndpoint = z.infer<typeof EndpointSchema>

/**
 * Write where this process serves the API; returns what removes it (also done at exit, however the
 * process ends short of a kill). Only our own file is removed: a newer app's is left alone.
 */
export async function publishEndpoint(dataDir: string, e: Omit<AppEndpoint, 'pid' | 'startedAt'>): Promise<() => void> {
  const file = join(dataDir, ENDPOINT_FILE)
  const mine: AppEndpoint = { ...e, pid: process.pid, startedAt: new Date().toISOString() }
  await writeFileAtomic(file, JSON.stringify(mine), { mode: 0o600 })
  const remove = () => {
    process.off('exit', remove)
    try {
      const st = lstatSync(file)
      if (st.isFile() && JSON.parse(readFileSync(file, 'utf8')).token === mine.token) unlinkSync(file)
    } catch {
      /* gone already */
    }
  }
  process.on('exit', remove)
  return remove
}

/** Why the endpoint file was not used (for people), or the endpoint. */
export async function readEndpoint(dataDir: string): Promise<{ endpoint: AppEndpoint } | { why: string }> {
  const file = join(dataDir, ENDPOINT_FILE)
  const st = await lstat(file).catch(() => null)
  if (!st) return { why: 'it does not say where it answers (no app-endpoint.json in the data folder)' }
  if (!st.isFile()) return { why: `${file} is not a regular file` }
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return { why: `${file} is not yours` }
  if (process.platform !== 'win32' && st.mode & 0o077) return { why: `${file} can be read by others (it must be 0600)` }
  try {
    const parsed = EndpointSchema.safeParse(JSON.parse(await readFile(file, 'utf8')))
    if (!parsed.success) return { why: `${file} is not an endpoint file` }
    // left by an app that was killed: nobody answers there
    if (!isAlive(parsed.data.pid)) return { why: `${file} is stale: its app (pid ${parsed.data.pid}) has stopped` }
    return { endpoint: parsed.data }
  } catch {
    return { why: `${file} cannot be read` }
  }
}

/**
 * The app's log: one JSON line per event (pino) in `<data folder>/logs/trace2skill.log`, rotated at
 * 5 MB with the 5 before it kept (`trace2skill.log.1` is the newest of them). What goes in: the start and
 * stop of the app, every failure a request answered with `internal`, every warning and error the user
 * was shown, and failures that were handled without bothering anyone but are worth knowing of in a bug
 * report. Nothing a run or a model said goes in (only ids, names, codes and messages of ours).
 *
 * Only the process that holds the data folder for writing logs to it (two writers would rotate the same
 * file); the others get a silent log. Electron-free.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import pino, { type Logger } from 'pino'
import { createStream, type RotatingFileStream } from 'rotating-file-stream'

export type Log = Logger

export const LOG_FILE = 'trace2skill.log'
export const logsDir = (dataDir: string) => join(dataDir, 'logs')

export interface LogOptions {
  /** pino's level; TRACE2SKILL_LOG_LEVEL, else info */
  level?: string
  /** rotate when the file reaches this (rotating-file-stream's size: '5M', '10K') */
  size?: string
  /** how many rotated files are kept */
  keep?: number
}

export interface OpenLog {
  log: Log
  /** where it writes */
  file: string
  /** writes what is buffered and closes the file */
  close(): Promise<void>
}

/** A log that writes nothing (a read-only process, or a test that does not look). */
export const silentLog = (): Log => pino({ level: 'silent' })

/** The data folder's log, created with its folder (0700: what failed where is nobody else's business). */
export function openLog(dataDir: string, opts: LogOptions = {}): OpenLog {
  const dir = logsDir(dataDir)
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const stream: RotatingFileStream = createStream(
    (index: number | Date | null) => (typeof index === 'number' && index > 0 ? `${LOG_FILE}.${index}` : LOG_FILE),
    {
      path: dir,
      size: opts.size ?? '5M',
      rotate: opts.keep ?? 5,
      mode: 0o600
    }
  )
  // a log that cannot be written is no reason to stop the app
  stream.on('error', () => {})
  const log = pino(
    {
      level: opts.level ?? process.env.TRACE2SKILL_LOG_LEVEL ?? 'info',
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime
    },
    stream
  )
  return {
    log,
    file: join(dir, LOG_FILE),
    close: () =>
      new Promise<void>((resolve) => {
        if (stream.destroyed || stream.writableEnded) return resolve()
        stream.end(() => resolve())
        // a stream that errored never calls back
        stream.once('error', () => resolve())
      })
  }
}

/** An error as the log keeps it: its message, code and stack, and its cause's. */
export function errorFields(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: String(err) }
  const e = err as Error & { code?: unknown }
  return {
    message: e.message,
    ...(e.code !== undefined ? { code: e.code } : {}),
    ...(e.stack ? { stack: e.stack } : {}),
    ...(e.cause !== undefined ? { cause: errorFields(e.cause) } : {})
  }
}

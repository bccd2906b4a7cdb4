/**
 * What every command is given: the core through the contract (this process's, or the running app's when
 * it holds the data folder), the data folder, and how to print. A command is a `Verb`: its arguments, its
 * options, whether it only reads, the checks made before the data folder is opened, and what it does.
 */
import { existsSync } from 'node:fs'
import { hostname } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { VERSION } from '../../shared/version'
import { claudeConfigDir, dataDir } from '../app/paths'
import { createService, type Service } from '../app/service'
import { playwrightScreenshots } from '../runs/playwright-screenshots'
import { DataDirBusyError } from '../store/lock'
import { readEndpoint, type AppEndpoint } from '../web/endpoint'
import type { OptionName, Opts } from './args'
import { localClient, remoteClient, type Client } from './client'
import type { CliIo } from './common'
import { inline } from './inert'

/** What a command needs: the core (here or in the running app), the data folder, and how to print (JSON with --json, else words). */
export interface Ctx {
  client: Client
  dataDir: string
  io: CliIo
  print: (value: unknown, human: () => string) => void
  /** --json was given */
  json: boolean
  /** this process's own service: only `web` (which serves it) reaches it; every other command goes through `client` */
  local: () => Service
}

/** One command of the command line. */
export interface Verb<P = undefined> {
  name: string
  /** its positional arguments: exactly `n` (named `what` when missing), or at most `max` */
  args: { n: number; what: string } | { max: number }
  /** the options it takes (besides -h/--help and -v/--version) */
  options: OptionName[]
  /** it never changes the store: no lock taken, so it works beside the app or any other command */
  readOnly: boolean | ((o: Opts) => boolean)
  /** it may screenshot HTML outputs (runs) */
  screenshots?: boolean
  /** checks and reads made before the data folder is opened (a bad argument never opens it) */
  prepare?: (args: string[], o: Opts, io: CliIo) => Promise<P> | P
  /** what it does; its exit code (0 when nothing is returned) */
  run: (ctx: Ctx, args: string[], o: Opts, prepared: P) => Promise<number | void>
}

/** A verb, with its prepared value's type kept inside it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyVerb = Verb<any>
export const verb = <P = undefined>(v: Verb<P>): AnyVerb => v

/** A built worker script beside the built CLI (absent when running from source). */
function builtWorker(name: string): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url))
  return [join(here, name), join(here, '..', name)].find((f) => existsSync(f))
}

/** Screenshots through Debian's (or the user's) Chromium, when one is there. */
function screenshotPort(io: CliIo) {
  const exe =
    io.env.CHROMIUM_PATH || ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((f) => existsSync(f))
  if (!exe || !existsSync(exe)) {
    io.err('warning: no Chromium found (set CHROMIUM_PATH): HTML outputs will not be screenshotted')
    return undefined
  }
  return playwrightScreenshots({ executablePath: exe })
}

/**
 * The running app that holds the data folder and says where it answers (its endpoint file, written by
 * the holder itself); null when the holder is not an app (another command: it is refused as before);
 * why not, when it is an app that cannot be reached.
 */
async function appHolding(data: string, err: DataDirBusyError): Promise<{ endpoint: AppEndpoint } | { why: string } | null> {
  const holder = err.holder
  const isApp = holder?.what === 'the desktop app' || holder?.what === '`trace2skill web`'
  const found = await readEndpoint(data)
  if ('why' in found) return isApp ? found : null
  if (!holder || found.endpoint.pid !== holder.pid || holder.host !== hostname())
    return isApp ? { why: `its endpoint file was written by another process (pid ${found.endpoint.pid})` } : null
  return found
}

/** A writer refused because another holds the data folder: the lock's reason, and for grade what to do instead. */
function busyMessage(command: string, readers: string[], err: DataDirBusyError, unreachable?: string): string {
  const m = `${err.message}${unreachable ? ` It cannot be gone through: ${unreachable}.` : ''} Commands that only read (${readers.join(', ')}) work meanwhile.`
  if (command !== 'grade') return m
  const what = err.holder?.what ?? ''
  if (what === '`trace2skill run`')
    return `${m} Its runs are still running: grade them once it has finished (it prints the batch id and what to do next).`
  if (what === '`trace2skill verify`' || what === '`trace2skill resume`')
    return `${m} Its runs are still running: grade them once it has finished (it prints the verification id and what to do next).`
  if (what === 'the desktop app' || what === '`trace2skill web`')
    return `${m} Or grade in it: Grade the runs on the batch page, or Paste feedback in the gallery.`
  return m
}

/** An opened context: the command's, and what to do once it is over. */
export interface Opened {
  ctx: Ctx
  /** the notices raised while it ran (warnings on stderr), said before it exits */
  finish: () => void
  close: () => Promise<void>
}

/**
 * Opens the data folder for a command: read-only ones take no lock; a writer finding it held by the
 * running app goes through that app as its client; held by anything else, it is refused with why.
 */
export async function openContext(
  v: AnyVerb,
  o: Opts,
  io: CliIo,
  readers: string[],
  print: (value: unknown, human: () => string) => void
): Promise<Opened> {
  const data = dataDir(io.env)
  let remote: Client | null = null
  const web = v.name === 'web'
  const service = await createService({
    configDir: claudeConfigDir(io.env),
    dataDir: data,
    mode: 'web',
    version: VERSION,
    readOnly: typeof v.readOnly === 'function' ? v.readOnly(o) : v.readOnly,
    owner: `\`trace2skill ${v.name}\``,
    watch: web,
    indexOnStart: web,
    summaryWorker: builtWorker('summary-worker.js'),
    imageWorker: builtWorker('image-worker.js'),
    screenshots: v.screenshots ? screenshotPort(io) : undefined,
    env: io.env
  }).catch(async (err) => {
    if (!(err instanceof DataDirBusyError)) throw err
    // held by the running app (the desktop app, `trace2skill web`): go through it, as its client
    const app = web ? null : await appHolding(data, err)
    if (!app || 'why' in app) throw new Error(busyMessage(v.name, readers, err, app?.why))
    remote = await remoteClient(app.endpoint).catch((e: Error) => {
      throw new Error(busyMessage(v.name, readers, err, e.message))
    })
    io.err(`the data folder is held by ${app.endpoint.what} (pid ${app.endpoint.pid}): going through it`)
    return null
  })
  const client: Client = service ? localClient(service) : remote!
  const notices = service?.notices ?? []
  const shown = notices.length
  const say = (n: (typeof notices)[number]) => io.err(`warning: ${inline(`${n.message}${n.detail ? ` ${n.detail}` : ''}`)}`)
  for (const n of notices) say(n)
  return {
    ctx: { client, dataDir: data, io, print, json: !!o.json, local: () => service! },
    finish: () => notices.slice(shown).forEach(say),
    close: async () => {
      await (remote as Client | null)?.close()
      await service?.dispose()
    }
  }
}

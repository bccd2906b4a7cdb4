/**
 * The `trace2skill` command line: the same core as the app, for scripting and CI.
 * JSON goes to stdout, warnings to stderr; bad arguments exit non-zero with a one-line reason.
 */
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { VERSION } from '../../shared/version'
import { dispatch } from '../app/dispatch'
import { claudeConfigDir, dataDir } from '../app/paths'
import { createService, type Service } from '../app/service'
import { startWebServer } from '../web/server'

export interface CliIo {
  out: (text: string) => void
  err: (text: string) => void
  env: NodeJS.ProcessEnv
  /** resolves when a long-running command (web) should stop; the CLI entry wires SIGINT/SIGTERM */
  untilStopped?: Promise<void>
}

const USAGE = `usage: trace2skill <command> [options]

commands:
  projects [--json]                 every project Claude Code has sessions for
  sessions <project> [--json]       sessions of a project (its id, its folder, or its working directory)
  trace <session-id> [--json]       the normalized trace, sub-agents included
  index [--json]                    index every session of every project and print totals
  web [--port N]                    serve the app to a browser on 127.0.0.1 (prints the URL with its token)

environment: CLAUDE_CONFIG_DIR (default ~/.claude), TRACE2SKILL_DATA_DIR (the app's data folder)`

class UsageError extends Error {}

function staticDirCandidates(): string[] {
  const here = dirname(fileURLToPath(import.meta.url))
  return [join(here, '../renderer'), join(here, '../../../out/renderer')]
}

/** The built worker beside the built CLI (absent when running from source). */
function summaryWorkerScript(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url))
  return [join(here, 'summary-worker.js'), join(here, '..', 'summary-worker.js')].find((f) => existsSync(f))
}

const fmtBytes = (n: number) => (n > 1e9 ? `${(n / 1e9).toFixed(2)} GB` : n > 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${(n / 1e3).toFixed(1)} kB`)

async function call<T>(service: Service, name: Parameters<typeof dispatch>[1], input: unknown): Promise<T> {
  const reply = await dispatch(service.handlers, name, input)
  if (!reply.ok) throw new Error(reply.error)
  return reply.value as T
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  // Claude Code's project folder names start with '-' (e.g. -home-me-app): not options.
  const flags = new Set(['--json', '--port', '--project', '--help', '-h', '--version', '-v'])
  const args: string[] = []
  const loose: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--') loose.push(...argv.slice(i + 1)), (i = argv.length)
    else if (a.startsWith('-') && !flags.has(a.split('=')[0]) && a.length > 2 && !a.startsWith('--')) loose.push(a)
    else args.push(a)
  }
  let parsed
  try {
    parsed = parseArgs({
      args: [...args, '--', ...loose],
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        port: { type: 'string' },
        project: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false }
      }
    })
  } catch (err) {
    io.err(`trace2skill: ${(err as Error).message.split('\n')[0]}`)
    return 2
  }
  const { values, positionals } = parsed
  const [command, ...rest] = positionals
  if (values.version) {
    io.out(VERSION)
    return 0
  }
  if (values.help || !command) {
    ;(command || values.help ? io.out : io.err)(USAGE)
    return values.help ? 0 : 2
  }
  const json = values.json
  const print = (value: unknown, human: () => string) => io.out(json ? JSON.stringify(value, null, 2) : human())

  let service: Service | null = null
  try {
    const want = (n: number, what: string) => {
      if (rest.length !== n) throw new UsageError(rest.length < n ? `${command} needs ${what}` : `${command}: unexpected argument ${rest[n]}`)
    }
    const known = ['projects', 'sessions', 'trace', 'index', 'web']
    if (!known.includes(command)) throw new UsageError(`unknown command: ${command} (try --help)`)
    let port: number | undefined
    if (command === 'web' && values.port !== undefined) {
      port = Number(values.port)
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port takes a number from 0 to 65535, not ${values.port}`)
    }
    want(command === 'sessions' || command === 'trace' ? 1 : 0, command === 'sessions' ? 'a project' : 'a session id')

    service = await createService({
      configDir: claudeConfigDir(io.env),
      dataDir: dataDir(io.env),
      mode: 'web',
      version: VERSION,
      watch: command === 'web',
      indexOnStart: command === 'web',
      summaryWorker: summaryWorkerScript()
    })
    const shown = service.notices.length
    for (const n of service.notices) io.err(`warning: ${n.message}${n.detail ? ` ${n.detail}` : ''}`)

    switch (command) {
      case 'projects': {
        const projects = await service.index.listProjects()
        print(projects, () => projects.map((p) => `${p.cwd ?? p.dir}\t${p.sessions} sessions\t${p.lastActivity ?? '-'}\t${fmtBytes(p.bytes)}`).join('\n') || 'no projects')
        break
      }
      case 'sessions': {
        const arg = rest[0]
        const abs = resolve(arg)
        const projectId = existsSync(abs) && (arg.includes('/') || arg === '.' || arg === '..')
          ? (await call<{ id: string }>(service, 'openFolder', { path: abs })).id
          : arg
        const sessions = await call<{ sessionId: string; firstPrompt: string; turns: number; toolCalls: number; end?: string }[]>(service, 'listSessions', { projectId })
        print(sessions, () => sessions.map((s) => `${s.sessionId}\t${s.end ?? '-'}\t${s.turns} turns\t${s.toolCalls} tool calls\t${s.firstPrompt.slice(0, 60).replace(/\s+/g, ' ')}`).join('\n') || 'no sessions')
        break
      }
      case 'trace': {
        const trace = await call<{ sessionId: string; events: unknown[]; subagents: unknown[]; warnings: { line: number; message: string }[] }>(service, 'getTrace', {
          sessionId: rest[0],
          ...(values.project ? { projectId: values.project } : {})
        })
        for (const w of trace.warnings) io.err(`warning: line ${w.line}: ${w.message}`)
        print(trace, () => `${trace.sessionId}: ${trace.events.length} events, ${trace.subagents.length} sub-agents`)
        break
      }
      case 'index': {
        const totals = await service.index.indexAll()
        print(totals, () => `${totals.projects} projects, ${totals.sessions} sessions, ${fmtBytes(totals.bytes)}, ${totals.toolCalls} tool calls (${totals.toolErrors} errors), ${totals.tokens} tokens, $${totals.costUsd.toFixed(2)}, ${totals.seconds.toFixed(2)} s`)
        break
      }
      case 'web': {
        const staticDir = io.env.TRACE2SKILL_STATIC_DIR || staticDirCandidates().find((d) => existsSync(join(d, 'index.html')))
        if (!staticDir) throw new Error('the app is not built: run npm run build first')
        const server = await startWebServer({ handlers: service.handlers, hub: service.hub, staticDir, port })
        io.out(`trace2skill web: ${server.url}`)
        io.err('Open that URL in a browser; anyone without its token is refused. Ctrl+C stops.')
        await (io.untilStopped ?? new Promise(() => {}))
        await server.close()
        break
      }
    }
    for (const n of service.notices.slice(shown)) io.err(`warning: ${n.message}${n.detail ? ` ${n.detail}` : ''}`)
    return 0
  } catch (err) {
    io.err(`trace2skill: ${(err as Error).message.split('\n')[0]}`)
    return err instanceof UsageError ? 2 : 1
  } finally {
    await service?.dispose()
  }
}

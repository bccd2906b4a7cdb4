/**
 * The `trace2skill` command line: the same core as the app, for scripting and CI.
 * JSON goes to stdout, warnings to stderr; bad arguments exit non-zero with a one-line reason.
 */
import { existsSync } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { z } from 'zod'
import { describePreset, DifficultySchema, DomainSchema, parseNumberedList, PERMISSION_PRESETS, RunSettingsSchema, type Difficulty } from '../../shared/runs'
import { checkClaude } from '../runs/claude'
import { presetAvailability } from '../runs/sandbox'
import { playwrightScreenshots } from '../runs/screenshots'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { VERSION } from '../../shared/version'
import { dispatch } from '../app/dispatch'
import { claudeConfigDir, dataDir } from '../app/paths'
import { createService, type Service } from '../app/service'
import { startWebServer } from '../web/server'
import type { Analysis, AnalystStatusInfo } from '../../shared/analysis'
import type { ExportPlan, ExportResult } from '../skills/export'
import type { Skill } from '../../shared/skills'
import type { SkillView } from '../../shared/contract'

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
  run --task <file> --variations <file> [--concurrency N] [--max-turns N] [--model M] [--claude PATH]
      [--preset sandboxed|accept-edits|full-access] [--allow-domain HOST ...] [--json]
                                    run a batch of claude -p headless; prints where its results are
                                    (task: JSON {name, text, templateDir?} or a text file; variations:
                                    JSON [{difficulty, prompt}] or a numbered list). --preset: sandboxed
                                    (default; refused where Claude Code's sandbox cannot work: then pass
                                    --preset accept-edits); --allow-domain: a host sandboxed runs may
                                    reach (repeatable; none by default)
  analyze <batch> [--via api|claude-cli] [--model M] [--merge-model M] [--claude PATH] [--json]
                                    four analysts over a batch's graded runs (batch id or name), merged
                                    into a skill; progress on stderr; Ctrl+C cancels. Exit 1 unless done
  export <skill> <folder> [--dry-run] [--json]
                                    write a skill (id or name) into a project folder's .claude/;
                                    --dry-run prints what would be written and writes nothing

environment: CLAUDE_CONFIG_DIR (default ~/.claude), TRACE2SKILL_DATA_DIR (the app's data folder),
  ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL (model access for analyze --via api)`

class UsageError extends Error {}

/** commands that never change the store (they run beside the app or another command) */
const READ_ONLY = ['projects', 'sessions', 'trace', 'index']

function staticDirCandidates(): string[] {
  const here = dirname(fileURLToPath(import.meta.url))
  return [join(here, '../renderer'), join(here, '../../../out/renderer')]
}

/** Screenshots through Debian's (or the user's) Chromium, when one is there. */
function screenshotPort(io: CliIo) {
  const exe = io.env.CHROMIUM_PATH || ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((f) => existsSync(f))
  if (!exe || !existsSync(exe)) {
    io.err('warning: no Chromium found (set CHROMIUM_PATH): HTML outputs will not be screenshotted')
    return undefined
  }
  return playwrightScreenshots({ executablePath: exe })
}

async function readTaskFile(file: string): Promise<{ name: string; text: string; templateDir?: string }> {
  const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read --task ${file}: ${e.code ?? e.message}`)
  })
  if (file.endsWith('.json')) {
    let v: { name?: unknown; text?: unknown; templateDir?: unknown }
    try {
      v = JSON.parse(text)
    } catch {
      throw new UsageError(`--task ${file} is not valid JSON`)
    }
    if (typeof v.text !== 'string' || !v.text.trim()) throw new UsageError(`--task ${file} needs a "text"`)
    return { name: typeof v.name === 'string' && v.name ? v.name : basename(file, '.json'), text: v.text, templateDir: typeof v.templateDir === 'string' ? resolve(dirname(file), v.templateDir) : undefined }
  }
  return { name: basename(file).replace(/\.[^.]+$/, ''), text }
}

async function readVariationsFile(file: string): Promise<{ difficulty: Difficulty; prompt: string }[]> {
  const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read --variations ${file}: ${e.code ?? e.message}`)
  })
  if (file.endsWith('.json')) {
    let v: unknown
    try {
      v = JSON.parse(text)
    } catch {
      throw new UsageError(`--variations ${file} is not valid JSON`)
    }
    const parsed = z.array(z.object({ difficulty: DifficultySchema.default('normal'), prompt: z.string().min(1) })).min(1).safeParse(v)
    if (!parsed.success) throw new UsageError(`--variations ${file}: expected [{"difficulty", "prompt"}] (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`)
    return parsed.data
  }
  const { items, errors } = parseNumberedList(text)
  if (errors.length) throw new UsageError(`--variations ${file}: ${errors[0]}`)
  return items
}

async function runBatch(service: Service, o: { task: string; variations: string; concurrency?: number; maxTurns?: number; preset?: string; allowDomains?: string[] }, more: { model?: string; claude?: string }, io: CliIo) {
  const taskIn = await readTaskFile(o.task)
  const variations = await readVariationsFile(o.variations)
  // No --preset: sandboxed, and where it cannot work, a refusal that names the way out (never a silent fall-back).
  if (!o.preset) {
    const can = await presetAvailability('sandboxed', { env: io.env })
    if (!can.available) throw new Error(`runs are sandboxed by default, and the sandbox is not available here: ${can.reason}. To run without it, pass --preset accept-edits`)
  }
  const task = await call<{ id: string }>(service, 'saveTask', taskIn)
  await call(service, 'saveVariations', { taskId: task.id, variations })
  const settings = RunSettingsSchema.parse({ concurrency: o.concurrency, maxTurns: o.maxTurns, model: more.model, claudePath: more.claude, permission: o.preset ?? 'sandboxed', allowedDomains: o.allowDomains })
  const check = await checkClaude(settings.claudePath || 'claude', io.env)
  if (!check.ok) throw new Error(`${check.error}. ${check.install}`)
  io.err(`permissions: ${describePreset(settings)}`)
  const batch = await call<{ id: string }>(service, 'createBatch', { taskId: task.id, settings })
  const off = service.hub.subscribe((event, payload) => {
    if (event !== 'runProgress') return
    const r = (payload as { run: { number: number; state: string; reason?: string } }).run
    if (r.state !== 'running' && r.state !== 'queued') io.err(`Run ${r.number}: ${r.state}${r.reason ? ` (${r.reason})` : ''}`)
  })
  const stop = () => void service.runner.cancelBatch(batch.id)
  io.untilStopped?.then(stop)
  await call(service, 'startBatch', { batchId: batch.id })
  await service.runner.idle(batch.id)
  off()
  const got = await call<{ runs: { number: number; state: string; reason?: string; workspace?: string; sessionId: string; projectId?: string; files: unknown[]; screenshots: { html: string; shots: { file: string }[] }[]; result?: string }[] }>(service, 'getBatch', { batchId: batch.id })
  return {
    batchId: batch.id,
    dataDir: service.store.dataDir,
    preset: settings.permission,
    runs: got.runs.map((r) => ({
      number: r.number,
      state: r.state,
      reason: r.reason,
      workspace: r.workspace,
      sessionId: r.sessionId,
      projectId: r.projectId,
      files: r.files.length,
      screenshots: r.screenshots.flatMap((s) => s.shots.map((x) => x.file)),
      result: r.result
    }))
  }
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

/** A batch by its id, or by its exact name (several batches of that name: say which ids). */
function findBatch(service: Service, arg: string): string {
  const batches = service.store.db.data.batches
  if (batches[arg]) return arg
  const named = Object.values(batches).filter((b) => b.name === arg)
  if (named.length > 1) throw new UsageError(`several batches are named ${JSON.stringify(arg)}: give one of their ids (${named.map((b) => b.id).join(', ')})`)
  if (!named.length) throw new Error(`no such batch: ${arg}`)
  return named[0].id
}

/** A skill by its id, or by its front-matter name (several skills of that name: say which ids). */
function findSkill(service: Service, arg: string): Skill {
  const skills = service.store.db.data.skills
  if (skills[arg]) return skills[arg]
  const named = Object.values(skills).filter((s) => s.frontMatter.name === arg)
  if (named.length > 1) throw new UsageError(`several skills are named ${JSON.stringify(arg)}: give one of their ids (${named.map((s) => s.id).join(', ')})`)
  if (!named.length) throw new Error(`no such skill: ${arg}`)
  return named[0]
}

const tokensOf = (a: AnalystStatusInfo) => a.usage.input + a.usage.output + a.usage.cacheRead + a.usage.cacheCreation
const analystLine = (a: AnalystStatusInfo) =>
  `${a.kind} analyst: ${a.state}` +
  (a.state === 'queued' ? '' : ` (${tokensOf(a).toLocaleString('en-US')} tokens, $${a.costUsd.toFixed(2)}${a.attempt > 1 ? `, attempt ${a.attempt}` : ''})`) +
  (a.state === 'failed' && a.error ? `: ${a.error.split('\n')[0]}` : '')

async function analyzeBatch(
  service: Service,
  batchArg: string,
  o: { via?: 'api' | 'claude-cli'; model?: string; mergeModel?: string; claude?: string },
  io: CliIo
): Promise<{ analysis: Analysis; skill: SkillView | null }> {
  const batchId = findBatch(service, batchArg)
  // This process starts one analysis: every progress event of this batch is it.
  const seen = new Map<string, string>()
  let phase = ''
  const off = service.hub.subscribe((event, payload) => {
    if (event !== 'analysisProgress') return
    const a = (payload as { analysis: Analysis }).analysis
    if (a.batchId !== batchId) return
    for (const s of a.analysts) {
      if (seen.get(s.kind) === s.state) continue
      // the first report is every analyst queued: say nothing until one moves
      if (!seen.has(s.kind) && s.state === 'queued') {
        seen.set(s.kind, s.state)
        continue
      }
      seen.set(s.kind, s.state)
      io.err(analystLine(s))
    }
    if (a.state === 'merging' && phase !== 'merging') io.err('merging the rules into a skill')
    phase = a.state
  })
  // Ctrl+C cancels the analysis (once it has an id); the analysts stop and it ends as cancelled.
  let id: string | null = null
  let stopRequested = false
  let finished = false
  const cancel = () => {
    if (id && !finished) void call(service, 'cancelAnalysis', { analysisId: id }).catch(() => {})
  }
  void io.untilStopped?.then(() => {
    stopRequested = true
    cancel()
  })
  try {
    const started = await call<Analysis>(service, 'startAnalysis', {
      batchId,
      ...(o.via ? { via: o.via } : {}),
      ...(o.model ? { model: o.model } : {}),
      ...(o.mergeModel ? { mergeModel: o.mergeModel } : {}),
      ...(o.claude ? { claudePath: o.claude } : {})
    })
    id = started.id
    if (stopRequested) cancel()
    await service.analysisIdle(id)
  } finally {
    finished = true
    off()
  }
  const analysis = await call<Analysis>(service, 'getAnalysis', { analysisId: id })
  const skill = analysis.skillId ? await call<SkillView>(service, 'getSkill', { skillId: analysis.skillId }) : null
  return { analysis, skill }
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  // Claude Code's project folder names start with '-' (e.g. -home-me-app): not options.
  const flags = new Set(['--json', '--port', '--project', '--task', '--variations', '--concurrency', '--max-turns', '--model', '--merge-model', '--via', '--claude', '--preset', '--allow-domain', '--dry-run', '--help', '-h', '--version', '-v'])
  const args: string[] = []
  const loose: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--') loose.push(...argv.slice(i + 1)), (i = argv.length)
    // a value that starts with '-' (`--port -1`, `--project -home-me-app`) stays with its option
    else if (flags.has(a) && !['--json', '--dry-run', '--help', '-h', '--version', '-v'].includes(a) && argv[i + 1]?.startsWith('-') && !flags.has(argv[i + 1].split('=')[0])) args.push(`${a}=${argv[++i]}`)
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
        task: { type: 'string' },
        variations: { type: 'string' },
        concurrency: { type: 'string' },
        'max-turns': { type: 'string' },
        model: { type: 'string' },
        'merge-model': { type: 'string' },
        via: { type: 'string' },
        claude: { type: 'string' },
        preset: { type: 'string' },
        'allow-domain': { type: 'string', multiple: true },
        'dry-run': { type: 'boolean', default: false },
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
    const known = ['projects', 'sessions', 'trace', 'index', 'web', 'run', 'analyze', 'export']
    if (!known.includes(command)) throw new UsageError(`unknown command: ${command} (try --help)`)
    let port: number | undefined
    if (command === 'web' && values.port !== undefined) {
      port = Number(values.port)
      if (!/^\d{1,5}$/.test(values.port) || port > 65535) throw new UsageError(`--port takes a number from 0 to 65535, not ${values.port}`)
    }
    const needs: Record<string, [number, string]> = {
      sessions: [1, 'a project'],
      trace: [1, 'a session id'],
      analyze: [1, 'a batch (its id or name)'],
      export: [2, 'a skill (its id or name) and a folder']
    }
    want(...(needs[command] ?? [0, '']))
    if (values.via !== undefined && values.via !== 'api' && values.via !== 'claude-cli') throw new UsageError(`--via takes api or claude-cli, not ${values.via}`)
    const int = (name: string, v: string | undefined, min: number, max: number) => {
      if (v === undefined) return undefined
      const n = Number(v)
      if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} takes a whole number from ${min} to ${max}, not ${v}`)
      return n
    }
    const runOpts =
      command === 'run'
        ? {
            task: values.task ?? (() => { throw new UsageError('run needs --task <file>') })(),
            variations: values.variations ?? (() => { throw new UsageError('run needs --variations <file>') })(),
            concurrency: int('concurrency', values.concurrency, 1, 16),
            maxTurns: int('max-turns', values['max-turns'], 1, 1000),
            preset: values.preset === undefined || (PERMISSION_PRESETS as readonly string[]).includes(values.preset) ? values.preset : (() => { throw new UsageError(`--preset takes ${PERMISSION_PRESETS.join(', ')}, not ${values.preset}`) })(),
            allowDomains: values['allow-domain']?.map((d) => {
              if ((values.preset ?? 'sandboxed') !== 'sandboxed') throw new UsageError('--allow-domain applies to --preset sandboxed only (the other presets do not limit the network)')
              const r = DomainSchema.safeParse(d)
              if (!r.success) throw new UsageError(`--allow-domain takes a host such as example.com, *.example.com or db.example.com:5432, not ${d}`)
              return r.data
            })
          }
        : null

    service = await createService({
      configDir: claudeConfigDir(io.env),
      dataDir: dataDir(io.env),
      mode: 'web',
      version: VERSION,
      // Commands that only read take no lock and write no store, so they work beside the app.
      readOnly: READ_ONLY.includes(command),
      owner: `\`trace2skill ${command}\``,
      watch: command === 'web',
      indexOnStart: command === 'web',
      summaryWorker: summaryWorkerScript(),
      screenshots: command === 'run' || command === 'web' ? screenshotPort(io) : undefined,
      env: io.env
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
      case 'run': {
        const batch = await runBatch(service, runOpts!, { model: values.model, claude: values.claude }, io)
        print(batch, () => batch.runs.map((r) => `Run ${r.number}: ${r.state}${r.reason ? ` (${r.reason})` : ''}  ${r.workspace ?? ''}`).join('\n') + `\nresults: ${batch.dataDir}`)
        if (batch.runs.some((r) => r.state !== 'done')) return finish(1)
        break
      }
      case 'analyze': {
        const got = await analyzeBatch(service, rest[0], { via: values.via as 'api' | 'claude-cli' | undefined, model: values.model, mergeModel: values['merge-model'], claude: values.claude }, io)
        const { analysis, skill } = got
        for (const w of analysis.warnings) io.err(`warning: ${w}`)
        print(got, () => {
          const lines = [`analysis ${analysis.id}: ${analysis.state} (${analysis.context.runs} runs; ${analysis.analysts.map((a) => `${a.kind} ${a.state}`).join(', ')})`]
          if (skill) {
            const count = (t: string) => skill.skill.rules.filter((r) => r.tier === t).length
            lines.push(`skill ${skill.skill.id} (${skill.skill.frontMatter.name}): ${count('core')} core, ${count('guidance')} guidance, ${count('edge-case')} edge-case rules (${count('discarded')} discarded)`)
            if (skill.problems.length) lines.push(`not valid for export yet: ${skill.problems.join('; ')}`)
          }
          return lines.join('\n')
        })
        if (analysis.state !== 'done') {
          const why = analysis.state === 'cancelled' ? 'cancelled' : analysis.merge.error ?? analysis.warnings[analysis.warnings.length - 1] ?? analysis.state
          io.err(`trace2skill: the analysis ${analysis.state === 'cancelled' ? 'was cancelled' : `${analysis.state}: ${why}`}`)
          return finish(1)
        }
        break
      }
      case 'export': {
        const skill = findSkill(service, rest[0])
        const folder = resolve(rest[1])
        const st = await stat(folder).catch(() => null)
        if (!st) throw new Error(`export folder does not exist: ${folder}`)
        if (!st.isDirectory()) throw new Error(`not a folder: ${folder}`)
        if (values['dry-run']) {
          const plan = await call<ExportPlan>(service, 'planSkillExport', { skillId: skill.id, folder })
          print(plan, () => [...plan.files.map((f) => `${f.status}\t${f.path}`), `dry run: nothing written to ${plan.folder}`].join('\n'))
        } else {
          const done = await call<ExportResult>(service, 'exportSkill', { skillId: skill.id, folder })
          print(done, () =>
            [
              ...done.written.map((p) => `written\t${p}`),
              ...done.unchanged.map((p) => `unchanged\t${p}`),
              ...done.backups.map((b) => `backup\t${b.path} -> ${b.backup}`),
              `exported ${skill.frontMatter.name} to ${done.folder}`
            ].join('\n')
          )
        }
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
    return finish(0)
    function finish(code: number) {
      for (const n of service!.notices.slice(shown)) io.err(`warning: ${n.message}${n.detail ? ` ${n.detail}` : ''}`)
      return code
    }
  } catch (err) {
    io.err(`trace2skill: ${(err as Error).message.split('\n')[0]}`)
    return err instanceof UsageError ? 2 : 1
  } finally {
    await service?.dispose()
  }
}

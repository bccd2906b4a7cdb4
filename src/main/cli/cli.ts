/**
 * The `trace2skill` command line: the same core as the app, for scripting and CI.
 * JSON goes to stdout, warnings to stderr; bad arguments exit non-zero with a one-line reason.
 */
import { existsSync } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { z } from 'zod'
import {
  describeClaudeSettings,
  describePreset,
  DifficultySchema,
  DomainSchema,
  formatFeedbackLine,
  parseFeedback,
  parseNumberedList,
  PERMISSION_PRESETS,
  RunSettingsSchema,
  type Batch,
  type Difficulty,
  type Mix,
  type PermissionPreflight,
  type Run,
  type TemplateInspection,
  type Variation
} from '../../shared/runs'
import { installHint, type ClaudeCheck } from '../runs/claude'
import { templateLines } from '../runs/isolation'
import { playwrightScreenshots } from '../runs/screenshots'
import { isBinary, readInsideFile } from '../runs/workspace'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { hostname } from 'node:os'
import { parseArgs } from 'node:util'
import { VERSION } from '../../shared/version'
import { inert, inline, jsonText } from './inert'
import { traceText } from './trace-text'
import { analysisLine, RunBoard, StatusLine } from './progress'
import { askForVariations, parseMix, variationList, writeNewFile, writeVariationsFor } from './variations'
import type { Trace } from '../../shared/trace'
import { claudeConfigDir, dataDir } from '../app/paths'
import { createService, type Service } from '../app/service'
import { serveAppApi } from '../web/app-api'
import { readEndpoint, type AppEndpoint } from '../web/endpoint'
import { localClient, remoteClient, type Client } from './client'
import { analysisEnded, batchEnded } from './wait'
import type { Analysis, AnalysisEstimate, AnalystStatusInfo, ContextReport } from '../../shared/analysis'
import { describeCuts } from '../analysts/condense'
import { describeRedactions } from '../../shared/redact'
import { describeFlagged, flaggedRefusal, skillFlags } from '../../shared/rule-flags'
import { groupsNote } from '../analysts/service'
import type { ExportPlan, ExportResult } from '../skills/export'
import type { Skill } from '../../shared/skills'
import type { VerifySettings } from '../../shared/verify'
import { DataDirBusyError } from '../store/lock'
import type { AppInfo, SkillView } from '../../shared/contract'
import type { Project } from '../../shared/trace'
import {
  batchName,
  call,
  FEEDBACK_EXAMPLE,
  findBatch,
  getBatch,
  findSkill,
  gradeCommand,
  MAKE_BATCH,
  MAKE_SKILL,
  oneLineOf,
  plural,
  runNumbers,
  runsOf,
  STATES,
  statesLine,
  UsageError,
  type CliIo
} from './common'
import {
  explainCommand,
  findVerification,
  listCommand,
  reportCommand,
  resumeCommand,
  verifyCommand,
  type Ctx,
  type VerifyArgs
} from './verify'

export type { CliIo } from './common'

const USAGE = `usage: trace2skill <command> [options]

The loop: run -> grade -> analyze -> export, then verify -> grade -> report -> deepen. <batch> and
<skill> are an id or an exact name (\`batches\` and \`skills\` list them); <verification> is an id
(\`verifications\` lists them), and wherever a <batch> goes, a verification's id means its batch.

sessions:
  projects [--json]                 every project Claude Code has sessions for
  sessions <project> [--json]       sessions of a project (its id, its folder, or its working directory)
  trace <session-id> [--project ID] [--json]
                                    the conversation: each prompt, the assistant's text, each tool call
                                    with its result's first lines (errors marked), sub-agents indented
                                    under their call (--json: the normalized trace, every event)
  index [--json]                    index every session of every project and print totals
  web [--port N]                    serve the app to a browser on 127.0.0.1 (prints the URL with its token)

step 1, run:
  variations --task <file> [--mix E,N,H,A] [--model M] [--out FILE] [--json]
                                    a task's variations written by a model, as the app writes them:
                                    --mix: how many easy, normal, hard and adversarial (default
                                    5,8,4,3); the numbered list run takes, on stdout or in a new FILE
                                    (--json, or FILE.json: JSON [{difficulty, prompt}]); needs
                                    ANTHROPIC_API_KEY
  run --task <file> [--variations <file> | --mix E,N,H,A] [--concurrency N] [--max-turns N] [--model M]
      [--claude PATH] [--preset sandboxed|accept-edits|full-access] [--allow-domain HOST ...]
      [--my-claude-settings] [--json]
                                    run a batch of claude -p headless; prints the batch's id, each run,
                                    where its results are and what to do next
                                    (task: JSON {name, text, templateDir?} or a text file; variations:
                                    JSON [{difficulty, prompt}] or a numbered list; without
                                    --variations, a model writes them first, as variations does, in
                                    the --mix given, and they are kept with the task and its batch;
                                    --model is the runs' model). --preset: sandboxed
                                    (default; refused where Claude Code's sandbox cannot work: then pass
                                    --preset accept-edits); --allow-domain: a host sandboxed runs may
                                    reach (repeatable; none by default); --my-claude-settings: runs load
                                    your own Claude Code settings (hooks, allow rules, MCP servers; off by
                                    default). A template's own .claude/settings*.json and .mcp.json never load
  batches [--json]                  every batch: id, name, runs by state, how many are graded
  batch <batch> [--json]            a batch's runs: state, grade, prompt, files, screenshots, final
                                    answer, workspace and session (what to grade them by)

step 2, grade:
  grade <batch> --file <file> [--json]
                                    grade runs from a text file, one line per run, e.g.
                                    "Run 2: bad - too many cards" (--file - reads standard input);
                                    all or nothing: every bad line is reported with its line number
  feedback <batch> [--json]         the batch's grades in that same format (feeds back into grade)

steps 3 and 4, analyse and export:
  analyze <batch> [--via api|claude-cli] [--model M] [--merge-model M] [--claude PATH] [--mobile] [--estimate] [--json]
                                    four analysts over a batch's graded runs, merged into a skill;
                                    progress on stderr; Ctrl+C cancels. Exit 1 unless done.
                                    --mobile: show them the mobile screenshots too
                                    --estimate: what it would cost (the exact context, no model
                                    called, nothing written), then stop
  skills [--json]                   every skill: id, name, rules by tier, whether it can be exported
  skill <skill> [--json]            a skill's SKILL.md (--json: the skill, its files and versions)
  export <skill> <folder> [--dry-run] [--accept-flagged] [--json]
                                    write a skill into a project folder's .claude/;
                                    --dry-run prints what would be written and writes nothing;
                                    a skill with flagged texts (a command, a URL, a pipe into a
                                    shell, a credential, text copied from a run) is refused, each
                                    named with why, unless --accept-flagged

step 5, verify (does the skill make runs better?):
  verify <skill> [--version N] [--against none|N] [--variations fresh|batch|<file>] [--repeats N]
      [--concurrency N] [--max-turns N] [--model M] [--claude PATH] [--preset sandboxed|accept-edits|full-access]
      [--allow-domain HOST ...] [--budget USD] [--accept-flagged] [--json]
                                    run the same variations with version N (default: the newest) and
                                    without a skill (or with version N of --against), in one batch
                                    numbered at random; prints the estimate first, progress on stderr,
                                    then the verification's id, its batch and what to do next; Ctrl+C
                                    cancels. Exit 1 unless every run finished. A version with flagged
                                    texts is installed only with --accept-flagged.
                                    --variations: fresh ones written from the task (default; never the
                                    prompts it was learned from), batch (the analysed batch's own: not
                                    held out), or a file (a numbered list or JSON [{difficulty, prompt}]);
                                    --repeats: runs per variation per arm (1 to 10, default 2);
                                    --budget: a cap in US dollars per run. The other run settings are
                                    the learned batch's unless given
  resume <verification> [--json]    run again what a stopped or cancelled verification did not finish
                                    (or write its variations again), and wait as verify does
  grade <verification> --file <file>
                                    grade its runs blind, by the deck's run numbers (as grade above)
  report <verification> [--json]    pass rate per arm with its 95% interval, the difference and its
                                    p-value, the pairs fixed and broken (both runs, each arm), by
                                    difficulty, cost, turns, tool errors and duration per arm, how often
                                    Claude Code loaded the skill, and warnings (--json: the whole view)
  verifications [<skill>] [--json]  every verification (of a skill): versions, where it is, pass rates
  explain <verification> [--via api|claude-cli] [--model M] [--claude PATH] [--json]
                                    for each pair fixed or broken: the rules the with-skill run followed
                                    or ignored, with where its trace shows it
  deepen <verification> [--via api|claude-cli] [--model M] [--merge-model M] [--claude PATH] [--json]
                                    the next version: its graded runs (both arms) analysed in deepen
                                    mode, as analyze does; prints the new version and how to verify it

--json prints JSON on stdout; warnings and progress go to stderr. projects, sessions, trace, index,
variations, batches, batch, feedback, skills, skill, report and verifications only read: they work
beside the app or any other command.

environment: CLAUDE_CONFIG_DIR (default ~/.claude), TRACE2SKILL_DATA_DIR (the app's data folder),
  ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL (model access for analyze, deepen and explain --via api, and
  variations, run without --variations and verify's fresh variations)`

/** commands that never change the store (they run beside the app or another command) */
const READ_ONLY = [
  'projects',
  'sessions',
  'trace',
  'index',
  'variations',
  'batches',
  'batch',
  'feedback',
  'skills',
  'skill',
  'report',
  'verifications'
]

function staticDirCandidates(): string[] {
  const here = dirname(fileURLToPath(import.meta.url))
  return [join(here, '../renderer'), join(here, '../../../out/renderer')]
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
    return {
      name: typeof v.name === 'string' && v.name ? v.name : basename(file, '.json'),
      text: v.text,
      templateDir: typeof v.templateDir === 'string' ? resolve(dirname(file), v.templateDir) : undefined
    }
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
    const parsed = z
      .array(z.object({ difficulty: DifficultySchema.default('normal'), prompt: z.string().min(1) }))
      .min(1)
      .safeParse(v)
    if (!parsed.success)
      throw new UsageError(
        `--variations ${file}: expected [{"difficulty", "prompt"}] (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`
      )
    return parsed.data
  }
  const { items, errors } = parseNumberedList(text)
  if (errors.length) throw new UsageError(`--variations ${file}: ${errors[0]}`)
  return items
}

async function runBatch(
  client: Client,
  o: {
    task: string
    variations?: string
    mix: Mix
    concurrency?: number
    maxTurns?: number
    preset?: string
    allowDomains?: string[]
    useMyClaudeSettings?: boolean
  },
  more: { model?: string; claude?: string },
  io: CliIo
) {
  const taskIn = await readTaskFile(o.task)
  const fromFile = o.variations ? await readVariationsFile(o.variations) : null
  // No --preset: sandboxed, and where it cannot work, a refusal that names the way out (never a silent fall-back).
  if (!o.preset) {
    const can = (await call<PermissionPreflight>(client, 'checkSandbox', {})).presets.sandboxed
    if (!can.available)
      throw new Error(
        `runs are sandboxed by default, and the sandbox is not available here: ${can.reason}. To run without it, pass --preset accept-edits`
      )
  }
  const settings = RunSettingsSchema.parse({
    concurrency: o.concurrency,
    maxTurns: o.maxTurns,
    model: more.model,
    claudePath: more.claude,
    permission: o.preset ?? 'sandboxed',
    allowedDomains: o.allowDomains,
    useMyClaudeSettings: o.useMyClaudeSettings
  })
  // before anything is saved: a run that cannot start leaves no task behind
  const check = await call<ClaudeCheck>(client, 'checkClaude', { path: settings.claudePath || 'claude' })
  if (!check.ok) throw new Error(`${check.error}. ${installHint('cli')}`)
  const task = await call<{ id: string }>(client, 'saveTask', taskIn)
  // no --variations: a model writes them, as the app's task page does (nothing is left if it fails)
  const variations = fromFile
    ? await call<Variation[]>(client, 'saveVariations', { taskId: task.id, variations: fromFile })
    : await writeVariationsFor(client, io, task.id, taskIn, o.mix).catch(async (err) => {
        await call(client, 'deleteTask', { id: task.id }).catch(() => {})
        throw err
      })
  io.err(`permissions: ${describePreset(settings)}`)
  io.err(`settings: ${describeClaudeSettings(settings)}`)
  // what the template brings for Claude Code, and that its settings do not load, before anything runs
  const template = await call<TemplateInspection | null>(client, 'inspectTemplate', { taskId: task.id })
  if (template?.entries.length) io.err([`template ${inline(template.dir)}:`, ...templateLines(template.entries)].join('\n'))
  const batch = await call<{ id: string; name: string; runIds: string[] }>(client, 'createBatch', { taskId: task.id, settings })
  io.err(`batch ${batch.id} ${JSON.stringify(inline(batch.name))}: ${plural(batch.runIds.length, 'run')}`)
  if (!fromFile)
    io.err(
      `the ${plural(variations.length, 'variation')} written are kept with the task ${JSON.stringify(inline(taskIn.name, 200))} and its batch (\`trace2skill batch ${batch.id}\` shows each prompt)`
    )
  // progress: a line per run that finishes, with the counts; on a terminal, a live line under them
  const board = new RunBoard()
  for (const r of await runsOf(client, batch.id)) board.update(r)
  const live = io.status?.start(() => board.line())
  const off = client.on((event, payload) => {
    if (event !== 'runProgress') return
    const r = (payload as { run: Run }).run
    if (r.batchId !== batch.id) return
    if (board.update(r)) io.err(board.finished(r))
    live?.changed()
  })
  let ended = false
  void io.untilStopped?.then(() => {
    if (ended) return
    io.err(`cancelling batch ${batch.id} (Ctrl+C again stops at once)`)
    void call(client, 'cancelBatch', { batchId: batch.id }).catch(() => {})
  })
  try {
    await client.ready()
    await call(client, 'startBatch', { batchId: batch.id })
    await batchEnded(client, batch.id)
    // a run whose last event had not come when the batch was seen ended: its line all the same
    for (const r of await runsOf(client, batch.id)) if (board.update(r)) io.err(board.finished(r))
  } finally {
    ended = true
    off()
    live?.stop()
  }
  const got = { runs: await runsOf(client, batch.id) }
  return {
    batchId: batch.id,
    batchName: batch.name,
    dataDir: (await call<AppInfo>(client, 'getAppInfo', {})).dataDir,
    next: `trace2skill grade ${batch.id} --file feedback.txt`,
    variations: { source: fromFile ? 'file' : 'written', count: variations.length },
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
      result: r.result,
      ...runNumbers(r)
    }))
  }
}

/** `verify`'s arguments, checked (and its variations file read) before the data folder is opened. */
async function verifyArgs(
  skill: string,
  values: {
    'skill-version'?: string
    against?: string
    variations?: string
    repeats?: string
    budget?: string
    concurrency?: string
    'max-turns'?: string
    model?: string
    claude?: string
    'accept-flagged'?: boolean
  },
  int: (name: string, v: string | undefined, min: number, max: number) => number | undefined,
  permission: VerifySettings['permission'],
  allowedDomains: string[] | undefined
): Promise<VerifyArgs> {
  const number = (flag: string, v: string | undefined, or = '') => {
    if (v === undefined) return undefined
    if (!/^[1-9]\d{0,5}$/.test(v))
      throw new UsageError(
        `--${flag} takes ${or}a version number of the skill (1, 2, ...: \`trace2skill skill <skill> --json\` lists its versions), not ${v}`
      )
    return Number(v)
  }
  const version = number('version', values['skill-version'])
  const against = values.against === 'none' ? 'none' : number('against', values.against, 'none or ')
  if (version !== undefined && against === version)
    throw new UsageError(`--against ${against} is the version verified: compare it with another version, or with no skill (--against none)`)
  const from = values.variations ?? 'fresh'
  let variations: VerifyArgs['variations']
  if (from === 'fresh' || from === 'batch') variations = { source: from }
  else {
    const items = await readVariationsFile(from)
    if (!items.length)
      throw new UsageError(`--variations ${from} has no variations: write a numbered list, or JSON [{"difficulty", "prompt"}]`)
    if (items.length > 200) throw new UsageError(`--variations ${from}: ${items.length} variations; a verification takes at most 200`)
    variations = { source: 'pasted', items, file: from }
  }
  let maxBudgetUsd: number | undefined
  if (values.budget !== undefined) {
    maxBudgetUsd = Number(values.budget)
    if (!/^(\d+\.?\d*|\.\d+)$/.test(values.budget) || !(maxBudgetUsd > 0) || maxBudgetUsd > 10_000)
      throw new UsageError(`--budget takes US dollars a run, more than 0 and at most 10000 (such as 0.50), not ${values.budget}`)
  }
  const given: VerifySettings = {
    concurrency: int('concurrency', values.concurrency, 1, 16),
    maxTurns: int('max-turns', values['max-turns'], 1, 1000),
    model: values.model,
    claudePath: values.claude,
    permission,
    allowedDomains,
    maxBudgetUsd
  }
  return {
    skill,
    version,
    against,
    variations,
    repeats: int('repeats', values.repeats, 1, 10),
    settings: Object.fromEntries(Object.entries(given).filter(([, x]) => x !== undefined)) as VerifySettings,
    ...(values['accept-flagged'] ? { acceptFlagged: true } : {})
  }
}

/** `variations`'s arguments, checked (and its task read) before anything is asked of a model. */
async function variationsArgs(values: { task?: string; mix?: string; out?: string; variations?: string }) {
  if (values.task === undefined) throw new UsageError('variations needs --task <file> (JSON {name, text} or a text file)')
  if (values.variations !== undefined) throw new UsageError('variations writes variations: it takes no --variations (use --out FILE)')
  const mix = parseMix(values.mix)
  if (values.out !== undefined && (await stat(values.out).catch(() => null)))
    throw new UsageError(`--out ${values.out} exists: give a new file name (nothing was overwritten)`)
  return { task: await readTaskFile(values.task), taskFile: values.task, mix, out: values.out }
}

/** A built worker script beside the built CLI (absent when running from source). */
function builtWorker(name: string): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url))
  return [join(here, name), join(here, '..', name)].find((f) => existsSync(f))
}

const fmtBytes = (n: number) =>
  n > 1e9 ? `${(n / 1e9).toFixed(2)} GB` : n > 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${(n / 1e3).toFixed(1)} kB`

/** What the analysts read (or would), in lines: the window, text and images, and each cut in order. */
const readLines = (r: ContextReport | undefined): string[] => {
  if (!r) return []
  const n = (x: number) => x.toLocaleString('en-US')
  return [
    `the analysts read ${n(r.textTokens)} tokens of text and ${n(r.imageTokens)} of images (${r.images} screenshots, ${r.outputFiles} output files) of a ${n(r.window)}-token window: ${r.cuts.length ? 'cut to fit, in this order:' : 'nothing cut'}`,
    ...describeCuts(r.cuts).map((c) => `  - ${c}`),
    ...(r.redacted ? [`${describeRedactions(r.redacted)}, before any model read them (the runs are kept as they were)`] : [])
  ]
}

const tokensOf = (a: AnalystStatusInfo) => a.usage.input + a.usage.output + a.usage.cacheRead + a.usage.cacheCreation
const analystLine = (a: AnalystStatusInfo) =>
  `${a.kind} analyst: ${a.state}` +
  (a.state === 'queued'
    ? ''
    : ` (${tokensOf(a).toLocaleString('en-US')} tokens, $${a.costUsd.toFixed(2)}${a.rounds ? `, ${a.rounds} round${a.rounds === 1 ? '' : 's'} of looking closer` : ''}${a.attempt > 1 ? `, attempt ${a.attempt}` : ''})`) +
  (a.state === 'failed' && a.error ? `: ${inline(a.error.split('\n')[0])}` : '')

async function analyzeBatch(
  client: Client,
  batchArg: string,
  o: {
    via?: 'api' | 'claude-cli'
    model?: string
    mergeModel?: string
    claude?: string
    mobile?: boolean
    /** deepen: the verification whose runs (its batch's) make the skill's next version */
    deepenFrom?: string
  },
  io: CliIo
): Promise<{ analysis: Analysis; skill: SkillView | null }> {
  const batchId = await findBatch(client, o.deepenFrom ?? batchArg)
  const runs = await runsOf(client, batchId)
  if (!runs.some((r) => r.feedback?.label)) {
    const name = await batchName(client, batchId)
    const none = runs.length === 1 ? 'its 1 run is ungraded' : `its ${runs.length} runs are all ungraded`
    throw new Error(
      runs.length
        ? `No graded runs in ${JSON.stringify(name)}: ${none}. Grade ${runs.length === 1 ? 'it' : 'them'} with ${gradeCommand(o.deepenFrom ?? batchId)} (one line per run: ${FEEDBACK_EXAMPLE}), or in the app's review deck (Grade the runs on the batch page)`
        : `No runs in ${JSON.stringify(name)}: nothing to analyse (add runs in the app: Add to a batch in the session browser)`
    )
  }
  // The analysis this starts: the events of its batch until its id is known, then its own.
  let id: string | null = null
  const seen = new Map<string, string>()
  let phase = ''
  let last: Analysis | null = null
  const began = Date.now()
  const live = io.status?.start(() => analysisLine(last, began))
  const show = (a: Analysis) => {
    last = a
    live?.changed()
    // the evidence being made ready: said once, when it starts
    if (a.preparing && phase !== 'preparing') {
      phase = 'preparing'
      io.err(inline(a.preparing))
    }
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
    if (!a.preparing) phase = a.state
  }
  const off = client.on((event, payload) => {
    if (event !== 'analysisProgress') return
    const a = (payload as { analysis: Analysis }).analysis
    if (id ? a.id === id : a.batchId === batchId) show(a)
  })
  // Ctrl+C cancels the analysis (once it has an id); the analysts stop and it ends as cancelled.
  let stopRequested = false
  let finished = false
  const cancel = () => {
    if (id && !finished) void call(client, 'cancelAnalysis', { analysisId: id }).catch(() => {})
  }
  void io.untilStopped?.then(() => {
    stopRequested = true
    cancel()
  })
  try {
    await client.ready()
    const models = {
      ...(o.via ? { via: o.via } : {}),
      ...(o.model ? { model: o.model } : {}),
      ...(o.mergeModel ? { mergeModel: o.mergeModel } : {}),
      ...(o.claude ? { claudePath: o.claude } : {})
    }
    const started = o.deepenFrom
      ? await call<Analysis>(client, 'deepenFromVerification', { verificationId: o.deepenFrom, ...models })
      : await call<Analysis>(client, 'startAnalysis', { batchId, ...models, ...(o.mobile ? { mobile: true } : {}) })
    id = started.id
    if (stopRequested) cancel()
    await analysisEnded(client, id)
    // what its last events had not said yet when it was seen ended
    show(await call<Analysis>(client, 'getAnalysis', { analysisId: id }))
  } finally {
    finished = true
    off()
    live?.stop()
  }
  const analysis = await call<Analysis>(client, 'getAnalysis', { analysisId: id })
  const skill = analysis.skillId ? await call<SkillView>(client, 'getSkill', { skillId: analysis.skillId }) : null
  return { analysis, skill }
}

/** An analysis's warnings on stderr; that its runs were analysed in groups is how it works, said as a plain note. */
function sayWarnings(analysis: Analysis, io: CliIo) {
  const note = groupsNote(analysis.runNumbers.length, analysis.context.chunks)
  for (const w of analysis.warnings) io.err(w === note ? note : `warning: ${inline(w)}`)
}

/** "3 core, 2 guidance, 1 edge-case rules (4 discarded)" */
function tiersText(skill: Skill): string {
  const count = (t: string) => skill.rules.filter((r) => r.tier === t).length
  return `${count('core')} core, ${count('guidance')} guidance, ${count('edge-case')} edge-case rules (${count('discarded')} discarded)`
}
const notValidYet = (problems: string[]) =>
  `not valid for export yet: ${inline(problems.join('; '))}: fix its name and description in the app's composer (Skills)`

/** Why an analysis did not end done, in one line. */
function notDone(analysis: Analysis): string {
  if (analysis.state === 'cancelled') return 'the analysis was cancelled'
  const why = analysis.merge.error ?? analysis.warnings[analysis.warnings.length - 1] ?? analysis.state
  return `the analysis ${analysis.state}: ${inline(why)}`
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
function busyMessage(command: string, err: DataDirBusyError, unreachable?: string): string {
  const m = `${err.message}${unreachable ? ` It cannot be gone through: ${unreachable}.` : ''} Commands that only read (${READ_ONLY.join(', ')}) work meanwhile.`
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

/** What names a batch for people: its id, name, task, when, and its permission preset (imported: none). */
const batchHead = (service: Service, b: Batch) => ({
  id: b.id,
  name: b.name,
  task: b.taskId ? (service.store.index.task(b.taskId)?.name ?? null) : null,
  createdAt: b.createdAt,
  preset: b.taskId ? b.settings.permission : null
})

/** Every batch, newest first, with what a headless user needs to pick one. */
async function listBatches(service: Service) {
  const { batches, analyses, skills } = service.store
  const docs = (await Promise.all(batches.ids().map((id) => batches.get(id)))).filter((d): d is NonNullable<typeof d> => !!d)
  return docs
    .sort((x, y) => y.batch.createdAt.localeCompare(x.batch.createdAt))
    .map((doc) => {
      const b = doc.batch
      const runs = batches.runsOf(doc).sort((x, y) => x.number - y.number)
      const count = (f: (r: Run) => boolean) => runs.filter(f).length
      return {
        ...batchHead(service, b),
        runs: runs.length,
        ...Object.fromEntries(STATES.map((s) => [s, count((r) => r.state === s)])),
        graded: count((r) => !!r.feedback?.label),
        good: count((r) => r.feedback?.label === 'good'),
        bad: count((r) => r.feedback?.label === 'bad'),
        analyses: analyses.ofBatch(b.id).length,
        skills: skills.ids().filter((id) => skills.head(id)?.batchIds.includes(b.id)),
        states: statesLine(runs)
      }
    })
}

/** One batch with each run's state, grade and what it made. */
async function showBatch(service: Service, batchId: string) {
  const doc = (await service.store.batches.get(batchId))!
  const b = doc.batch
  const runs = service.store.batches.runsOf(doc).sort((x, y) => x.number - y.number)
  // a verification's runs: nothing here says which arm a run was in (the deck is blind)
  const verificationId = service.verify.ofBatch(batchId)
  return {
    ...batchHead(service, b),
    ...(verificationId ? { verificationId } : {}),
    graded: runs.filter((r) => r.feedback?.label).length,
    runs: await Promise.all(
      runs.map(async (r) => {
        const shown = {
          number: r.number,
          state: r.state,
          reason: r.reason ?? null,
          difficulty: r.difficulty ?? null,
          prompt: r.prompt,
          label: r.feedback?.label ?? null,
          text: r.feedback?.text ?? '',
          files: r.files.map((f) => f.path),
          screenshots: r.screenshots.flatMap((s) => s.shots.map((x) => x.file)),
          result: r.result ?? null,
          imported: r.imported
        }
        // until its verification's last grade: no session, folder or numbers (they tell its arm); what it
        // made is here instead of its folder: each text file it wrote (up to 256 KB)
        if (service.blind.run(r).blind) return { ...shown, blind: true as const, texts: await textsOf(r) }
        return { ...shown, workspace: r.workspace ?? null, sessionId: r.sessionId, ...runNumbers(r) }
      })
    )
  }
}

/** The text files a run made (or changed), by path: what a blind grader reads instead of its folder. */
async function textsOf(r: Run): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const f of r.files) {
    if (f.status === 'deleted' || f.binary) continue
    const got = await readInsideFile(r.workspace, f.path, 256 * 1024).catch(() => null)
    if (got && got.size <= 256 * 1024 && !isBinary(got.buf)) out[f.path] = got.buf.toString('utf8')
  }
  return out
}

export async function runCli(argv: string[], rawIo: CliIo): Promise<number> {
  // Whatever is printed may hold text from a run, a trace, a model or a file name: inert, always. On a
  // terminal, long work keeps a live line at the foot of stderr, and every line printed goes above it.
  const status = new StatusLine(rawIo, rawIo.tty)
  const io: CliIo = { ...rawIo, out: (t) => status.out(inert(t)), err: (t) => status.err(inert(t)), status }
  // Claude Code's project folder names start with '-' (e.g. -home-me-app): not options.
  const flags = new Set([
    '--json',
    '--port',
    '--project',
    '--task',
    '--variations',
    '--concurrency',
    '--max-turns',
    '--model',
    '--merge-model',
    '--via',
    '--claude',
    '--preset',
    '--allow-domain',
    '--file',
    '--against',
    '--repeats',
    '--budget',
    '--skill-version',
    '--dry-run',
    '--accept-flagged',
    '--estimate',
    '--mobile',
    '--mix',
    '--out',
    '--help',
    '-h',
    '--version',
    '-v'
  ])
  const booleans = ['--json', '--dry-run', '--accept-flagged', '--estimate', '--mobile', '--help', '-h', '--version', '-v']
  // `verify --version N` is a version of the skill, not this program's: the command is the first word
  // that is not an option or an option's value
  const commandWord = argv.find((a, i) => !a.startsWith('-') && !(flags.has(argv[i - 1]) && !booleans.includes(argv[i - 1])))
  if (commandWord === 'verify')
    argv = argv.map((a) => (a === '--version' || a.startsWith('--version=') ? a.replace('--version', '--skill-version') : a))
  const args: string[] = []
  const loose: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--') {
      loose.push(...argv.slice(i + 1))
      i = argv.length
    }
    // a value that starts with '-' (`--port -1`, `--project -home-me-app`) stays with its option
    else if (flags.has(a) && !booleans.includes(a) && argv[i + 1]?.startsWith('-') && !flags.has(argv[i + 1].split('=')[0]))
      args.push(`${a}=${argv[++i]}`)
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
        'my-claude-settings': { type: 'boolean', default: false },
        file: { type: 'string' },
        against: { type: 'string' },
        repeats: { type: 'string' },
        budget: { type: 'string' },
        'skill-version': { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        'accept-flagged': { type: 'boolean', default: false },
        estimate: { type: 'boolean', default: false },
        mobile: { type: 'boolean', default: false },
        mix: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false }
      }
    })
  } catch (err) {
    const m = (err as Error).message.split('\n')[0]
    io.err(`trace2skill: ${m.includes('--skill-version') ? 'verify --version takes a version number of the skill (--version N)' : m}`)
    return 2
  }
  const { values, positionals } = parsed
  const [command, ...rest] = positionals
  // a path to claude is this shell's (the running app this may go through has its own working folder)
  if (values.claude && /[\\/]/.test(values.claude)) values.claude = resolve(values.claude)
  if (values.version) {
    io.out(VERSION)
    return 0
  }
  if (values.help || !command) {
    ;(command || values.help ? io.out : io.err)(USAGE)
    return values.help ? 0 : 2
  }
  const json = values.json
  const print = (value: unknown, human: () => string) => {
    const text = json ? jsonText(value) : human()
    // nothing to say in words (an empty list: stderr says why): no empty line either
    if (json || text) io.out(text)
  }

  let service: Service | null = null
  /** the running app this command goes through (it holds the data folder), or null */
  let remote: Client | null = null
  try {
    const want = (n: number, what: string) => {
      if (rest.length !== n)
        throw new UsageError(rest.length < n ? `${command} needs ${what}` : `${command}: unexpected argument ${rest[n]}`)
    }
    const known = [
      'projects',
      'sessions',
      'trace',
      'index',
      'web',
      'variations',
      'run',
      'batches',
      'batch',
      'grade',
      'feedback',
      'analyze',
      'skills',
      'skill',
      'export',
      'verify',
      'resume',
      'report',
      'verifications',
      'explain',
      'deepen'
    ]
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
      batch: [1, 'a batch (its id or name)'],
      grade: [1, 'a batch (its id or name)'],
      feedback: [1, 'a batch (its id or name)'],
      skill: [1, 'a skill (its id or name)'],
      export: [2, 'a skill (its id or name) and a folder'],
      verify: [1, 'a skill (its id or name)'],
      resume: [1, 'a verification (its id; `trace2skill verifications` lists them)'],
      report: [1, 'a verification (its id; `trace2skill verifications` lists them)'],
      explain: [1, 'a verification (its id; `trace2skill verifications` lists them)'],
      deepen: [1, 'a verification (its id; `trace2skill verifications` lists them)']
    }
    // verifications: of every skill, or of one
    if (command === 'verifications') want(Math.min(rest.length, 1), '')
    else want(...(needs[command] ?? [0, '']))
    if (values.via !== undefined && values.via !== 'api' && values.via !== 'claude-cli')
      throw new UsageError(`--via takes api or claude-cli, not ${values.via}`)
    const int = (name: string, v: string | undefined, min: number, max: number) => {
      if (v === undefined) return undefined
      const n = Number(v)
      if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} takes a whole number from ${min} to ${max}, not ${v}`)
      return n
    }
    const preset = () =>
      values.preset === undefined || (PERMISSION_PRESETS as readonly string[]).includes(values.preset)
        ? (values.preset as (typeof PERMISSION_PRESETS)[number] | undefined)
        : (() => {
            throw new UsageError(`--preset takes ${PERMISSION_PRESETS.join(', ')}, not ${values.preset}`)
          })()
    const allowDomains = () =>
      values['allow-domain']?.map((d) => {
        if ((values.preset ?? 'sandboxed') !== 'sandboxed')
          throw new UsageError('--allow-domain applies to --preset sandboxed only (the other presets do not limit the network)')
        const r = DomainSchema.safeParse(d)
        if (!r.success)
          throw new UsageError(`--allow-domain takes a host such as example.com, *.example.com or db.example.com:5432, not ${d}`)
        return r.data
      })
    const runOpts =
      command === 'run'
        ? {
            task:
              values.task ??
              (() => {
                throw new UsageError('run needs --task <file>')
              })(),
            variations: values.variations,
            mix:
              values.mix !== undefined && values.variations !== undefined
                ? (() => {
                    throw new UsageError('run takes --variations <file> or --mix (variations written for it), not both')
                  })()
                : parseMix(values.mix),
            concurrency: int('concurrency', values.concurrency, 1, 16),
            maxTurns: int('max-turns', values['max-turns'], 1, 1000),
            preset: preset(),
            allowDomains: allowDomains(),
            useMyClaudeSettings: values['my-claude-settings'] || undefined
          }
        : null
    const variationsOpts = command === 'variations' ? await variationsArgs(values) : null
    const verifyOpts = command === 'verify' ? await verifyArgs(rest[0], values, int, preset(), allowDomains()) : null
    // grade: the feedback is read before the data folder is taken (a pipe from `feedback` works)
    let feedbackText = ''
    const feedbackFrom = values.file === '-' ? 'stdin' : values.file
    if (command === 'grade') {
      if (values.file === undefined)
        throw new UsageError(`grade needs --file <file> (one line per run: ${FEEDBACK_EXAMPLE}; \`-\` reads standard input)`)
      feedbackText =
        values.file === '-'
          ? await (io.readStdin ?? (() => Promise.reject(new UsageError('no standard input here'))))()
          : await readFile(values.file, 'utf8').catch((e: NodeJS.ErrnoException) => {
              throw new UsageError(`cannot read --file ${values.file}: ${e.code ?? e.message}`)
            })
    }

    const data = dataDir(io.env)
    service = await createService({
      configDir: claudeConfigDir(io.env),
      dataDir: data,
      mode: 'web',
      version: VERSION,
      // Commands that only read take no lock and write no store, so they work beside the app.
      readOnly: READ_ONLY.includes(command) || (command === 'analyze' && values.estimate),
      owner: `\`trace2skill ${command}\``,
      watch: command === 'web',
      indexOnStart: command === 'web',
      summaryWorker: builtWorker('summary-worker.js'),
      imageWorker: builtWorker('image-worker.js'),
      screenshots: ['run', 'web', 'verify', 'resume'].includes(command) ? screenshotPort(io) : undefined,
      env: io.env
    }).catch(async (err) => {
      if (!(err instanceof DataDirBusyError)) throw err
      // held by the running app (the desktop app, `trace2skill web`): go through it, as its client
      const app = command === 'web' ? null : await appHolding(data, err)
      if (!app || 'why' in app) throw new Error(busyMessage(command, err, app?.why))
      remote = await remoteClient(app.endpoint).catch((e: Error) => {
        throw new Error(busyMessage(command, err, e.message))
      })
      io.err(`the data folder is held by ${app.endpoint.what} (pid ${app.endpoint.pid}): going through it`)
      return null
    })
    const client: Client = service ? localClient(service) : remote!
    const notices = service?.notices ?? []
    const shown = notices.length
    for (const n of notices) io.err(`warning: ${inline(`${n.message}${n.detail ? ` ${n.detail}` : ''}`)}`)
    /** this process's own service: the commands that only read (and web) always have one */
    const local = () => service!
    const ctx: Ctx = { client, dataDir: data, io, print }

    switch (command) {
      case 'projects': {
        // through the contract: a blind verification's run folders are left out, as on every screen
        const projects = await call<Project[]>(client, 'listProjects', {})
        print(
          projects,
          () =>
            projects
              .map((p) => `${inline(p.cwd ?? p.dir)}\t${p.sessions} sessions\t${inline(p.lastActivity ?? '-')}\t${fmtBytes(p.bytes)}`)
              .join('\n') || 'no projects'
        )
        break
      }
      case 'sessions': {
        const arg = rest[0]
        const abs = resolve(arg)
        const projectId =
          existsSync(abs) && (arg.includes('/') || arg === '.' || arg === '..')
            ? (await call<{ id: string }>(client, 'openFolder', { path: abs })).id
            : arg
        const sessions = await call<{ sessionId: string; firstPrompt: string; turns: number; toolCalls: number; end?: string }[]>(
          client,
          'listSessions',
          { projectId }
        )
        print(
          sessions,
          () =>
            sessions
              .map(
                (s) => `${s.sessionId}\t${inline(s.end ?? '-')}\t${s.turns} turns\t${s.toolCalls} tool calls\t${inline(s.firstPrompt, 60)}`
              )
              .join('\n') || 'no sessions'
        )
        break
      }
      case 'trace': {
        const trace = await call<Trace>(client, 'getTrace', {
          sessionId: rest[0],
          ...(values.project ? { projectId: values.project } : {})
        })
        for (const w of trace.warnings) io.err(`warning: line ${w.line}: ${inline(w.message)}`)
        print(trace, () => traceText(trace))
        break
      }
      case 'index': {
        const totals = await local().index.indexAll()
        print(
          totals,
          () =>
            `${totals.projects} projects, ${totals.sessions} sessions, ${fmtBytes(totals.bytes)}, ${totals.toolCalls} tool calls (${totals.toolErrors} errors), ${totals.tokens} tokens, $${totals.costUsd.toFixed(2)}, ${totals.seconds.toFixed(2)} s`
        )
        break
      }
      case 'variations': {
        const a = variationsOpts!
        const items = await askForVariations(client, io, a.task, a.mix, values.model)
        const asJson = json || a.out?.endsWith('.json')
        const list = variationList(items)
        const text = asJson ? `${JSON.stringify(items, null, 2)}\n` : list.text
        if (!asJson && list.flattened.length)
          io.err(
            list.flattened.length === 1
              ? `note: variation ${list.flattened[0]} is put on one line (its own numbered lines would read as new variations; --json keeps it as written)`
              : `note: variations ${list.flattened.join(', ')} are put on one line (their own numbered lines would read as new variations; --json keeps them as written)`
          )
        if (a.out) {
          await writeNewFile(a.out, text)
          io.err(`${plural(items.length, 'variation')} written to ${inline(a.out)}`)
        } else if (asJson) print(items, () => '')
        else io.out(text.replace(/\n$/, ''))
        io.err(`next: trace2skill run --task ${inline(a.taskFile)} --variations ${a.out ? inline(a.out) : '<that list, saved to a file>'}`)
        break
      }
      case 'run': {
        const batch = await runBatch(client, runOpts!, { model: values.model, claude: values.claude }, io)
        const done = batch.runs.filter((r) => r.state === 'done').length
        print(batch, () =>
          [
            ...batch.runs.map(
              (r) => `Run ${r.number}: ${r.state}${r.reason ? ` (${inline(r.reason)})` : ''}  ${inline(r.workspace ?? '')}`
            ),
            `results: ${batch.dataDir}`,
            `batch ${batch.batchId} ${JSON.stringify(batch.batchName)}: ${done} of ${plural(batch.runs.length, 'run')} done`,
            `next: grade the runs in the app (Grade the runs on the batch page), or write one line per run (${FEEDBACK_EXAMPLE}; \`trace2skill batch ${batch.batchId}\` shows what each made) and run ${gradeCommand(batch.batchId)}`
          ].join('\n')
        )
        if (batch.runs.some((r) => r.state !== 'done')) return finish(1)
        break
      }
      case 'batches': {
        const list = await listBatches(local())
        if (!list.length) io.err(`no batches yet: ${MAKE_BATCH}, or in the app (Tasks & runs)`)
        print(
          list.map(({ states: _states, ...b }) => b),
          () =>
            list
              .map((b) =>
                [
                  b.id,
                  inline(b.name),
                  `${plural(b.runs, 'run')} (${b.states})`,
                  `${b.graded} of ${b.runs} graded`,
                  b.createdAt.slice(0, 16).replace('T', ' '),
                  b.skills.length ? `${plural(b.skills.length, 'skill')}` : ''
                ]
                  .filter(Boolean)
                  .join('\t')
              )
              .join('\n')
        )
        break
      }
      case 'batch': {
        const b = await showBatch(local(), await findBatch(client, rest[0]))
        const vid = b.verificationId
        print(b, () =>
          [
            `batch ${b.id} ${JSON.stringify(b.name)}${b.task ? ` (task ${JSON.stringify(b.task)})` : ''}${b.preset ? `, ${b.preset}` : ''}: ${plural(b.runs.length, 'run')} (${statesLine(b.runs)}), ${b.graded} of ${b.runs.length} graded`,
            ...(vid
              ? [
                  `blind: the runs of verification ${vid}, both arms numbered at random; grade them by what they made with ${gradeCommand(vid)}, then \`trace2skill report ${vid}\` says which was which`
                ]
              : []),
            ...b.runs.flatMap((r) => [
              `Run ${r.number}: ${r.state}${r.reason ? ` (${inline(r.reason)})` : ''}, ${r.label ? `${r.label}${r.text.trim() ? ` - ${oneLineOf(r.text, 120)}` : ''}` : 'ungraded'}${r.difficulty ? ` (${r.difficulty})` : ''}`,
              `  prompt: ${oneLineOf(r.prompt, 160)}`,
              ...('workspace' in r && r.workspace ? [`  workspace: ${inline(r.workspace)}`] : []),
              ...(r.files.length ? [`  files: ${r.files.map((f) => inline(f)).join(', ')}`] : []),
              ...r.screenshots.map((f) => `  screenshot: ${inline(f)}`),
              ...(r.result ? [`  answer: ${oneLineOf(r.result, 160)}`] : []),
              // a verification's trace shows whether the skill was loaded: not while grading blind
              ...(vid || !('sessionId' in r) ? [] : [`  trace: trace2skill trace ${r.sessionId}`])
            ])
          ].join('\n')
        )
        break
      }
      case 'feedback': {
        const batchId = await findBatch(client, rest[0])
        const name = await batchName(client, batchId)
        const exported = await call<{ text: string; graded: number; total: number }>(client, 'exportFeedback', { batchId })
        const all = await runsOf(client, batchId)
        const graded = all.filter((r) => r.feedback?.label)
        // in run-number order (a verification's runs are queued in another order): the same lines
        const got = { ...exported, text: graded.map((r) => `${inline(formatFeedbackLine(r.number, r.feedback!))}\n`).join('') }
        if (!got.graded)
          io.err(
            `no graded runs in ${JSON.stringify(name)} (${plural(got.total, 'run')}): grade them with ${gradeCommand((await getBatch(client, batchId))?.verificationId ?? batchId)}, or in the app's review deck`
          )
        else if (got.graded < got.total)
          io.err(
            `${got.graded} of ${got.total} runs graded (ungraded: ${all
              .filter((r) => !r.feedback?.label)
              .map((r) => r.number)
              .join(', ')})`
          )
        print(
          {
            batchId,
            batchName: name,
            ...got,
            runs: graded.map((r) => ({ number: r.number, label: r.feedback!.label, text: r.feedback!.text }))
          },
          () => got.text.replace(/\n$/, '')
        )
        break
      }
      case 'grade': {
        const batchId = await findBatch(client, rest[0])
        const name = await batchName(client, batchId)
        // copies: what the runs were before grading (the documents change in place)
        const before = structuredClone(await runsOf(client, batchId))
        const busy = before.filter((r) => r.state === 'queued' || r.state === 'running')
        if (busy.length)
          throw new Error(
            `${plural(busy.length, 'run')} of ${JSON.stringify(name)} ${busy.length === 1 ? 'is' : 'are'} still running (${busy.map((r) => `Run ${r.number}`).join(', ')}): grade once the batch has finished`
          )
        const lines = feedbackText.split(/\r?\n/).filter((l) => l.trim()).length
        if (!lines) throw new Error(`no feedback lines in ${feedbackFrom}: write one line per run, e.g. ${FEEDBACK_EXAMPLE}`)
        const was = new Map(before.map((r) => [r.number, r.feedback]))
        const res = await call<{ applied: number; errors: string[] }>(client, 'importFeedback', { batchId, text: feedbackText })
        if (res.errors.length) {
          for (const e of res.errors) io.err(`${feedbackFrom}: ${e}`)
          io.err(`trace2skill: nothing applied: ${plural(res.errors.length, 'bad line')} (of ${lines}); fix them and run grade again`)
          return finish(1)
        }
        const entries = parseFeedback(
          feedbackText,
          before.map((r) => r.number)
        ).entries.sort((a, b) => a.number - b.number)
        const after = await runsOf(client, batchId)
        const changed = after.filter((r) => JSON.stringify(r.feedback) !== JSON.stringify(was.get(r.number))).length
        const ungraded = after.filter((r) => !r.feedback?.label).map((r) => r.number)
        const graded = after.length - ungraded.length
        // a verification's runs: next is its report (the arms compared)
        const vid = (await getBatch(client, batchId))?.verificationId
        const leftOut = ungraded.length
          ? ` (the ${plural(ungraded.length, 'ungraded run')} ${ungraded.length === 1 ? 'is' : 'are'} left out)`
          : ''
        print(
          {
            batchId,
            batchName: name,
            ...(vid ? { verificationId: vid } : {}),
            applied: entries.map((e) => ({ number: e.number, label: e.label, text: e.text })),
            changed,
            graded,
            total: after.length,
            ungraded
          },
          () =>
            [
              ...entries.map((e) => inline(formatFeedbackLine(e.number, e))),
              `${graded} of ${plural(after.length, 'run')} graded in ${JSON.stringify(name)} (${changed} changed${ungraded.length ? `; ungraded: ${ungraded.join(', ')}` : ''})`,
              vid ? `next: trace2skill report ${vid}${leftOut}` : `next: trace2skill analyze ${batchId}${leftOut}`
            ].join('\n')
        )
        break
      }
      case 'skills': {
        const list = await Promise.all(
          (await call<Skill[]>(client, 'listSkills', {})).map(async (s) => {
            const view = await call<SkillView>(client, 'getSkill', { skillId: s.id })
            const count = (t: string) => s.rules.filter((r) => r.tier === t).length
            return {
              id: s.id,
              name: s.frontMatter.name,
              description: s.frontMatter.description,
              title: s.title,
              batches: s.batchIds,
              rules: { core: count('core'), guidance: count('guidance'), edgeCase: count('edge-case'), discarded: count('discarded') },
              valid: !view.problems.length,
              problems: view.problems,
              versions: view.versions.length,
              updatedAt: s.updatedAt
            }
          })
        )
        if (!list.length) io.err(`no skills yet: ${MAKE_SKILL}`)
        print(list, () =>
          list
            .map((s) =>
              [
                s.id,
                inline(s.name),
                `${s.rules.core} core, ${s.rules.guidance} guidance, ${s.rules.edgeCase} edge-case rules`,
                s.valid ? 'valid' : `not valid: ${inline(s.problems.join('; '))}`,
                s.updatedAt.slice(0, 16).replace('T', ' ')
              ].join('\t')
            )
            .join('\n')
        )
        break
      }
      case 'skill': {
        const view = await call<SkillView>(client, 'getSkill', { skillId: (await findSkill(client, rest[0])).id })
        print(view, () => view.skillMd.replace(/\n$/, ''))
        break
      }
      case 'analyze': {
        if (values.estimate) {
          const batchId = await findBatch(client, rest[0])
          const est = await call<AnalysisEstimate>(client, 'estimateAnalysis', {
            batchId,
            ...(values.via ? { via: values.via } : {}),
            ...(values.model ? { model: values.model } : {}),
            ...(values['merge-model'] ? { mergeModel: values['merge-model'] } : {}),
            ...(values.mobile ? { mobile: true } : {})
          })
          for (const w of est.warnings) io.err(`warning: ${inline(w)}`)
          const usd = est.usd === null ? 'no price known for these models' : `about $${est.usd.toFixed(2)}`
          print(est, () =>
            [
              `${usd} (${est.contextTokens.toLocaleString('en-US')} tokens of context over ${est.runs} graded runs, model ${est.model}, merge ${est.mergeModel}). ${est.basis}.`,
              ...readLines(est.report),
              `next: trace2skill analyze ${batchId}`
            ].join('\n')
          )
          break
        }
        const got = await analyzeBatch(
          client,
          rest[0],
          {
            via: values.via as 'api' | 'claude-cli' | undefined,
            model: values.model,
            mergeModel: values['merge-model'],
            mobile: values.mobile,
            claude: values.claude
          },
          io
        )
        const { analysis, skill } = got
        sayWarnings(analysis, io)
        print(got, () => {
          const lines = [
            `analysis ${analysis.id}: ${analysis.state} (${analysis.context.runs} runs; ${analysis.analysts.map((a) => `${a.kind} ${a.state}`).join(', ')})`,
            ...readLines(analysis.context.report)
          ]
          if (skill) {
            lines.push(`skill ${skill.skill.id} (${inline(skill.skill.frontMatter.name)}): ${tiersText(skill.skill)}`)
            if (skill.problems.length) lines.push(notValidYet(skill.problems))
            lines.push(`next: trace2skill export ${skill.skill.id} <project folder> (or edit it first in the app: Skills)`)
          }
          return lines.join('\n')
        })
        if (analysis.state !== 'done') {
          io.err(`trace2skill: ${notDone(analysis)}`)
          return finish(1)
        }
        break
      }
      case 'export': {
        const skill = await findSkill(client, rest[0])
        const { problems } = await call<SkillView>(client, 'getSkill', { skillId: skill.id })
        if (problems.length)
          throw new Error(`the skill is not valid yet: ${problems.join('; ')}: fix its name and description in the app's composer (Skills)`)
        const folder = resolve(rest[1])
        const st = await stat(folder).catch(() => null)
        if (!st) throw new Error(`export folder does not exist: ${folder}`)
        if (!st.isDirectory()) throw new Error(`not a folder: ${folder}`)
        // texts an agent would obey that hold a command, a URL or text copied from a run: named, and refused unless accepted
        const flagged = skillFlags(skill)
        if (flagged.length) for (const line of describeFlagged(flagged)) io.err(`flagged: ${line}`)
        if (values['dry-run']) {
          const plan = await call<ExportPlan>(client, 'planSkillExport', { skillId: skill.id, folder })
          print(plan, () =>
            [...plan.files.map((f) => `${f.status}\t${inline(f.path)}`), `dry run: nothing written to ${inline(plan.folder)}`].join('\n')
          )
        } else {
          if (flagged.length && !values['accept-flagged']) {
            io.err(
              `trace2skill: ${flaggedRefusal(flagged, 'export with --accept-flagged').split(': read ')[0]}: read the lines above, then export with --accept-flagged; nothing was written`
            )
            return finish(1)
          }
          const done = await call<ExportResult>(client, 'exportSkill', {
            skillId: skill.id,
            folder,
            acceptFlagged: values['accept-flagged']
          })
          print(done, () =>
            [
              ...done.written.map((p) => `written\t${inline(p)}`),
              ...done.unchanged.map((p) => `unchanged\t${inline(p)}`),
              ...done.backups.map((b) => `backup\t${inline(b.path)} -> ${inline(b.backup)}`),
              `exported ${inline(skill.frontMatter.name)} to ${inline(done.folder)}`
            ].join('\n')
          )
        }
        break
      }
      case 'verify':
        return finish(await verifyCommand(ctx, verifyOpts!))
      case 'resume':
        return finish(await resumeCommand(ctx, rest[0]))
      case 'report':
        return finish(await reportCommand(ctx, rest[0]))
      case 'verifications':
        return finish(await listCommand(ctx, rest[0]))
      case 'explain':
        return finish(
          await explainCommand(ctx, rest[0], {
            via: values.via as 'api' | 'claude-cli' | undefined,
            model: values.model,
            claude: values.claude
          })
        )
      case 'deepen': {
        const v = await findVerification(client, rest[0])
        const before = (await call<SkillView>(client, 'getSkill', { skillId: v.skillId }).catch(() => null))?.versions.length ?? 0
        const got = await analyzeBatch(
          client,
          v.id,
          {
            via: values.via as 'api' | 'claude-cli' | undefined,
            model: values.model,
            mergeModel: values['merge-model'],
            claude: values.claude,
            deepenFrom: v.id
          },
          io
        )
        const { analysis, skill } = got
        sayWarnings(analysis, io)
        const newest = skill?.versions.reduce((x, y) => (y.number > x.number ? y : x), skill.versions[0])
        const made = skill && newest && skill.versions.length > before ? newest : null
        print({ ...got, verificationId: v.id, version: made ? made.number : null }, () => {
          const lines = [
            `analysis ${analysis.id}: ${analysis.state} (${analysis.context.runs} runs of verification ${v.id}, both arms; ${analysis.analysts.map((a) => `${a.kind} ${a.state}`).join(', ')})`,
            ...readLines(analysis.context.report)
          ]
          if (skill) {
            const name = inline(skill.skill.frontMatter.name || skill.skill.id)
            lines.push(
              `skill ${skill.skill.id} (${name}): ${made ? `version ${made.number}` : 'no new version (nothing changed)'}: ${tiersText(skill.skill)}`
            )
            if (skill.problems.length) lines.push(notValidYet(skill.problems))
            if (made)
              lines.push(
                `next: trace2skill verify ${name} --version ${made.number} (against no skill; --against ${v.version.number} compares it with the version verified)`
              )
          }
          return lines.join('\n')
        })
        if (analysis.state !== 'done') {
          io.err(`trace2skill: ${notDone(analysis)}`)
          return finish(1)
        }
        break
      }
      case 'web': {
        const staticDir = io.env.TRACE2SKILL_STATIC_DIR || staticDirCandidates().find((d) => existsSync(join(d, 'index.html')))
        if (!staticDir) throw new Error('the app is not built: run npm run build first')
        // the page, and the API the command line's writing commands go through while this holds the data folder
        const server = await serveAppApi({
          handlers: local().handlers,
          hub: local().hub,
          dataDir: data,
          what: '`trace2skill web`',
          staticDir,
          port
        })
        io.out(`trace2skill web: ${server.url}`)
        io.err('Open that URL in a browser; anyone without its token is refused. Ctrl+C stops.')
        await (io.untilStopped ?? new Promise(() => {}))
        await server.close()
        break
      }
    }
    return finish(0)
    function finish(code: number) {
      for (const n of notices.slice(shown)) io.err(`warning: ${inline(`${n.message}${n.detail ? ` ${n.detail}` : ''}`)}`)
      return code
    }
  } catch (err) {
    io.err(`trace2skill: ${(err as Error).message.split('\n')[0]}`)
    return err instanceof UsageError ? 2 : 1
  } finally {
    // assigned in the catch above (TypeScript cannot see it)
    await (remote as Client | null)?.close()
    await service?.dispose()
  }
}

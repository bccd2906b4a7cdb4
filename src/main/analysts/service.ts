/**
 * Analyses (step 3): the graded runs of a batch, condensed to the model's budget (in groups when they do
 * not fit one context), read by four analysts in parallel; then the merge of their rules into a skill (a
 * new skill, or a new version of the one deepened), hierarchically when the runs were analysed in
 * groups. An analysis is an operation, and its merge a part of it: cancelling it aborts every model call,
 * the merge's included. What it was started with (model, via, claude path) is kept with the operation, so
 * a retry (also after a restart) uses the same. Electron-free.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import PQueue from 'p-queue'
import type { Analysis, AnalysisEstimate, AnalystStatusInfo, ContextReport, Cut } from '../../shared/analysis'
import { DEFAULT_ANALYST_MODEL, modelInfo } from '../../shared/models'
import type { Run } from '../../shared/runs'
import { secretLiterals } from '../../shared/redact'
import { parseSkillMd, skillProblems, slugifyName } from '../../shared/skill-md'
import { ANALYSTS, isGuard, type AnalystKind, type AnalystRule, type Skill } from '../../shared/skills'
import type { Trace } from '../../shared/trace'
import { fail, type EventSink } from '../../shared/contract'
import type { LiveOperation, Operations, Outcome } from '../operations/registry'
import { sandboxAvailability } from '../agents/claude-code/presets'
import { mergeRules, type ExistingRule } from '../skills/merge'
import { withProvenance } from '../skills/provenance'
import { rendered, type SkillService } from '../skills/service'
import { errorFields, silentLog, type Log } from '../log/log'
import type { Store } from '../store/store'
import { costUsd } from '../traces/pricing'
import { contextHeader, estimateTokens, fitRuns, type Fitted, type RunForAnalysis } from './condense'
import { createDrillDown, DEFAULT_MAX_ROUNDS, DRILL_TOOLS, drillGuide } from './drill'
import { estimateAnalysisCost, EXPECTED_ROUNDS, TOKENS_PER_ROUND } from './estimate'
import { loadOutputs, loadShots, removeEvidenceFolder, removeStrayEvidence, type RunEvidence } from './evidence'
import { prepareEvidenceFolder } from './folder'
import { appSecretLiterals, redactionSummary, redactRun, type Redactions } from './redaction'
import { inThreadImages, type ImagePool } from './image-pool'
import type { PreparedImage } from './images'
import { apiModel, claudeCliModel, type DrillDown, type EvidenceFolder, type ModelPort, type PromptBlock } from './model'
import {
  AnalystFleet,
  contradictionIndex,
  describeError,
  fenceClose,
  fenceOpen,
  instructionsFor,
  MergeAnswerSchema,
  MERGE_TOOL,
  mergePrompt,
  PROPOSE_TOOL,
  sameAsExisting,
  SYSTEM,
  type AnalystStatus
} from './pipeline'
import { traceMetrics } from './signals'

/** The analysts' model unless one is chosen (src/shared/models.ts). */
export { DEFAULT_ANALYST_MODEL, estimateTokens }
/** The model's context window in tokens: the catalog's (src/shared/models.ts), else 1M for a `[1m]` id, else 200k. */
export function contextWindow(model: string): number {
  const known = modelInfo(model)?.contextWindow
  if (known) return known
  return /\b1m\b|\[1m\]|-1m$/i.test(model) ? 1_000_000 : 200_000
}
/** Room kept for the answer (16k), the system prompt, tools and instructions (6k), and each drill-down round (10k). */
const ANSWER_ROOM = 16_000
const PROMPT_ROOM = 6000
const ROUND_ROOM = 10_000
/**
 * Tokens of evidence (text and images) one analyst reads at once: the model's window less room for the
 * answer, the prompt around the evidence and the drill-down rounds, with a margin for the rough token
 * estimate (four characters a token).
 */
export function contextBudget(model: string, maxRounds = DEFAULT_MAX_ROUNDS): number {
  return Math.floor((contextWindow(model) - ANSWER_ROOM - PROMPT_ROOM - maxRounds * ROUND_ROOM) * 0.85)
}
/** Bytes of the shared prefix at most (the API takes 32 MB a request; the rest is room for the rounds). */
const MAX_PREFIX_BYTES = 20 * 1024 * 1024
/** More runs than this are analysed in groups, whose rules are then consolidated. */
export const MAX_RUNS_PER_CONTEXT = 30
const GROUP_SIZE = 10
/** What an analysis in groups says about it (among its warnings; the CLI prints it as a plain note). */
export const groupsNote = (runs: number, groups: number) => `${runs} runs were analysed in ${groups} groups; their rules were consolidated.`

const now = () => new Date().toISOString()

/** What an analysis was started with, kept with its operation (a retry and a restart reuse it). */
export interface AnalysisParams {
  batchId: string
  via: Analysis['via']
  model: string
  mergeModel: string
  deepenSkillId?: string
  claudePath?: string
}

export interface AnalysisServiceDeps {
  store: Store
  /** where failures handled without bothering the person are kept (the app's log) */
  log?: Log
  emit: EventSink
  operations: Operations
  skills: SkillService
  readTrace(sessionId: string, projectId?: string): Promise<Trace>
  /** the API key and base URL; throws a clear error when there is no key */
  apiAccess(): Promise<{ apiKey: string; baseURL?: string }>
  env: NodeJS.ProcessEnv
  /** tests: a model port instead of the real ones */
  port?: ModelPort
  /** run claude -p analysts under Claude Code's sandbox (default: where it is available here) */
  sandbox?: boolean
  /** where screenshots are prepared (default: on the calling thread) */
  images?: ImagePool
  /** what the analysts should know of how a batch's runs were made (a verification's arms and pairs) */
  batchNotes?(batchId: string): Promise<string | undefined>
}

export interface StartAnalysis {
  batchId: string
  via?: Analysis['via']
  model?: string
  mergeModel?: string
  deepenSkillId?: string
  existingSkillMd?: string
  claudePath?: string
  /** the mobile screenshots too */
  mobile?: boolean
}

/**
 * An analysis's fleets while the process lives (a retry reuses them); `kept`: analysts finished before
 * a restart; `folders`: the claude -p evidence folders, made again before a retry (they are removed
 * when the analysts end).
 */
type Fleets = { fleets: AnalystFleet[]; kept: AnalystStatusInfo[]; port: ModelPort; folders: (() => Promise<void>)[]; runs?: RunEvidence[] }

/** Groups of runs for the analysts: one when they fit, else small groups mixing good and bad. */
export function groupRuns<R extends RunForAnalysis>(list: R[], budget: number, opts: { mobile?: boolean } = {}): R[][] {
  const whole = fitRuns(list, budget, opts)
  if (!whole.overBudget && list.length <= MAX_RUNS_PER_CONTEXT) return [list]
  const groups = Math.ceil(list.length / GROUP_SIZE)
  const out: R[][] = Array.from({ length: groups }, () => [])
  list.forEach((r, i) => out[i % groups].push(r))
  return out
}

/** The rules of runs analysed in groups, by their group (a field of the rule; rules of no group are left out). */
export function rulesByGroup(rules: AnalystRule[]): Map<number, AnalystRule[]> {
  const byGroup = new Map<number, AnalystRule[]>()
  for (const r of rules) if (r.group !== undefined) byGroup.set(r.group, [...(byGroup.get(r.group) ?? []), r])
  return byGroup
}

/** One analyst's state over every group's fleet (or as kept from before a restart). */
export function aggregateAnalyst(kind: AnalystKind, fleets: AnalystFleet[], kept: AnalystStatusInfo[] = []): AnalystStatusInfo {
  const all = fleets.map((f) => f.status.get(kind)!).filter(Boolean)
  const stored = kept.find((k) => k.kind === kind)
  if (!all.length && stored) return stored
  const order: AnalystStatus['state'][] = ['streaming', 'waiting', 'queued', 'failed', 'cancelled', 'done']
  const state = order.find((s) => all.some((a) => a.state === s)) ?? 'queued'
  const sum = (f: (a: AnalystStatus) => number) => all.reduce((n, a) => n + f(a), 0)
  return {
    kind,
    state: all.length && all.every((a) => a.state === 'done') ? 'done' : state === 'done' ? 'failed' : state,
    attempt: Math.max(0, ...all.map((a) => a.attempt)),
    usage: {
      input: sum((a) => a.usage.input),
      output: sum((a) => a.usage.output),
      cacheRead: sum((a) => a.usage.cacheRead),
      cacheCreation: sum((a) => a.usage.cacheCreation)
    },
    costUsd: sum((a) => a.costUsd),
    rules: all.flatMap((a) => a.rules),
    setAside: all.flatMap((a) => a.setAside),
    drafts: all.flatMap((a) => a.drafts ?? []),
    // looking closer: the rounds of every group, what each looks at now, and all it looked at
    ...(all.some((a) => a.maxRounds !== undefined)
      ? {
          rounds: sum((a) => a.rounds ?? 0),
          maxRounds: sum((a) => a.maxRounds ?? 0),
          looking: all.find((a) => a.state === 'streaming' && a.looking)?.looking,
          looks: all.flatMap((a) => a.looks ?? []).slice(-100)
        }
      : {}),
    error: all.find((a) => a.error)?.error,
    startedAt: all
      .map((a) => a.startedAt)
      .filter(Boolean)
      .sort()[0],
    endedAt: all.every((a) => a.endedAt)
      ? all
          .map((a) => a.endedAt!)
          .sort()
          .pop()
      : undefined,
    ...(fleets.length > 1 ? { chunks: fleets.length, chunksDone: all.filter((a) => a.state === 'done').length } : {})
  }
}

export type AnalysisService = ReturnType<typeof createAnalysisService>

export function createAnalysisService(d: AnalysisServiceDeps) {
  const { store, operations, skills } = d
  const log = d.log ?? silentLog()
  /** an evidence folder that could not be removed stays on disk (copies of sessions): it is logged, and the next start removes it */
  const removeEvidence = (analysisId: string) =>
    removeEvidenceFolder(evidenceRoot(analysisId)).catch((e) =>
      log.warn({ analysisId, error: errorFields(e) }, 'an evidence folder could not be removed')
    )
  const inMemory = new Map<string, Fleets>()
  const images = d.images ?? inThreadImages()

  const analysisOf = async (id: string) =>
    (await store.analyses.get(id)) ??
    (() => {
      throw fail(`no such analysis: ${id}`, 'not-found')
    })()
  const save = async (a: Analysis) => {
    await store.analyses.put(a)
    d.emit('analysisProgress', { analysis: a })
  }
  const taskInfoOf = (taskId: string | undefined, batchId: string) => {
    const task = taskId ? store.index.task(taskId) : undefined
    return { name: task?.name ?? store.batches.head(batchId)?.name ?? 'task', text: task?.text ?? '' }
  }
  const running = (analysisId: string) => operations.running('analysis', analysisId)[0]

  const portFor = async (via: Analysis['via'], claudePath?: string): Promise<ModelPort> => {
    if (d.port) return d.port
    if (via === 'claude-cli') return claudeCliModel({ claudePath, env: d.env })
    return apiModel(await d.apiAccess())
  }

  /** What an analysis was started with: its operation's parameters, else what the analysis itself says. */
  const paramsOf = async (a: Analysis): Promise<AnalysisParams> => {
    const p = (await operations.lastParams('analysis', a.id)) ?? {}
    const claudePath = typeof p.claudePath === 'string' ? p.claudePath : undefined
    return {
      batchId: a.batchId,
      via: a.via,
      model: a.model,
      mergeModel: a.mergeModel,
      deepenSkillId: a.deepenSkillId,
      ...(claudePath ? { claudePath } : {})
    }
  }

  /** The app's own secret values (its environment's, the API key in use): taken out of what the models read. */
  const literals = () =>
    appSecretLiterals(d.env, async () => (d.port ? undefined : (await d.apiAccess()).apiKey)).catch(() => secretLiterals(d.env))

  /** The graded runs of a batch, with their traces, ready to condense; every secret they hold taken out (redacted: how many, per run). */
  const runsForAnalysis = async (
    runs: Run[]
  ): Promise<{ list: RunEvidence[]; rawBytes: number; warnings: string[]; redacted: Redactions; literals: string[] }> => {
    const warnings: string[] = []
    let rawBytes = 0
    const secrets = await literals()
    const redacted: Redactions = new Map()
    const loaded = await Promise.all(
      runs.map(async (r) => {
        let trace: Trace | null = null
        try {
          trace = await d.readTrace(r.sessionId, r.projectId)
          rawBytes += trace.bytes
        } catch (err) {
          warnings.push(`Run ${r.number}: no trace (${(err as Error).message})`)
        }
        // the metrics come from the trace just read, not from a second read of the session
        return {
          number: r.number,
          difficulty: r.difficulty,
          prompt: r.prompt,
          label: r.feedback?.label ?? null,
          feedback: r.feedback?.text ?? '',
          state: r.state,
          result: r.result,
          trace,
          metrics: trace ? traceMetrics(trace) : null,
          // what the person graded: the files the run left and their screenshots
          workspace: r.workspace && !r.imported ? r.workspace : undefined,
          outputs: r.imported ? [] : await loadOutputs(r).catch(() => []),
          shots: await loadShots(r, join(store.dataDir, 'runs', r.id, 'screenshots')).catch(() => [])
        }
      })
    )
    // before any model reads them: what a run read of the machine's credentials is taken out (a copy; the store is untouched)
    const list = loaded.map((r) => {
      const out = redactRun(r, { literals: secrets })
      redacted.set(r.number, out.count)
      return out.run
    })
    return { list, rawBytes, warnings, redacted, literals: secrets }
  }

  /**
   * What the analysts of a batch would read: its graded runs with their traces, in groups when they
   * do not fit one context, condensed to the model's budget. Shared by the estimate and the real run.
   */
  const prepare = async (batchId: string, model: string, deepenSkillId?: string, existingSkillMd?: string, mobile?: boolean) => {
    const doc = await store.batches.get(batchId)
    if (!doc) throw fail(`no such batch: ${batchId}`, 'not-found')
    const batch = doc.batch
    const runs = store.batches.runsOf(doc).filter((r) => !!r.feedback?.label)
    if (!runs.length) throw fail('No graded runs in this batch: grade at least one run (good or bad) first.', 'invalid')
    const deepen = deepenSkillId ? await skills.skillOf(deepenSkillId) : undefined
    const { list, rawBytes, warnings, redacted, literals } = await runsForAnalysis(runs.sort((x, y) => x.number - y.number))
    const ungraded = batch.runIds.length - runs.length
    if (ungraded) warnings.push(`${ungraded} ungraded run${ungraded === 1 ? ' was' : 's were'} left out.`)
    const budget = contextBudget(model)
    const chunks = groupRuns(list, budget, { mobile })
    const condensed = chunks.map((g) => fitRuns(g, budget, { mobile }))
    const existingMd = existingSkillMd ?? (deepen ? rendered(deepen).skillMd : undefined)
    const taskInfo = taskInfoOf(batch.taskId, batch.id)
    const notes = await d.batchNotes?.(batchId).catch(() => undefined)
    return { batch, list, rawBytes, warnings, chunks, condensed, existingMd, taskInfo, notes, redacted, literals }
  }

  /** Where an analysis's claude -p evidence folders are made (removed when its analysts end). */
  const evidenceRoot = (analysisId: string) => join(store.dataDir, 'evidence', analysisId)
  /** Each run's session file and its sub-agents' files, as read (the evidence folder copies them). */
  const sessionFilesOf = (runs: RunEvidence[]) =>
    new Map(
      runs
        .filter((r) => r.trace)
        .map((r) => [
          r.number,
          { session: r.trace!.file, subagents: [...new Set(r.trace!.subagents.map((x) => x.file))].filter((f) => f !== r.trace!.file) }
        ])
    )

  /** What the analysts read, in figures (the page's "what the analysts read" and the estimate). */
  /**
   * What every analyst reads besides the evidence, over all groups: system prompt, tools, and each
   * group's head (task, grades, notes, the SKILL.md deepened, how to look closer). The estimate and the
   * analysis count it alike, so both say the same figure.
   */
  const promptTokensOf = (
    p: { chunks: RunForAnalysis[][]; condensed: Fitted[]; taskInfo: { name: string; text: string }; existingMd?: string; notes?: string },
    via: 'api' | 'claude-cli'
  ) => {
    const tools = via === 'api' ? [PROPOSE_TOOL, ...DRILL_TOOLS] : [PROPOSE_TOOL]
    const fixed = estimateTokens(SYSTEM) + estimateTokens(JSON.stringify(tools))
    return p.chunks.reduce(
      (n, g, i) =>
        n +
        fixed +
        estimateTokens(
          contextHeader(p.taskInfo, g, p.condensed[i], {
            existingSkill: p.existingMd,
            lookCloser: drillGuide(DEFAULT_MAX_ROUNDS),
            notes: p.notes
          })
        ),
      0
    )
  }

  const reportOf = (model: string, fitted: Fitted[], redacted?: Redactions, promptTokens?: number): ContextReport => {
    const cuts: Cut[] = []
    for (const f of fitted)
      for (const c of f.cuts) {
        const same = cuts.find((x) => x.step === c.step)
        if (same)
          Object.assign(same, { amount: same.amount + c.amount, runs: [...new Set([...same.runs, ...c.runs])].sort((x, y) => x - y) })
        else cuts.push({ ...c, runs: [...c.runs] })
      }
    return {
      window: contextWindow(model),
      budget: contextBudget(model),
      textTokens: fitted.reduce((n, f) => n + f.textTokens, 0),
      imageTokens: fitted.reduce((n, f) => n + f.imageTokens, 0),
      ...(promptTokens !== undefined ? { promptTokens } : {}),
      images: fitted.reduce((n, f) => n + f.runs.reduce((k, r) => k + r.shots.length, 0), 0),
      outputFiles: fitted.reduce((n, f) => n + f.outputFiles, 0),
      cuts,
      ...(redacted && redactionSummary(redacted) ? { redacted: redactionSummary(redacted) } : {})
    }
  }

  /** The shared prefix of a group: the head, then each run's text and its screenshots (made now, as images). */
  const sharedBlocks = async (head: string, fitted: Fitted, tag: string, onShot?: () => void): Promise<PromptBlock[]> => {
    const blocks: PromptBlock[] = [{ type: 'text', text: head }]
    // the API takes requests up to 32 MB: the images stop short of a share of that, with room for the rounds
    let bytes = head.length + fitted.runs.reduce((n, r) => n + r.text.length, 0)
    // every screenshot of the group is prepared up to images.concurrency at a time, used in order
    const shots = fitted.runs.flatMap((r) => r.shots)
    const queue = new PQueue({ concurrency: Math.max(1, images.concurrency) })
    const prepared: Promise<PreparedImage>[] = shots.map((shot) =>
      queue.add(async () => {
        try {
          return await images.prepare(await readFile(shot.file), { maxTokens: shot.maxTokens })
        } finally {
          onShot?.()
        }
      })
    )
    await Promise.allSettled(prepared)
    let at = 0
    for (const r of fitted.runs) {
      // run content is data: fenced with a tag it cannot know, so it cannot close the fence itself
      const shots = r.shots.length
      blocks.push({ type: 'text', text: `${fenceOpen(r.number, tag)}\n${r.text}${shots ? '' : `\n${fenceClose(r.number, tag)}`}` })
      for (const [k, shot] of r.shots.entries()) {
        const close = k === shots - 1 ? `\n${fenceClose(r.number, tag)}` : ''
        try {
          const img = await prepared[at++]
          if (bytes + img.data.length > MAX_PREFIX_BYTES) {
            blocks.push({
              type: 'text',
              text: `${shot.note}: left out, the request would be too large (look at it with view_screenshot)${close}`
            })
            continue
          }
          bytes += img.data.length
          blocks.push({ type: 'image', mediaType: 'image/png', data: img.data, label: `${shot.note}:` })
          if (close) blocks.push({ type: 'text', text: close.trim() })
        } catch (err) {
          blocks.push({ type: 'text', text: `${shot.note}: it could not be shown (${(err as Error).message})${close}` })
        }
      }
    }
    return blocks
  }

  /** Merge every accepted rule into the skill (a new skill, or a new version of the one deepened). */
  const mergeInto = async (analysisId: string, port: ModelPort, signal: AbortSignal, runs?: RunEvidence[]) => {
    let a = await analysisOf(analysisId)
    const rules: AnalystRule[] = a.analysts.flatMap((s) => s.rules)
    const taskInfo = taskInfoOf(a.taskId, a.batchId)
    const deepen = a.deepenSkillId ? await store.skills.get(a.deepenSkillId) : undefined
    // the rules of the skill being deepened, with what they cite (runs of its newest batch, and earlier ones)
    const existing: ExistingRule[] | undefined = deepen
      ? deepen.rules
          .filter((r) => r.tier !== 'discarded')
          .map((r) => ({
            text: r.text,
            tier: r.tier as ExistingRule['tier'],
            evidence: r.evidence,
            batchId: deepen.batchIds[deepen.batchIds.length - 1],
            earlier: r.earlier,
            guard: r.guard
          }))
      : undefined
    a = { ...a, state: 'merging', merge: { ...a.merge, state: 'running', error: undefined } }
    await save(a)
    const grouped = groupsNote(a.runNumbers.length, a.context.chunks)
    // a retry merges again: said once
    const warnings = [...a.warnings.filter((w) => w !== grouped), ...(a.context.chunks > 1 ? [grouped] : [])]
    let mergeCost = 0
    const askMerge = async (list: AnalystRule[], withExisting: boolean) => {
      signal.throwIfAborted()
      const res = await port.call(
        {
          model: a.mergeModel,
          system: SYSTEM,
          shared: [{ type: 'text', text: mergePrompt(taskInfo, list, withExisting ? existing?.map((e) => e.text) : undefined) }],
          instructions: 'Merge these rules.',
          tool: MERGE_TOOL,
          maxTokens: 16_000
        },
        {},
        signal
      )
      mergeCost += res.costUsd ?? costUsd(a.mergeModel, res.usage)
      const parsed = MergeAnswerSchema.safeParse(res.input)
      if (!parsed.success)
        throw new Error(
          `bad answer: the merge does not fit the schema (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`
        )
      return parsed.data
    }

    // Runs analysed in groups: first consolidate each group's rules (in parallel), then the groups'
    // results together, as the Trace2Skill paper does; the app keeps track of the original rules.
    let level2 = rules
    const origin = new Map<string, AnalystRule[]>()
    const byGroup = rulesByGroup(rules)
    if (byGroup.size > 1 && byGroup.size * 2 <= rules.length) {
      const firsts = await Promise.all(
        [...byGroup].map(async ([g, list]) => {
          try {
            return { g, list, answer: await askMerge(list, false) }
          } catch (err) {
            if (signal.aborted) throw err
            warnings.push(
              `Consolidating the rules of group ${g} failed (${describeError(err)}); its rules go to the final merge one by one.`
            )
            return { g, list, answer: null }
          }
        })
      )
      level2 = []
      for (const { g, list, answer } of firsts) {
        const local = mergeRules({
          rules: list,
          groups: (answer?.groups ?? []).map((g) => sameAsExisting(g, 0)),
          contradictions: [],
          newId: () => randomUUID()
        })
        for (const m of local.rules) {
          const members = list.filter((r) => m.sources.includes(r.id))
          const id = `L1-g${g}-${level2.length + 1}`
          origin.set(id, members)
          level2.push({
            id,
            analyst: members[0].analyst,
            group: g,
            rule: m.text,
            evidence: m.evidence,
            priority: m.priority,
            reason: m.reasons.join(' | ').slice(0, 4000),
            pointers: m.pointers.slice(0, 50)
          })
        }
      }
      level2.push(...rules.filter((r) => r.group === undefined))
    }

    let answer: ReturnType<typeof MergeAnswerSchema.parse> | null = null
    if (level2.length) {
      try {
        answer = await askMerge(level2, true)
      } catch (err) {
        if (signal.aborted) throw err
        // Nothing is lost: every rule stands alone, and the person can merge by hand.
        warnings.push(`The merge model failed (${describeError(err)}); rules were kept one by one, not grouped.`)
        a = { ...a, merge: { state: 'failed', error: describeError(err), costUsd: mergeCost } }
      }
    }
    signal.throwIfAborted()
    // a group the model says restates an existing rule ("existing": "x3", or an xN among its members) goes into it
    const groups = (answer?.groups ?? []).map((g) => sameAsExisting(g, existing?.length ?? 0))
    const contradictions = (answer?.contradictions ?? []).flatMap((c) => {
      const ia = contradictionIndex(c.a, groups.length, existing?.length ?? 0)
      const ib = contradictionIndex(c.b, groups.length, existing?.length ?? 0)
      return ia === null || ib === null ? [] : [{ a: ia, b: ib, why: c.why }]
    })
    const merged = mergeRules({ rules: level2, groups, contradictions, existing, batchId: a.batchId, newId: () => randomUUID() })
    if (origin.size) {
      // back to the analysts' own rules: sources, analysts and guards as if merged in one go
      merged.rules = merged.rules.map((r) => {
        const members = r.sources.flatMap((id) => origin.get(id) ?? level2.filter((x) => x.id === id))
        if (!members.length) return r
        return {
          ...r,
          sources: members.map((m) => m.id),
          analysts: ANALYSTS.filter((k) => members.some((m) => m.analyst === k)),
          guard: members.some((m) => m.analyst === 'edge') && isGuard(r.text)
        }
      })
    }
    warnings.push(...merged.warnings)
    const name = slugifyName(answer?.skill.name || deepen?.frontMatter.name || taskInfo.name) || 'skill'
    const description = (
      answer?.skill.description ||
      deepen?.frontMatter.description ||
      `Rules for ${taskInfo.name}, learned from graded runs.`
    )
      .replace(/[<>]/g, '')
      .slice(0, 1024)
    // A retry merges again into the same skill (a new version); the person's earlier edits stay in its versions.
    const previous = a.skillId ? await store.skills.get(a.skillId) : undefined
    const made: Skill = {
      id: previous?.id ?? deepen?.id ?? randomUUID(),
      batchIds: [...new Set([...(deepen?.batchIds ?? []), a.batchId])],
      taskId: a.taskId,
      frontMatter: { name, description },
      title: answer?.skill.title || deepen?.title || taskInfo.name,
      whenToUse: answer?.skill.whenToUse || deepen?.whenToUse || `When the task is like: ${taskInfo.name}.`,
      rules: merged.rules,
      conflicts: merged.conflicts,
      setAside: a.analysts.flatMap((s) => s.setAside),
      createdAt: previous?.createdAt ?? deepen?.createdAt ?? now(),
      updatedAt: now()
    }
    // run content is data: a rule (or the description...) that repeats it, or holds a command, a URL or a
    // credential found in the runs, is traced to the runs and part it came from (the composer flags it)
    // (what the skill said in any of its versions is no copy: runs that had it installed read it)
    const known = deepen
      ? [
          ...(await store.skills.versions(deepen.id)).flatMap((v) => [v.skillMd, v.edgeCasesMd]),
          rendered(deepen).skillMd,
          rendered(deepen).edgeCasesMd
        ]
      : []
    const skill = runs ? withProvenance(made, runs, deepen, a.batchId, known) : made
    // the document checks itself: one rule per meaning, every rule with its citations
    for (const p of skillProblems(skill)) warnings.push(`The merged skill needs a look: ${p}.`)
    // the last moment a cancel can still keep the skill from being saved
    signal.throwIfAborted()
    await skills.saveVersion(
      skill,
      previous
        ? 'merged again after a retry'
        : deepen
          ? `deepened from analysis of ${store.batches.head(a.batchId)?.name ?? a.batchId}`
          : 'from the analysts'
    )
    a = {
      ...a,
      state: 'done',
      skillId: skill.id,
      warnings,
      merge: a.merge.state === 'failed' ? a.merge : { state: 'done', costUsd: mergeCost },
      endedAt: now()
    }
    await save(a)
  }

  /** Live progress of the fleets: to the screens at most every 100 ms, to the analysis's file within a second. */
  const publisher = (op: LiveOperation, analysisId: string, entry: Fleets) => {
    let pending: Promise<void> = Promise.resolve()
    let scheduled = false
    const events = op.events<Analysis>((analysis) => d.emit('analysisProgress', { analysis }))
    const publish = () => {
      // Status changes come fast while streaming: one write at a time, and changes that arrive
      // meanwhile are folded into the next one (it reads the fleets' state when it runs).
      if (scheduled) return
      scheduled = true
      pending = pending
        .then(async () => {
          scheduled = false
          const a = await analysisOf(analysisId)
          if (a.state !== 'analysing') return
          const next = { ...a, analysts: ANALYSTS.map((k) => aggregateAnalyst(k, entry.fleets, entry.kept)) }
          store.analyses.progress(next)
          events.push(next)
        })
        .catch(() => {
          /* a failed progress write is retried by the next change, and the final state is written anyway */
        })
    }
    return { publish, settled: () => pending, stop: () => events.cancel() }
  }

  /** Build the fleets of an analysis (one per group of runs) and run them as its operation. */
  const startFleets = async (
    analysisId: string,
    list: RunEvidence[],
    chunks: RunEvidence[][],
    port: ModelPort,
    params: AnalysisParams,
    existingMd?: string,
    resume?: { kinds: AnalystKind[]; kept: AnalystStatusInfo[] }
  ) => {
    const a0 = await analysisOf(analysisId)
    const taskInfo = taskInfoOf(a0.taskId, a0.batchId)
    const notes = await d.batchNotes?.(a0.batchId).catch(() => undefined)
    const numbers = new Set(list.map((r) => r.number))
    // what the analysts read beyond the shared context (a run's files, the folder's session copies) is redacted too
    const secrets = { literals: await literals() }
    // the fences around run content: one random tag for the analysis (the four analysts share the prefix)
    const tag = randomBytes(6).toString('hex')
    const entry: Fleets = { fleets: [], kept: resume?.kept ?? [], port, folders: [], runs: list }
    inMemory.set(analysisId, entry)
    const budget = contextBudget(a0.model)
    return operations.start({ kind: 'analysis', subject: analysisId, params: { ...params } }, (op) =>
      ending(op, analysisId, () => analyse(op))
    )
    async function analyse(op: LiveOperation): Promise<Outcome> {
      const pub = publisher(op, analysisId, entry)
      entry.fleets = []
      let sandbox: boolean | undefined
      // Before the analysts start, the evidence is made ready (seconds for 20 screenshots): the page says how far.
      const shotsInAll = chunks.reduce(
        (n, g) => n + g.reduce((k, r) => k + r.shots.filter((s) => s.label === 'desktop' || a0.mobile).length, 0),
        0
      )
      let shotsDone = 0
      let ready = false
      const preparing = async () => {
        const a = await analysisOf(analysisId)
        if (ready) return
        const line = `Preparing the evidence of ${list.length} run${list.length === 1 ? '' : 's'}${shotsInAll ? `: screenshots ${shotsDone} of ${shotsInAll}` : ''}${port.kind === 'claude-cli' ? ', and the folder claude -p reads' : ''}…`
        if (a.state === 'analysing' && a.preparing !== line) {
          store.analyses.progress({ ...a, preparing: line })
          d.emit('analysisProgress', { analysis: { ...a, preparing: line } })
        }
      }
      await preparing()
      for (const [i, group] of chunks.entries()) {
        if (op.signal.aborted) break
        const fitted = fitRuns(group, budget, { mobile: a0.mobile })
        // The API analysts look closer with tools over the evidence; the claude -p analysts read a
        // prepared folder of it with Read, Grep and Glob. Both read the same shared context first.
        let drill: DrillDown | undefined
        let folder: EvidenceFolder | undefined
        let lookCloser: string
        if (port.kind === 'claude-cli') {
          const dir = join(evidenceRoot(analysisId), `group-${i + 1}`)
          const make = () =>
            prepareEvidenceFolder(dir, { task: taskInfo, runs: group, sessionFiles: sessionFilesOf(group), redact: secrets })
          const made = await make()
          entry.folders.push(async () => void (await make()))
          // Claude Code's sandbox where it works here (the folder confines the reads either way: --restricted)
          sandbox ??= d.sandbox ?? (await sandboxAvailability({ env: d.env }).catch(() => ({ available: false }))).available
          folder = { path: made.path, maxRounds: DEFAULT_MAX_ROUNDS, sandbox }
          lookCloser = made.guide
        } else {
          lookCloser = drillGuide(DEFAULT_MAX_ROUNDS)
        }
        const head = contextHeader(taskInfo, group, fitted, { existingSkill: existingMd, lookCloser, notes })
        const shared = await sharedBlocks(head, fitted, tag, () => {
          shotsDone++
          void preparing()
        })
        if (port.kind !== 'claude-cli')
          drill = createDrillDown(group, {
            redact: secrets,
            fence: tag,
            prepareImage: images.prepare,
            imagesInPrefix: shared.filter((b) => b.type === 'image').length,
            prefixBytes: shared.reduce((n, b) => n + (b.type === 'text' ? b.text.length : b.data.length), 0)
          })
        entry.fleets.push(
          new AnalystFleet({
            port,
            model: a0.model,
            shared,
            ...(drill ? { drill } : {}),
            ...(folder ? { folder } : {}),
            runNumbers: chunks.length > 1 ? new Set(group.map((r) => r.number)) : numbers,
            // ids stay unique across groups and retries; the group itself is a field of each rule
            idPrefix: `${resume ? `r${Date.now().toString(36)}-` : ''}${chunks.length > 1 ? `g${i + 1}-` : ''}`,
            ...(chunks.length > 1 ? { group: i + 1 } : {}),
            kinds: resume?.kinds,
            onStatus: pub.publish
          })
        )
      }
      // the evidence is ready (or the analysis was cancelled): the analysts' own lines take over
      ready = true
      const prepared = await analysisOf(analysisId)
      if (prepared.preparing) await save({ ...prepared, preparing: undefined })
      try {
        await Promise.all(entry.fleets.map((f) => f.run(op.signal)))
      } finally {
        await removeEvidence(analysisId)
      }
      await pub.settled()
      pub.stop()
      return finishAnalysts(op, analysisId, entry)
    }
  }

  /**
   * Runs an analysis's operation: however it ends (done, cancelled, or a failure of the app's own such
   * as a save on a full disk while its evidence was being prepared), its claude -p evidence folders
   * (copies of the runs' sessions) are removed, and an analysis still marked running says it failed.
   */
  const ending = async (op: LiveOperation, analysisId: string, body: () => Promise<Outcome>): Promise<Outcome> => {
    try {
      return await body()
    } catch (e) {
      const a = await analysisOf(analysisId).catch(() => undefined)
      if (!op.signal.aborted && a && (a.state === 'analysing' || a.state === 'merging')) {
        const why = ((e as Error)?.message ?? String(e)).split('\n')[0]
        await save({
          ...a,
          preparing: undefined,
          state: 'failed',
          endedAt: now(),
          warnings: [...a.warnings, `The analysis stopped: ${why}`]
        }).catch((err) => log.error({ analysisId, error: errorFields(err) }, 'a failed analysis could not be saved'))
      }
      throw e
    } finally {
      await removeEvidence(analysisId)
    }
  }

  /** The analysts have ended: the analysis is cancelled, failed, or merged (the merge a part of its operation). */
  const finishAnalysts = async (op: LiveOperation, analysisId: string, entry: Fleets): Promise<Outcome> => {
    let a = await analysisOf(analysisId)
    a = { ...a, analysts: ANALYSTS.map((k) => aggregateAnalyst(k, entry.fleets, entry.kept)) }
    if (op.signal.aborted) {
      await save({ ...a, state: 'cancelled', endedAt: now() })
      return { state: 'cancelled' }
    }
    if (!a.analysts.some((s) => s.state === 'done')) {
      await save({
        ...a,
        state: 'failed',
        endedAt: now(),
        warnings: [...a.warnings, 'No analyst finished: retry one, or check the model access.']
      })
      return { state: 'failed', error: 'no analyst finished' }
    }
    await save(a)
    const merge = operations.start({ kind: 'merge', subject: analysisId, parent: op, params: { model: a.mergeModel } }, (m) =>
      mergeInto(analysisId, entry.port, m.signal, entry.runs)
    )
    const ended = await merge.done
    if (ended.state === 'done') return
    const current = await analysisOf(analysisId)
    if (ended.state === 'cancelled' || op.signal.aborted) {
      await save({
        ...current,
        state: 'cancelled',
        merge: { state: 'failed', error: 'cancelled', costUsd: current.merge.costUsd },
        endedAt: now()
      })
      return { state: 'cancelled' }
    }
    await save({
      ...current,
      state: 'failed',
      merge: { state: 'failed', error: ended.error ?? 'the merge failed', costUsd: 0 },
      endedAt: now()
    })
    return { state: 'failed', error: ended.error }
  }

  return {
    analysisOf,
    /** analyses that were running when the app stopped (the start-up recovery of the operations runs it) */
    async recover() {
      for (const id of store.analyses.ids()) {
        const state = store.analyses.head(id)?.state
        if (state !== 'analysing' && state !== 'merging') continue
        await store.analyses.update(id, ({ analysis: a }) => {
          Object.assign(a, { state: 'interrupted', endedAt: now() })
          // analysts that had not finished can be retried; the finished ones keep their rules
          for (const s of a.analysts)
            if (s.state !== 'done' && s.state !== 'failed') Object.assign(s, { state: 'cancelled', error: 'interrupted: the app stopped' })
        })
      }
      // the evidence folders (copies of sessions) of analyses stopped in the middle, or since deleted: none is live at start-up
      await removeStrayEvidence(join(store.dataDir, 'evidence'), (id) => !!running(id))
    },
    /** resolves when the analysis has finished (tests, CLI) */
    async idle(analysisId: string) {
      await running(analysisId)?.done
    },

    async estimate({
      batchId,
      via,
      model,
      mergeModel,
      deepenSkillId,
      existingSkillMd,
      mobile
    }: Omit<StartAnalysis, 'claudePath'>): Promise<AnalysisEstimate> {
      const m = model ?? DEFAULT_ANALYST_MODEL
      const mm = mergeModel ?? m
      const p = await prepare(batchId, m, deepenSkillId, existingSkillMd, mobile)
      // the very prompt each analyst would get: system, tools, the shared context (text and images), its instructions
      const v = via ?? 'api'
      const groups = p.chunks.map((g, i) => ({
        promptTokens: promptTokensOf({ ...p, chunks: [g], condensed: [p.condensed[i]] }, v) + p.condensed[i].tokens
      }))
      const instructionTokens = Math.round(ANALYSTS.reduce((n, k) => n + estimateTokens(instructionsFor(k)), 0) / ANALYSTS.length)
      const rounds = { expected: EXPECTED_ROUNDS, max: DEFAULT_MAX_ROUNDS, tokensPerRound: TOKENS_PER_ROUND }
      const cost = estimateAnalysisCost({ model: m, mergeModel: mm, via: v, groups, instructionTokens, rounds })
      return {
        runs: p.list.length,
        groups: p.chunks.length,
        model: m,
        mergeModel: mm,
        via: v,
        condensedTokens: p.condensed.reduce((n, c) => n + c.tokens, 0),
        contextTokens: groups.reduce((n, g) => n + g.promptTokens, 0),
        instructionTokens,
        report: reportOf(m, p.condensed, p.redacted, promptTokensOf(p, v)),
        rounds,
        ...cost,
        warnings: p.warnings
      }
    },

    async start({ batchId, via, model, mergeModel, deepenSkillId, existingSkillMd, claudePath, mobile }: StartAnalysis): Promise<Analysis> {
      const doc = await store.batches.get(batchId)
      if (!doc) throw fail(`no such batch: ${batchId}`, 'not-found')
      const batch = doc.batch
      if (!store.batches.runsOf(doc).some((r) => r.feedback?.label))
        throw fail('No graded runs in this batch: grade at least one run (good or bad) first.', 'invalid')
      const deepen = deepenSkillId ? await skills.skillOf(deepenSkillId) : undefined
      const port = await portFor(via ?? 'api', claudePath)
      const prepared = await prepare(batchId, model ?? DEFAULT_ANALYST_MODEL, deepenSkillId, existingSkillMd, mobile)
      const { list, rawBytes, warnings, chunks, condensed, existingMd, redacted } = prepared
      let deepenId = deepen?.id
      if (!deepen && existingSkillMd) {
        // deepen a SKILL.md pasted in: it becomes a skill of its own first, so nothing of it is lost
        const parsed = parseSkillMd(existingSkillMd)
        const base: Skill = {
          id: randomUUID(),
          batchIds: [],
          taskId: batch.taskId,
          frontMatter: { name: parsed.frontMatter.name ?? slugifyName(batch.name), description: parsed.frontMatter.description ?? '' },
          title: parsed.title || batch.name,
          whenToUse: parsed.whenToUse,
          rules: mergeRules({
            rules: [],
            groups: [],
            contradictions: [],
            // its citations stay: its own runs (the batch they are in is not known) and earlier ones
            existing: parsed.rules.map((r) => ({
              text: r.text,
              tier: r.tier,
              evidence: r.evidence,
              earlier: (r.earlier ?? []).map((runs) => ({ runs }))
            })),
            newId: () => randomUUID()
          }).rules,
          conflicts: [],
          setAside: [],
          createdAt: now(),
          updatedAt: now()
        }
        await skills.saveVersion(base, 'the SKILL.md it started from')
        deepenId = base.id
      }
      const a: Analysis = {
        id: randomUUID(),
        batchId,
        taskId: batch.taskId,
        state: 'analysing',
        via: via ?? 'api',
        model: model ?? DEFAULT_ANALYST_MODEL,
        mergeModel: mergeModel ?? model ?? DEFAULT_ANALYST_MODEL,
        deepenSkillId: deepenId,
        ...(mobile ? { mobile: true } : {}),
        runNumbers: list.map((r) => r.number),
        analysts: ANALYSTS.map((kind) => ({
          kind,
          state: 'queued',
          attempt: 0,
          usage: { input: 0, output: 0, cacheRead: 0, cacheCreation: 0 },
          costUsd: 0,
          rules: [],
          setAside: []
        })),
        context: {
          runs: list.length,
          tokens: condensed.reduce((n, c) => n + c.tokens, 0),
          rawTokens: Math.ceil(rawBytes / 4),
          level: Math.max(...condensed.map((c) => c.cuts.length)),
          charsCut: condensed.reduce((n, c) => n + c.cuts.filter((x) => x.unit === 'chars').reduce((k, x) => k + x.amount, 0), 0),
          stepsOmitted: condensed.reduce((n, c) => n + c.cuts.filter((x) => x.unit === 'steps').reduce((k, x) => k + x.amount, 0), 0),
          chunks: chunks.length,
          report: reportOf(model ?? DEFAULT_ANALYST_MODEL, condensed, redacted, promptTokensOf(prepared, via ?? 'api'))
        },
        merge: { state: 'waiting', costUsd: 0 },
        // "analysed in N groups" is said once the groups' rules are merged (mergeInto), not while they wait
        warnings: [...warnings],
        createdAt: now()
      }
      await save(a)
      const params: AnalysisParams = {
        batchId,
        via: a.via,
        model: a.model,
        mergeModel: a.mergeModel,
        ...(deepenId ? { deepenSkillId: deepenId } : {}),
        ...(claudePath ? { claudePath } : {})
      }
      await startFleets(a.id, list, chunks, port, params, existingMd)
      return a
    },

    async list(batchId?: string) {
      const list = await Promise.all(store.analyses.ofBatch(batchId).map((id) => store.analyses.get(id)))
      return list.filter((a): a is Analysis => !!a).sort((x, y) => y.createdAt.localeCompare(x.createdAt))
    },

    cancelAnalyst(analysisId: string, kind: AnalystKind) {
      const e = inMemory.get(analysisId)
      if (!e || !running(analysisId)) return { cancelled: false }
      for (const f of e.fleets) f.cancel(kind)
      return { cancelled: true }
    },

    /** Cancel the analysis: its analysts and its merge (one signal). */
    cancel(analysisId: string) {
      const op = running(analysisId)
      return { cancelled: op ? operations.cancel(op.id) : false }
    },

    /**
     * Run one analyst again; when it is done, the skill is merged again (a new version). After a
     * restart (the analysis no longer in memory) the context is rebuilt from the same runs and the
     * analysts that had finished keep their rules. It runs with what the analysis was started with.
     */
    async retryAnalyst(analysisId: string, kind: AnalystKind): Promise<Analysis> {
      const a = await analysisOf(analysisId)
      if (running(analysisId) || a.state === 'analysing' || a.state === 'merging')
        throw fail('The analysis is still running; retry when it has finished.', 'busy')
      const params = await paramsOf(a)
      const e = inMemory.get(analysisId)
      if (e && e.fleets.length && e.fleets.every((f) => f.status.has(kind))) {
        await save({ ...a, state: 'analysing', endedAt: undefined })
        operations.start({ kind: 'analysis', subject: analysisId, params: { ...params, retry: kind } }, (op) =>
          ending(op, analysisId, async () => {
            const pub = publisher(op, analysisId, e)
            try {
              // the claude -p evidence folders were removed when the analysts ended: made again
              for (const make of e.folders) await make()
              await Promise.all(
                e.fleets.map((f) =>
                  f.status.get(kind)?.state === 'done' ? Promise.resolve() : f.retry(kind, op.signal).then(() => undefined)
                )
              )
            } finally {
              await removeEvidence(analysisId)
            }
            await pub.settled()
            pub.stop()
            return finishAnalysts(op, analysisId, e)
          })
        )
        return await analysisOf(analysisId)
      }
      const port = await portFor(params.via, params.claudePath)
      const batch = await store.batches.get(a.batchId)
      if (!batch) throw fail(`the batch of this analysis is gone: ${a.batchId}`, 'not-found')
      const wanted = new Set(a.runNumbers)
      const runs = store.batches.runsOf(batch).filter((r) => wanted.has(r.number) && !!r.feedback?.label)
      if (!runs.length) throw fail('None of the runs of this analysis is graded any more.', 'invalid')
      const { list } = await runsForAnalysis(runs.sort((x, y) => x.number - y.number))
      const deepen = a.deepenSkillId ? await store.skills.get(a.deepenSkillId) : undefined
      // every analyst that had not finished runs again; finished ones keep what they found
      const kept = (e ? ANALYSTS.map((k) => aggregateAnalyst(k, e.fleets, e.kept)) : a.analysts).filter(
        (s) => s.state === 'done' && s.kind !== kind
      )
      const kinds = ANALYSTS.filter((k) => !kept.some((s) => s.kind === k))
      await save({
        ...a,
        state: 'analysing',
        endedAt: undefined,
        analysts: ANALYSTS.map(
          (k) => kept.find((s) => s.kind === k) ?? { ...a.analysts.find((s) => s.kind === k)!, state: 'queued' as const }
        )
      })
      await startFleets(
        analysisId,
        list,
        groupRuns(list, contextBudget(a.model), { mobile: a.mobile }),
        port,
        { ...params },
        deepen ? rendered(deepen).skillMd : undefined,
        { kinds, kept }
      )
      return analysisOf(analysisId)
    }
  }
}

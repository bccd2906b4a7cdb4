/**
 * What the analysts of a batch would read: its graded runs with their traces (every secret taken out),
 * in groups when they do not fit one context, condensed to the model's budget; and the figures of it
 * (the page's "what the analysts read"). Shared by the estimate, the start and a retry after a restart,
 * so all say the same. Electron-free.
 */
import { join } from 'node:path'
import type { AnalysisEstimate, ContextReport, Cut } from '../../shared/analysis'
import { fail } from '../../shared/contract'
import { DEFAULT_ANALYST_MODEL, DEFAULT_CHECK_MODEL } from '../../shared/models'
import type { Run } from '../../shared/runs'
import { inSeedOrder } from '../../shared/shuffle'
import { ANALYSTS } from '../../shared/skills'
import type { Trace } from '../../shared/trace'
import { rendered } from '../skills/service'
import { errorFields } from '../log/log'
import { traceMetrics } from './signals'
import { contextBudget, contextWindow, groupRuns } from './budget'
import { estimateTokens, type RunForAnalysis } from './condense'
import { literals, taskInfoOf, type AnalysisContext, type StartAnalysis } from './context'
import { DEFAULT_MAX_ROUNDS, DRILL_TOOLS, drillGuide } from './drill'
import { estimateAnalysisCost, EXPECTED_ROUNDS, TOKENS_PER_ROUND } from './estimate'
import { loadOutputs, loadShots, type RunEvidence } from './evidence'
import { contextHeader, fitRuns, type Fitted } from './fit'
import { instructionsFor, PROPOSE_TOOL, SYSTEM } from './pipeline'
import {
  CHECK_OUTPUT_ALLOWANCE,
  CHECK_PROMPT_OVERHEAD,
  CHECK_RULES_TOKENS,
  CHECK_SYSTEM,
  CHECK_TOOL,
  checkEvidence,
  checkPrefix
} from './support'
import { redactionSummary, redactRun, type Redactions } from './redaction'

/** The graded runs, with their traces, ready to condense; every secret they hold taken out (redacted: how many, per run). */
export async function runsForAnalysis(
  ctx: AnalysisContext,
  runs: Run[]
): Promise<{ list: RunEvidence[]; rawBytes: number; warnings: string[]; redacted: Redactions; literals: string[] }> {
  const warnings: string[] = []
  let rawBytes = 0
  const secrets = await literals(ctx)
  const redacted: Redactions = new Map()
  const loaded = await Promise.all(
    runs.map(async (r) => {
      let trace: Trace | null = null
      try {
        trace = await ctx.readTrace(r.sessionId, r.projectId)
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
        ...(r.reason ? { reason: r.reason } : {}),
        result: r.result,
        trace,
        metrics: trace ? traceMetrics(trace) : null,
        // what the person graded: the files the run left and their screenshots
        workspace: r.workspace && !r.imported ? r.workspace : undefined,
        // loadOutputs and loadShots skip what they cannot read themselves; a failure beyond that leaves the run's files or screenshots out (logged)
        outputs: r.imported ? [] : await loadOutputs(r).catch((e) => missing(ctx, r, 'files', e, [])),
        shots: await loadShots(r, join(ctx.store.dataDir, 'runs', r.id, 'screenshots')).catch((e) => missing(ctx, r, 'screenshots', e, []))
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

function missing<T>(ctx: AnalysisContext, r: Run, what: string, e: unknown, none: T): T {
  ctx.log.warn({ runId: r.id, error: errorFields(e) }, `a run's ${what} could not be read for the analysts`)
  return none
}

export interface PrepareInput {
  batchId: string
  model: string
  deepenSkillId?: string
  existingSkillMd?: string
  mobile?: boolean
  notes?: string
  /** the runs in this seed's order (src/shared/shuffle.ts); without one, in run order */
  seed?: number
}

/** What the analysts of a batch would read: its graded runs in groups, condensed to the model's budget. */
export async function prepare(ctx: AnalysisContext, { batchId, model, deepenSkillId, existingSkillMd, mobile, notes, seed }: PrepareInput) {
  const doc = await ctx.store.batches.get(batchId)
  if (!doc) throw fail(`no such batch: ${batchId}`, 'not-found')
  const batch = doc.batch
  const runs = ctx.store.batches.runsOf(doc).filter((r) => !!r.feedback?.label)
  if (!runs.length) throw fail('No graded runs in this batch: grade at least one run (good or bad) first.', 'invalid')
  const deepen = deepenSkillId ? await ctx.skills.skillOf(deepenSkillId) : undefined
  const { list, rawBytes, warnings, redacted, literals } = await runsForAnalysis(
    ctx,
    runs.sort((x, y) => x.number - y.number)
  )
  const ungraded = batch.runIds.length - runs.length
  if (ungraded) warnings.push(`${ungraded} ungraded run${ungraded === 1 ? ' was' : 's were'} left out.`)
  const budget = contextBudget(model)
  // `list` stays in run order (the analysis's run numbers); the analysts read the runs in the seed's order
  const chunks = groupRuns(inSeedOrder(list, seed), budget, { mobile })
  const condensed = chunks.map((g) => fitRuns(g, budget, { mobile }))
  const existingMd = existingSkillMd ?? (deepen ? rendered(deepen).skillMd : undefined)
  const taskInfo = taskInfoOf(ctx, batch.taskId, batch.id)
  return { batch, list, rawBytes, warnings, chunks, condensed, existingMd, taskInfo, notes, redacted, literals }
}
export type Prepared = Awaited<ReturnType<typeof prepare>>

/**
 * What every analyst reads besides the evidence, over all groups: system prompt, tools, and each
 * group's head (task, grades, notes, the SKILL.md deepened, how to look closer). The estimate and the
 * analysis count it alike, so both say the same figure.
 */
export function promptTokensOf(
  p: { chunks: RunForAnalysis[][]; condensed: Fitted[]; taskInfo: { name: string; text: string }; existingMd?: string; notes?: string },
  via: 'api' | 'claude-cli'
): number {
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

/** What the analysts read, in figures (the page's "what the analysts read" and the estimate). */
export function reportOf(model: string, fitted: Fitted[], redacted?: Redactions, promptTokens?: number): ContextReport {
  const cuts: Cut[] = []
  for (const f of fitted)
    for (const c of f.cuts) {
      const same = cuts.find((x) => x.step === c.step)
      if (same) Object.assign(same, { amount: same.amount + c.amount, runs: [...new Set([...same.runs, ...c.runs])].sort((x, y) => x - y) })
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

/** The estimate of an analysis before it runs: the very prompt each analyst would get, and what it would cost. */
export async function estimateAnalysis(
  ctx: AnalysisContext,
  { batchId, via, model, mergeModel, deepenSkillId, existingSkillMd, mobile, notes, seed }: Omit<StartAnalysis, 'claudePath'>
): Promise<AnalysisEstimate> {
  const m = model ?? DEFAULT_ANALYST_MODEL
  const mm = mergeModel ?? m
  const p = await prepare(ctx, { batchId, model: m, deepenSkillId, existingSkillMd, mobile, notes, seed })
  // the very prompt each analyst would get: system, tools, the shared context (text and images), its instructions
  const v = via ?? 'api'
  const groups = p.chunks.map((g, i) => ({
    promptTokens: promptTokensOf({ ...p, chunks: [g], condensed: [p.condensed[i]] }, v) + p.condensed[i].tokens
  }))
  const instructionTokens = Math.round(ANALYSTS.reduce((n, k) => n + estimateTokens(instructionsFor(k)), 0) / ANALYSTS.length)
  const rounds = { expected: EXPECTED_ROUNDS, max: DEFAULT_MAX_ROUNDS, tokensPerRound: TOKENS_PER_ROUND }
  // the support check: at most one call per graded run, reading its evidence (capped) after the task and the rules
  const support = {
    model: DEFAULT_CHECK_MODEL,
    prefixTokens:
      estimateTokens(CHECK_SYSTEM) +
      estimateTokens(JSON.stringify(CHECK_TOOL)) +
      CHECK_PROMPT_OVERHEAD +
      estimateTokens(checkPrefix(p.taskInfo, [])) +
      CHECK_RULES_TOKENS,
    runTokens: p.list.map((r) => estimateTokens(checkEvidence(r))),
    outputAllowance: CHECK_OUTPUT_ALLOWANCE
  }
  const cost = estimateAnalysisCost({ model: m, mergeModel: mm, via: v, groups, instructionTokens, rounds, support })
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
}

/**
 * Candidates: N versions of one skill learned from the same graded runs, each a real analysis of its
 * own (it shows on its analysis page) with its own seed (the order the analysts read the runs in, and
 * the merge the rules) and model, saved as a new version of one skill under one name, labelled
 * "candidate i of N (seed i, model)". Built one after another; the signal cancels the analysis in
 * flight and stops; a candidate that fails stops the build, naming it; the candidates built before
 * stay as versions either way. The estimate is N analysis estimates. Electron-free.
 */
import type { Analysis, CandidatesEstimate } from '../../shared/analysis'
import { candidateLabel } from '../../shared/analysis'
import { AppError, fail, type ErrorCode } from '../../shared/contract'
import { DEFAULT_ANALYST_MODEL } from '../../shared/models'
import { analysisOf, running, type AnalysisContext } from './context'
import { estimateAnalysis } from './prepare'
import { startAnalysis } from './start'

export const MIN_CANDIDATES = 2
export const MAX_CANDIDATES = 5

export interface CandidatesInput {
  batchId: string
  /** how many candidates (2 to 5) */
  n: number
  /** one model per candidate, or one for all (default: the analysts' default) */
  models?: string[]
  mergeModel?: string
  via?: Analysis['via']
  claudePath?: string
  /** add the candidates to this existing skill of the batch (default: the first candidate makes a new skill) */
  skillId?: string
  /** what the analysts should know of how the runs were made (the caller's, as for an analysis) */
  notes?: string
}

export interface CandidatesProgress {
  /** candidates built so far, of `total` */
  done: number
  total: number
  /** the analysis of the candidate in flight (or the last one built) */
  analysisId?: string
  /** what the candidates' analyses have cost so far */
  costUsd: number
}

export interface CandidatesOptions {
  signal: AbortSignal
  onProgress?(p: CandidatesProgress): void
}

export interface CandidateVersion {
  id: string
  number: number
  seed: number
  model: string
  analysisId: string
  costUsd: number
}

export interface BuiltCandidates {
  skillId: string
  versions: CandidateVersion[]
}

/** A build that stopped (cancelled, or a candidate failed): what was built before stays, and is said here too. */
export class CandidatesError extends AppError {
  constructor(
    message: string,
    code: ErrorCode,
    readonly built: { skillId?: string; versions: CandidateVersion[] }
  ) {
    super(message, code)
  }
}

/** The candidates' models, one per candidate, checked. */
function plan(input: CandidatesInput): { seed: number; model: string }[] {
  const { n, models = [] } = input
  if (!Number.isInteger(n) || n < MIN_CANDIDATES || n > MAX_CANDIDATES)
    throw fail(`Make ${MIN_CANDIDATES} to ${MAX_CANDIDATES} candidates, not ${n}.`, 'invalid')
  if (models.length > 1 && models.length !== n)
    throw fail(`Give one model for every candidate, or one for all: ${models.length} models for ${n} candidates.`, 'invalid')
  if (models.some((m) => typeof m !== 'string' || !m.trim())) throw fail('A candidate model is an id such as claude-sonnet-5-5.', 'invalid')
  return Array.from({ length: n }, (_, i) => ({ seed: i + 1, model: models[i] ?? models[0] ?? DEFAULT_ANALYST_MODEL }))
}

/** What an analysis has cost: its analysts, its merge and its support check. */
export const analysisCostUsd = (a: Analysis) => a.analysts.reduce((n, s) => n + s.costUsd, 0) + a.merge.costUsd + (a.support?.costUsd ?? 0)

/** Why an analysis did not end done, in one line. */
function whyNot(a: Analysis): string {
  if (a.state === 'cancelled') return 'its analysis was cancelled'
  if (a.state === 'interrupted') return 'its analysis was interrupted'
  const stopped = [...a.warnings].reverse().find((w) => /^The analysis stopped|^No analyst finished/.test(w))
  const analysts = a.analysts.filter((s) => s.error).map((s) => `${s.kind} analyst: ${s.error}`)
  return stopped ?? (a.merge.error ? `the merge: ${a.merge.error}` : analysts.length ? analysts.join('; ') : `its analysis ${a.state}`)
}

/** Build N candidate versions of one skill from a batch's graded runs, one after another. */
export async function buildCandidates(ctx: AnalysisContext, input: CandidatesInput, opts: CandidatesOptions): Promise<BuiltCandidates> {
  const planned = plan(input)
  const { batchId, skillId: given, mergeModel, via, claudePath, notes } = input
  if (given) {
    const s = await ctx.skills.skillOf(given)
    if (!s.batchIds.includes(batchId))
      throw fail(
        `The skill ${s.frontMatter.name || s.id} was not learned from this batch: its candidates come from its own runs.`,
        'invalid'
      )
  }
  const n = planned.length
  let skillId = given
  const versions: CandidateVersion[] = []
  let spent = 0
  const kept = () => {
    if (!versions.length) return 'no candidate was built'
    const list = versions.map((v) => v.number).join(', ')
    return `the ${versions.length === 1 ? 'candidate' : 'candidates'} built before stay${versions.length === 1 ? 's' : ''} (version${versions.length === 1 ? '' : 's'} ${list})`
  }
  const stop = (message: string, code: ErrorCode) => new CandidatesError(message, code, { skillId, versions: [...versions] })
  for (const [k, { seed, model }] of planned.entries()) {
    const i = k + 1
    const label = candidateLabel(i, n, seed, model)
    if (opts.signal.aborted) throw stop(`Making candidates was cancelled before candidate ${i} of ${n}: ${kept()}.`, 'cancelled')
    let a: Analysis
    try {
      a = await startAnalysis(ctx, {
        batchId,
        model,
        ...(mergeModel ? { mergeModel } : {}),
        ...(via ? { via } : {}),
        ...(claudePath ? { claudePath } : {}),
        ...(notes ? { notes } : {}),
        seed,
        ...(skillId ? { intoSkillId: skillId } : {}),
        versionLabel: label
      })
    } catch (e) {
      throw stop(`Candidate ${i} of ${n} (seed ${seed}, ${model}) could not start: ${(e as Error).message} (${kept()}).`, codeOf(e))
    }
    opts.onProgress?.({ done: k, total: n, analysisId: a.id, costUsd: spent })
    // the build's cancel cancels the analysis in flight (its analysts and its merge)
    const cancel = () => {
      const op = running(ctx, a.id)
      if (op) ctx.operations.cancel(op.id)
    }
    opts.signal.addEventListener('abort', cancel, { once: true })
    if (opts.signal.aborted) cancel()
    try {
      await ctx.operations.whenSettled('analysis', a.id)
      await ctx.operations.whenSettled('merge', a.id)
    } finally {
      opts.signal.removeEventListener('abort', cancel)
    }
    const ended = await analysisOf(ctx, a.id)
    spent += analysisCostUsd(ended)
    if (opts.signal.aborted) throw stop(`Making candidates was cancelled during candidate ${i} of ${n}: ${kept()}.`, 'cancelled')
    if (ended.state !== 'done' || !ended.skillId)
      throw stop(`Candidate ${i} of ${n} (seed ${seed}, ${model}) failed: ${whyNot(ended)}; ${kept()}.`, 'internal')
    skillId = ended.skillId
    const list = await ctx.store.skills.versions(skillId)
    const v = [...list].reverse().find((x) => x.label === label) ?? list[list.length - 1]
    versions.push({ id: v.id, number: v.number, seed, model, analysisId: a.id, costUsd: analysisCostUsd(ended) })
    opts.onProgress?.({ done: i, total: n, analysisId: a.id, costUsd: spent })
  }
  return { skillId: skillId!, versions }
}

const codeOf = (e: unknown): ErrorCode => (e instanceof AppError ? e.code : 'internal')

/** What the candidates would cost before any is built: each one's analysis estimate (the same for the same models). */
export async function estimateCandidates(ctx: AnalysisContext, input: CandidatesInput): Promise<CandidatesEstimate> {
  const planned = plan(input)
  const { batchId, mergeModel, via, notes } = input
  const byModel = new Map<string, ReturnType<typeof estimateAnalysis>>()
  const candidates = await Promise.all(
    planned.map(async ({ seed, model }) => {
      if (!byModel.has(model))
        byModel.set(
          model,
          estimateAnalysis(ctx, {
            batchId,
            model,
            ...(mergeModel ? { mergeModel } : {}),
            ...(via ? { via } : {}),
            ...(notes ? { notes } : {})
          })
        )
      return { ...(await byModel.get(model)!), seed }
    })
  )
  const usd = candidates.every((c) => c.usd !== null) ? candidates.reduce((n, c) => n + c.usd!, 0) : null
  return { n: candidates.length, candidates, usd }
}

/**
 * What every use case of the verify domain works with: its dependencies (the store, the registry of
 * long work, the runner...), made once by `verifyContext`, and the few reads and writes of a
 * verification they all share. Electron-free.
 */
import type { Analysis } from '../../shared/analysis'
import { fail, type EventSink } from '../../shared/contract'
import type { VerificationOutcomes } from '../../shared/rule-outcomes'
import type { PresetAvailability, RunSettings } from '../../shared/runs'
import type { Skill, SkillVersion } from '../../shared/skills'
import type { Trace } from '../../shared/trace'
import type { GradeMode, Verification, VerifySettings, VerifyVariation } from '../../shared/verify'
import type { ModelPort } from '../analysts/model'
import { silentLog, type Log } from '../log/log'
import type { Operations } from '../operations/registry'
import type { BatchRunner } from '../runs/runner'
import type { ModelAccess } from '../runs/variations'
import type { SkillService } from '../skills/service'
import type { Store } from '../store/store'
import { derivedFromTrace } from '../traces/derived'
import { createBlindness, type Blindness } from './blind'
import { cryptoInt, type RandomInt } from './plan'
import type { RunFacts } from './report'

export interface VerifyInput {
  skillId: string
  /** the version to verify (default: the newest) */
  versionId?: string
  /** what to compare it against: 'none' (default), or another version's id */
  against?: string
  variations?: { source: 'fresh' } | { source: 'batch' } | { source: 'pasted'; items: VerifyVariation[] }
  /** runs per variation per arm (default 2) */
  repeats?: number
  settings?: VerifySettings
  /** the model that writes fresh variations */
  generationModel?: string
  /** install a version with flagged texts anyway (the person read them) */
  acceptFlagged?: boolean
  /** who grades the runs: the person, blind (default), the grader alone with the task's rubric, or the grader asking the person when unsure */
  grade?: GradeMode
}

/** What building candidates is given (the analysis service's `buildCandidates`). */
export interface BuildCandidatesInput {
  batchId: string
  n: number
  models?: string[]
  mergeModel?: string
  via?: 'api' | 'claude-cli'
  claudePath?: string
  skillId?: string
}
export interface BuiltCandidates {
  skillId: string
  versions: { id: string; number: number; seed: number; model: string; analysisId: string; costUsd: number }[]
}
/**
 * Builds N candidate versions of one skill from a graded batch (different seeds or models of the
 * analysts and the merge); the signal cancels it; progress as each analysis ends.
 */
export type BuildCandidates = (
  input: BuildCandidatesInput,
  opts: { signal: AbortSignal; onProgress?(p: { done: number; total: number; analysisId?: string; costUsd: number }): void }
) => Promise<BuiltCandidates>

export interface VerifyDeps {
  store: Store
  /** where failures handled without bothering the person are kept (the app's log) */
  log?: Log
  emit: EventSink
  operations: Operations
  runner: BatchRunner
  skills: SkillService
  readTrace(sessionId: string, projectId?: string): Promise<Trace>
  /** where a session's file is (no parse): a report read again parses only the traces that changed */
  sessionFile?(sessionId: string, projectId?: string): Promise<string | undefined>
  /** the API key and base URL (variations, explanations); throws a clear error when there is none */
  apiAccess(): Promise<ModelAccess>
  /** start an analysis (deepen from a verification) */
  startAnalysis(input: {
    batchId: string
    deepenSkillId: string
    via?: 'api' | 'claude-cli'
    model?: string
    mergeModel?: string
    claudePath?: string
    /** what the verification showed of the skill's rules: the merge demotes on it */
    outcomes?: VerificationOutcomes
  }): Promise<Analysis>
  /** build N candidate versions from a batch (makeCandidates from a batch); absent: only existing versions can be candidates */
  buildCandidates?: BuildCandidates
  /** what building candidates would cost (the analysis service's estimate: N analyses of the batch) */
  estimateBuild?: (input: BuildCandidatesInput) => Promise<{ usd: number | null }>
  /** Claude Code's config folder the runs use: the user's own skills are in its `skills/` */
  configDir: string
  env: NodeJS.ProcessEnv
  /** tests: a model port for explanations instead of the API */
  port?: ModelPort
  /** can a permission preset work here (default: the real preflight) */
  presetCheck?: (preset: RunSettings['permission']) => Promise<PresetAvailability>
  /** the order of arms in a pair and the deck's numbering (tests pass a seeded one) */
  random?: RandomInt
  /** what a blind verification keeps to itself (default: made over the store) */
  blind?: Blindness
}

/** The dependencies with their defaults filled in, and the cache of what each run's trace says. */
export interface VerifyContext extends VerifyDeps {
  log: Log
  random: RandomInt
  blind: Blindness
  /** per run: its metrics and how it used its arm's skill, kept until its session file changes */
  facts: ReturnType<typeof derivedFromTrace<RunFacts>>
}

export function verifyContext(d: VerifyDeps): VerifyContext {
  return {
    ...d,
    log: d.log ?? silentLog(),
    random: d.random ?? cryptoInt,
    blind: d.blind ?? createBlindness(d.store),
    facts: derivedFromTrace<RunFacts>(d)
  }
}

export const now = () => new Date().toISOString()
export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

export const stateOf = (v: SkillVersion) => v.state as Skill
/** The skill's name in a version's front matter (its folder's name when installed). */
export const nameOf = (v: SkillVersion) => stateOf(v).frontMatter?.name || ''

/** Refuses what only makes sense for two arms (explaining pairs, deepening) on a verification of another kind. */
export function twoArmsOnly(v: Verification, what: string): void {
  if (v.kind && v.kind !== 'compare')
    throw fail(
      `${what} only from a verification of one version against no skill or another version; this one compares ${v.kind}`,
      'invalid'
    )
}

export async function verificationOf(ctx: Pick<VerifyContext, 'store'>, id: string): Promise<Verification> {
  const v = await ctx.store.verifications.get(id)
  if (!v) throw fail(`no such verification: ${id}`, 'not-found')
  return v
}

/** Save a new verification (or one as a whole) and tell the screens. */
export async function save(ctx: Pick<VerifyContext, 'store' | 'emit'>, v: Verification): Promise<void> {
  v.updatedAt = now()
  await ctx.store.verifications.put(v)
  ctx.emit('verificationProgress', { verification: v })
}

/**
 * Change a verification as it is stored now: the change is applied to the document in its write queue
 * (so changes made at once never overwrite each other), and undone if it cannot be saved.
 */
export async function change(ctx: Pick<VerifyContext, 'store' | 'emit'>, id: string, fn: (v: Verification) => void): Promise<Verification> {
  await verificationOf(ctx, id)
  await ctx.store.verifications.update(id, (doc) => {
    fn(doc.verification)
    doc.verification.updatedAt = now()
  })
  const v = structuredClone(await verificationOf(ctx, id))
  ctx.emit('verificationProgress', { verification: v })
  return v
}

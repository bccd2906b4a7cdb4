/**
 * The verify domain (step 5 of the workflow): does a skill version make runs better? The same
 * variations (fresh ones by default, never those the skill was learned from) run with the version
 * installed as a real project skill and without it (or with another version), interleaved in one
 * queue; the person grades both arms blind, in one shuffled deck (the verification's runs are a batch
 * of their own, so the deck, the gallery, grading, the CLI's `grade` and the analysts all work on it);
 * the report compares them with numbers; and "deepen from this verification" analyses its runs into
 * the next version. Long work is an operation (writing fresh variations, the runs, explaining pairs):
 * cancel reaches every model call and process, and a stopped app's verification resumes. Electron-free.
 *
 * This file only wires the use cases, one module each: ./estimate.ts (what it would be), ./start.ts,
 * ./batch.ts (its runs), ./install.ts (the skill in a run's folder), ./resume.ts, ./cancel.ts (and
 * waiting), ./view.ts (the report, blind or not), ./explain-pairs.ts, ./deepen.ts, ./notes.ts (for the
 * analysts), ./recover.ts; ./context.ts holds their dependencies.
 */
import type { Arm, Verification, VerificationView, VerifyEstimate } from '../../shared/verify'
import { estimateCandidates, type CandidatesInput } from './candidates-plan'
import { makeCandidates } from './candidates-start'
import type { ConfirmEstimate } from '../../shared/confirm'
import { planConfirmation, type ConfirmInput } from './confirm/plan'
import { startConfirmation } from './confirm/start'
import { cancelVerification, whenVerificationSettled } from './cancel'
import { verificationOf, verifyContext, type VerifyDeps, type VerifyInput } from './context'
import { deepenFromVerification, type DeepenOptions } from './deepen'
import { planVerification } from './estimate'
import { explainPairs, type ExplainOptions } from './explain-pairs'
import { runOptions, skillPreparer } from './install'
import { notesFor } from './notes'
import { recoverVerifications } from './recover'
import { resumeVerification } from './resume'
import { startVerification } from './start'
import { viewOf } from './view'

export type { BuildCandidates, BuildCandidatesInput, VerifyDeps, VerifyInput } from './context'
export type { CandidatesInput } from './candidates-plan'
export type { ConfirmInput } from './confirm/plan'

export type VerifyService = ReturnType<typeof createVerifyService>

export function createVerifyService(d: VerifyDeps) {
  const ctx = verifyContext(d)
  const { store } = ctx

  return {
    /** the skill each arm runs with, installed in its run's folder (tests call it directly) */
    preparer: skillPreparer(ctx),
    /** what the runner is given when a verification's batch starts: its skill installed, folders never named by the deck's numbers */
    runOptions: (batchId: string) => runOptions(ctx, batchId),
    viewOf: (v: Verification) => viewOf(ctx, v),
    blind: ctx.blind,
    async get(id: string) {
      return viewOf(ctx, await verificationOf(ctx, id))
    },
    /** Newest first: a skill's (or all), of one kind when given (absent kind: 'compare'). */
    async list(skillId?: string, kind?: NonNullable<Verification['kind']>) {
      const ids = skillId ? store.verifications.ofSkill(skillId) : store.verifications.ids()
      const list = (await Promise.all(ids.map((x) => store.verifications.get(x)))).filter(
        (x): x is Verification => !!x && (!kind || (x.kind ?? 'compare') === kind)
      )
      return Promise.all(list.sort((a, b) => b.createdAt.localeCompare(a.createdAt)).map((v) => viewOf(ctx, v)))
    },
    /** The verification whose runs are this batch's (the deck grades it blind). */
    ofBatch: (batchId: string) => store.verifications.ofBatch(batchId),
    async estimate(input: VerifyInput): Promise<VerifyEstimate> {
      return (await planVerification(ctx, input)).estimate
    },
    start: (input: VerifyInput): Promise<VerificationView> => startVerification(ctx, input),
    /** What a candidates verification would be: its runs, cost and the cap (./candidates-plan.ts). */
    estimateCandidates: (input: CandidatesInput) => estimateCandidates(ctx, input),
    /** Verify existing versions as candidates, or build N from a batch and then verify them (./candidates-start.ts). */
    makeCandidates: (input: CandidatesInput): Promise<VerificationView> => makeCandidates(ctx, input),
    /** Confirm a version's rules drawn from bad runs: each re-run alone on its failures and a good variation (./confirm/). */
    async estimateConfirmation(input: ConfirmInput): Promise<ConfirmEstimate> {
      return (await planConfirmation(ctx, input)).estimate
    },
    startConfirmation: (input: ConfirmInput): Promise<VerificationView> => startConfirmation(ctx, input),
    /** Stop everything it is doing: writing variations, its runs, explanations. */
    cancel: (id: string) => cancelVerification(ctx, id),
    /** Go on after a cancel, a failure or a stopped app: write the variations again, or run again the runs that did not finish. */
    resume: (id: string) => resumeVerification(ctx, id),
    /** Resolves when nothing of it is running (tests, the CLI). */
    idle: (id: string) => whenVerificationSettled(ctx, id),
    explain: (id: string, opts: ExplainOptions = {}) => explainPairs(ctx, id, opts),
    /** The next version: the verification's graded runs (both arms) analysed in deepen mode, the current skill the starting point. */
    deepen: (id: string, opts: DeepenOptions = {}) => deepenFromVerification(ctx, id, opts),
    /**
     * What the analysts of a verification's batch should know: each run's arm and its pair, and the
     * rules the with-skill trace showed followed where the skill broke a run. Undefined for other batches.
     */
    notesFor: (batchId: string) => notesFor(ctx, batchId),
    /** At start-up: what a stopped app left half-done (writing variations, explaining pairs, a skill installed in a run's folder). */
    recover: () => recoverVerifications(ctx),
    /** The arm of a run of a verification batch (after grading, to say which is which). */
    armOf(batchId: string, runId: string): Arm | undefined {
      const vid = store.verifications.ofBatch(batchId)
      return vid ? store.verifications.peek(vid)?.data.verification.arms[runId]?.arm : undefined
    }
  }
}

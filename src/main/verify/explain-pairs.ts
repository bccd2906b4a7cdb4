/**
 * Explaining the pairs a skill fixed or broke: for each, which of the version's rules the with-skill
 * run's trace shows followed or ignored (./explain.ts asks the model), a few pairs at a time, as an
 * operation (cancel ends every model call; pairs not started are not taken). Not while graded blind.
 * Electron-free.
 */
import PQueue from 'p-queue'
import { fail } from '../../shared/contract'
import { DEFAULT_ANALYST_MODEL } from '../../shared/models'
import { secretLiterals } from '../../shared/redact'
import type { Explanation, VerificationView } from '../../shared/verify'
import { apiModel, claudeCliModel, type ModelPort } from '../analysts/model'
import { errorFields } from '../log/log'
import { change, stateOf, twoArmsOnly, verificationOf, type VerifyContext } from './context'
import { explainPair, rulesOf } from './explain'
import { fullViewOf, notBlind, runsOfVerification, viewOf } from './view'

/** Pairs explained at once. */
const EXPLAIN_CONCURRENCY = 4

export interface ExplainOptions {
  model?: string
  via?: 'api' | 'claude-cli'
  claudePath?: string
}

async function explainPort(ctx: VerifyContext, via: 'api' | 'claude-cli' = 'api', claudePath?: string): Promise<ModelPort> {
  if (ctx.port) return ctx.port
  if (via === 'claude-cli') return claudeCliModel({ claudePath, env: ctx.env })
  return apiModel(await ctx.apiAccess())
}

export async function explainPairs(ctx: VerifyContext, id: string, opts: ExplainOptions = {}): Promise<VerificationView> {
  const v = await verificationOf(ctx, id)
  if (v.kind === 'confirm')
    throw fail('a confirmation has no pairs to explain: each run tests one rule, its results say which it fixed or broke', 'invalid')
  twoArmsOnly(v, 'pairs are explained')
  if (ctx.operations.running('verify', id).some((op) => op.params.step === 'explain'))
    throw fail('the pairs are being explained already', 'busy')
  notBlind(ctx, v, 'the pairs are explained')
  const view = await fullViewOf(ctx, v)
  const report = view.report
  if (!report) throw fail('nothing to explain yet: no runs were graded', 'invalid')
  const todo = report.pairs.filter(
    (p) => (report.comparison.fixed.includes(p.key) || report.comparison.broken.includes(p.key)) && v.explanations[p.key]?.state !== 'done'
  )
  if (!todo.length)
    return report.comparison.fixed.length + report.comparison.broken.length
      ? view
      : (() => {
          throw fail('no pair was fixed or broken: every graded pair agrees, so there is nothing to explain', 'invalid')
        })()
  const version = await ctx.store.skills.version(v.version.id)
  if (!version) throw fail('the version verified is gone', 'not-found')
  const rules = rulesOf(stateOf(version).rules ?? [])
  if (!rules.length) throw fail('the version verified has no rules to look for', 'invalid')
  const port = await explainPort(ctx, opts.via, opts.claudePath)
  const model = opts.model ?? DEFAULT_ANALYST_MODEL
  await change(ctx, id, (x) => {
    for (const p of todo) x.explanations[p.key] = { state: 'running', costUsd: 0, rules: [], setAside: [] }
  })
  ctx.operations.start({ kind: 'verify', subject: id, params: { step: 'explain', model, via: port.kind } }, async (op) => {
    // up to EXPLAIN_CONCURRENCY pairs at a time; after a cancel, the pairs not started are not taken
    const queue = new PQueue({ concurrency: EXPLAIN_CONCURRENCY })
    const one = async (p: (typeof todo)[number]) => {
      if (op.signal.aborted) return
      const kind = report.comparison.fixed.includes(p.key) ? ('fixed' as const) : ('broken' as const)
      let result: Explanation
      try {
        const runs = await runsOfVerification(ctx, v)
        const withRun = runs.find((r) => r.id === p.with!.runId)!
        const trace = await ctx.readTrace(withRun.sessionId, withRun.projectId)
        result = await explainPair(
          port,
          model,
          {
            kind,
            prompt: p.prompt,
            with: { number: p.with!.number, label: p.with!.label!, text: p.with!.text },
            without: { number: p.without!.number, label: p.without!.label!, text: p.without!.text }
          },
          rules,
          trace,
          op.signal,
          { literals: secretLiterals(ctx.env) }
        )
      } catch (err) {
        // the pair shows the first line; the log keeps the whole error
        if (!op.signal.aborted) ctx.log.warn({ verificationId: id, pair: p.key, error: errorFields(err) }, 'a pair could not be explained')
        result = {
          state: 'failed',
          error: op.signal.aborted ? 'cancelled' : (err as Error).message.split('\n')[0],
          costUsd: 0,
          rules: [],
          setAside: []
        }
      }
      await change(ctx, id, (x) => void (x.explanations[p.key] = result))
    }
    await Promise.all(todo.map((p) => queue.add(() => one(p))))
    if (op.signal.aborted)
      await change(ctx, id, (x) => {
        for (const [k, e] of Object.entries(x.explanations))
          if (e.state === 'running') x.explanations[k] = { ...e, state: 'failed', error: 'cancelled' }
      })
  })
  return viewOf(ctx, await verificationOf(ctx, id))
}

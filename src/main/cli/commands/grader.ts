/**
 * The rubric and the grader: `rubric` (a task's rubric built from a batch's good and bad sentences) and
 * `grader` (how far a grader built from those sentences agrees with the person, by cross-validation).
 */
import { TRUST, type Agreement } from '../../../shared/agreement'
import type { GraderCheck, GraderEstimate, Pregrade, RubricView } from '../../../shared/grading'
import { claudePath, int, via, type Opts } from '../args'
import { batchName, call, findBatch, gradeCommand, plural, runsOf } from '../common'
import { verb } from '../context'
import { follow } from '../follow'
import { inline } from '../inert'
import { graderEnded, pregradeEnded } from '../wait'

const models = (o: Opts) => {
  const v = via(o)
  const c = claudePath(o)
  return { ...(v ? { via: v } : {}), ...(o.model ? { model: o.model } : {}), ...(c ? { claudePath: c } : {}) }
}

/** The rubric in words: one assertion a line, with the runs it came from. */
export function rubricText(v: RubricView): string {
  const c = v.current
  return [
    `rubric ${v.rubric.id}, version ${c.number} (${inline(c.note)}):`,
    ...c.assertions.map(
      (a, i) => `  ${i + 1}. ${inline(a.text)}${a.runs.length ? ` (runs ${a.runs.join(', ')})` : ''}${a.by === 'person' ? ' [yours]' : ''}`
    )
  ].join('\n')
}

const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(0)}%`)

/** The agreement table: accuracy, kappa, and the person x grader confusion table. */
export function agreementText(a: Agreement): string[] {
  const c = a.confusion
  return [
    `accuracy ${pct(a.accuracy)} (${a.agreed} of ${a.n} runs), Cohen's kappa ${a.kappa === null ? `undefined (${a.kappaNote})` : a.kappa.toFixed(2)}`,
    '                 grader good  grader bad',
    `  you said good  ${String(c.goodGood).padStart(11)}  ${String(c.goodBad).padStart(10)}`,
    `  you said bad   ${String(c.badGood).padStart(11)}  ${String(c.badBad).padStart(10)}`
  ]
}

export function graderText(g: GraderCheck): string {
  const r = g.report
  if (!r) return `grader ${g.id}: ${g.state}${g.error ? ` (${inline(g.error)})` : ''}`
  return [
    `grader ${g.id} on ${r.folds.length} folds (model ${g.model}, $${g.costUsd.toFixed(2)}):`,
    ...agreementText(r.agreement),
    r.trust.trusted
      ? `trust it: kappa at least ${TRUST.minKappa} and accuracy at least ${pct(TRUST.minAccuracy)} over ${r.agreement.n} runs`
      : `do not trust it yet: ${r.trust.reasons.map((x) => inline(x)).join('; ')}`,
    ...(r.disagreements.length ? ['disagreements:'] : []),
    ...r.disagreements.map(
      (d) =>
        `  Run ${d.number}: you said ${d.person}${d.personText ? ` ("${inline(d.personText, 120)}")` : ''}; the grader said ${d.grader}: ${inline(d.reason, 300)}`
    ),
    ...r.failed.map((f) => `  Run ${f.number}: not graded (${inline(f.error, 200)})`)
  ].join('\n')
}

const rubric = verb({
  name: 'rubric',
  args: { n: 1, what: 'a batch (its id or name)' },
  options: ['via', 'model', 'claude', 'json'],
  readOnly: false,
  prepare: (_args, o) => void via(o),
  async run({ client, io, print }, [arg], o) {
    const batchId = await findBatch(client, arg)
    const runs = await runsOf(client, batchId)
    const graded = runs.filter((r) => r.feedback?.label).length
    if (!graded)
      throw new Error(
        `No graded runs in ${JSON.stringify(await batchName(client, batchId))}: grade them first with ${gradeCommand(batchId)}`
      )
    io.err(`writing the rubric from the sentences of ${plural(graded, 'graded run')}`)
    const view = await call<RubricView>(client, 'buildRubric', { batchId, ...models(o) })
    print(view, () =>
      [rubricText(view), `next: trace2skill grader ${batchId} (how far a grader built from these sentences agrees with you)`].join('\n')
    )
  }
})

const grader = verb({
  name: 'grader',
  args: { n: 1, what: 'a batch (its id or name)' },
  options: ['via', 'model', 'claude', 'folds', 'estimate', 'json'],
  readOnly: (o) => !!o.estimate,
  prepare: (_args, o) => {
    via(o)
    int('folds', o.folds, 2, 20)
  },
  async run({ client, io, print }, [arg], o) {
    const batchId = await findBatch(client, arg)
    const folds = int('folds', o.folds, 2, 20)
    const input = { batchId, ...models(o), ...(folds ? { folds } : {}) }
    if (o.estimate) {
      const { claudePath: _c, ...est } = input as typeof input & { claudePath?: string }
      const e = await call<GraderEstimate>(client, 'estimateGrader', est)
      const usd = e.usd === null ? 'no price known for this model' : `about $${e.usd.toFixed(2)}`
      print(e, () =>
        [
          `${usd}: ${e.calls} model calls (${e.folds} folds over ${e.runs} graded runs; ${e.inputTokens.toLocaleString('en-US')} tokens read, ${e.outputTokens.toLocaleString('en-US')} written, model ${e.model}). ${e.basis}.`,
          `next: trace2skill grader ${batchId}`
        ].join('\n')
      )
      return 0
    }
    let last = ''
    const id = await follow({
      io,
      client,
      onEvent: (event, payload) => {
        if (event !== 'graderProgress') return
        const g = (payload as { grader: GraderCheck }).grader
        if (g.batchId !== batchId || g.state !== 'running') return
        const line = `${g.progress.done}/${g.progress.total} ${g.progress.step}`
        if (line !== last) io.err((last = line))
      },
      start: async () => (await call<GraderCheck>(client, 'startGrader', input)).id,
      cancel: (graderId) => call(client, 'cancelGrader', { graderId }),
      cancelling: () => 'cancelling the grader',
      ended: (graderId) => graderEnded(client, graderId)
    })
    const g = await call<GraderCheck>(client, 'getGrader', { graderId: id })
    print(g, () => graderText(g))
    if (g.state !== 'done') {
      io.err(`trace2skill: the grader was not measured: ${g.state}${g.error ? ` (${inline(g.error)})` : ''}`)
      return 1
    }
  }
})

/** The pre-grades in words: each run's grade marked as the grader's, and how far the grader was measured to agree. */
export function pregradeText(p: Pregrade, numbers: Map<string, number>, batchId: string): string {
  const m = p.measured
  const trust = !m
    ? `the grader was never measured on this batch nor on another of its task: run \`trace2skill grader <batch>\` on a batch you graded to know how far to trust it`
    : `the grader agreed with you on ${pct(m.accuracy)} of runs (kappa ${m.kappa === null ? 'undefined' : m.kappa.toFixed(2)})${m.trusted ? '' : `: do not trust it yet (\`trace2skill grader ${batchId}\` says why)`}`
  const rows = Object.entries(p.grades)
    .map(([runId, g]) => ({ n: numbers.get(runId) ?? g.number, g }))
    .sort((a, b) => a.n - b.n)
  const unsure = rows.filter(({ g }) => g.unsure).length
  return [
    `${plural(rows.length, 'run')} pre-graded by the grader (${p.state}), not yet confirmed by you${rows.length ? `; ${unsure ? `${unsure} unsure: look at those first` : 'none unsure'}` : ''}:`,
    ...rows.map(
      ({ n, g }) =>
        `  Run ${n}: ${g.label} (grader's${g.unsure ? ', UNSURE' : ''}) - ${inline(g.reason, 300)}${g.unsure ? ` [unsure: ${inline(g.unsure.why, 300)}]` : ''}`
    ),
    ...p.failed.map((f) => `  Run ${f.number}: not graded (${inline(f.error, 200)})`),
    trust,
    "confirm or flip each in the review deck, or grade them with `trace2skill grade` (your grade replaces the grader's)"
  ].join('\n')
}

const pregrade = verb({
  name: 'pregrade',
  args: { n: 1, what: 'a batch (its id or name)' },
  options: ['via', 'model', 'claude', 'json'],
  readOnly: false,
  prepare: (_args, o) => void via(o),
  async run({ client, io, print }, [arg], o) {
    const batchId = await findBatch(client, arg)
    const id = await follow({
      io,
      client,
      onEvent: (event, payload) => {
        if (event !== 'pregradeProgress') return
        const p = (payload as { pregrade: Pregrade }).pregrade
        if (p.batchId === batchId && p.state === 'running' && p.progress.done) io.err(`${p.progress.done}/${p.progress.total} graded`)
      },
      start: async () => (await call<Pregrade>(client, 'startPregrade', { batchId, ...models(o) })).batchId,
      cancel: (b) => call(client, 'cancelPregrade', { batchId: b }),
      cancelling: () => 'cancelling the pre-grading',
      ended: (b) => pregradeEnded(client, b)
    })
    const p = (await call<Pregrade | null>(client, 'getPregrade', { batchId: id }))!
    const numbers = new Map((await runsOf(client, batchId)).map((r) => [r.id, r.number]))
    print(p, () => pregradeText(p, numbers, batchId))
    if (p.state !== 'done') {
      io.err(`trace2skill: the pre-grading did not finish: ${p.state}${p.error ? ` (${inline(p.error)})` : ''}`)
      return 1
    }
  }
})

export const graderVerbs = [rubric, grader, pregrade]

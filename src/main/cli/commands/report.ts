/**
 * Step 5, read and explained: `report` (the arms compared once the runs are graded blind), `verifications`
 * (every one, or a skill's) and `explain` (which rules the fixed and broken pairs followed).
 */
import { follow } from '../follow'
import type { SkillView } from '../../../shared/contract'
import type { Analysis } from '../../../shared/analysis'
import {
  armLabel,
  graderGrades,
  graderHeadline,
  leftForYouText,
  triggerJudged,
  triggerLow,
  type ArmStats,
  type Verification,
  type VerificationView,
  type VerifyPair
} from '../../../shared/verify'
import type { Client } from '../client'
import { verificationEnded } from '../wait'
import { call, findSkill, MAKE_VERIFICATION, oneLineOf, plural } from '../common'
import { claudePath, via } from '../args'
import { candidatesText } from '../candidates'
import { confirmText } from '../confirmation'
import { verb, type Ctx } from '../context'
import {
  asItIs,
  findVerification,
  gradeNext,
  money,
  pct,
  points,
  pText,
  rateText,
  sourceText,
  statusText,
  versusText,
  whatItIs
} from '../verification'

// ---------------------------------------------------------------------------------------------------
// report and verifications

const pairLine = (v: Verification, p: VerifyPair) => {
  const side = (x: VerifyPair['with'], arm: 'with' | 'without') =>
    x
      ? `Run ${x.number} with ${armLabel(v, arm)}: ${x.label ?? x.state}${x.text.trim() ? ` - ${oneLineOf(x.text, 80)}` : ''}`
      : `no run with ${armLabel(v, arm)}`
  return [`  ${p.key} (${p.difficulty}): ${side(p.with, 'with')}; ${side(p.without, 'without')}`, `    prompt: ${oneLineOf(p.prompt, 140)}`]
}

const armLine = (a: ArmStats) => {
  const mean = (x: number | null, unit: string, digits = 1) => (x === null ? `- ${unit}` : `${x.toFixed(digits)} ${unit}`)
  // interim figures are said so; a trigger rate is a verdict only once enough runs have finished
  const soFar = a.finished < a.runs ? ' so far' : ''
  const judged = triggerJudged(a)
  return [
    `  ${a.label}: ${plural(a.runs, 'run')}, ${a.finished} finished, ${a.graded} graded (good: ${a.allGraded.passed} of ${a.allGraded.n})`,
    `cost ${money(a.costUsd)}${soFar} (${a.meanCostUsd === null ? '-' : money(a.meanCostUsd)} a run)`,
    `${mean(a.meanTurns, 'turns')}, ${mean(a.meanToolErrors, 'tool errors')}, ${mean(a.meanDurationMs === null ? null : a.meanDurationMs / 1000, 's')} a run`,
    a.trigger
      ? `skill loaded in ${a.trigger.invoked} of ${plural(a.trigger.runs, 'run')}${soFar}${a.trigger.rate === null || !a.trigger.runs ? '' : judged ? ` (${pct(a.trigger.rate)})` : ' (too few to judge)'}${a.trigger.elsewhere ? `; another of that name in ${a.trigger.elsewhere}` : ''}`
      : 'no skill to load'
  ].join('; ')
}

/**
 * When Claude Code rarely loaded a version (judged: triggerLow; while blind, the low-trigger warning):
 * the commands that measure its description on should and should-not prompts and write a better one.
 */
export function triggersHint(view: VerificationView): string | null {
  const v = view.verification
  const skill = v.skillName || v.skillId
  const r = view.report
  const arms = r ? [r.arms.with, ...(v.against ? [r.arms.without] : [])] : []
  const low = arms.find((a) => triggerLow(a))
  const blindLow = !r && view.blind?.warnings.some((w) => w.kind === 'low-trigger')
  if (!low && !blindLow) return null
  const number = low && low === r?.arms.without && v.against ? v.against.number : v.version.number
  const rate = low?.trigger?.rate
  return `the skill rarely loads${low && rate != null ? ` (version ${number} in ${pct(rate)} of its runs)` : ''}: \`trace2skill triggers ${skill} --version ${number}\` measures when its description makes Claude Code load it (on prompts that should load it and near misses that should not), and \`trace2skill optimize ${skill} --version ${number}\` writes a better description, picked on held-out prompts`
}

/** What to do next with a verification, from where it is (deepenedInto: the version deepening it made). */
function nextOf(view: VerificationView, deepenedInto?: number): string {
  const v = view.verification
  const s = view.status
  const r = view.report
  if (deepenedInto)
    return `trace2skill verify ${v.skillName || v.skillId} --version ${deepenedInto} (against no skill; --against ${v.version.number} compares it with the version verified)`
  if (!v.batchId)
    return `trace2skill resume ${v.id} (${v.phase === 'generating' ? 'if it was stopped: ' : ''}writes its variations and runs them)`
  if (s.running || s.queued) return `wait for its runs to finish (\`trace2skill report ${v.id}\` again)`
  const ungraded = s.finished - s.graded
  if (s.unfinished) return `trace2skill resume ${v.id} (runs again the ${plural(s.unfinished, 'run')} that did not finish)`
  if (ungraded && graderGrades(v) && (v.autoGrade?.state === 'waiting' || v.autoGrade?.state === 'running'))
    return `wait for the grader to grade the ${plural(ungraded, 'run')} left (\`trace2skill report ${v.id}\` again)`
  // 'assist': what the grader was unsure of is the person's
  if (view.leftForYou?.length && view.leftForYou.length === ungraded) return `${gradeNext(v.id)} (${leftForYouText(view.leftForYou)})`
  if (ungraded && graderGrades(v))
    return `trace2skill resume ${v.id} (the grader grades the ${plural(ungraded, 'run')} left), or ${gradeNext(v.id)}`
  if (ungraded) return `${gradeNext(v.id)} (${plural(ungraded, 'run')} not graded yet)`
  if (r && r.comparison.fixed.length + r.comparison.broken.length)
    return `trace2skill explain ${v.id} (which rules the fixed and broken pairs followed), or trace2skill deepen ${v.id} (the next version, from these runs)`
  return `trace2skill deepen ${v.id} (the next version, from these runs)`
}

export function reportText(view: VerificationView, o: { deepenedInto?: number } = {}): string {
  if (view.verification.kind === 'confirm') return confirmText(view)
  const v = view.verification
  const r = view.report
  const lines = [
    `verification ${v.id}: ${versusText(v)}; ${plural(v.variations.length, 'variation')} x ${plural(v.repeats, 'repeat')} (${sourceText(v)})`,
    `${v.batchId ? `batch ${v.batchId} ${JSON.stringify(view.batchName ?? '')}: ` : ''}${statusText(view.status)}${v.error ? ` (${oneLineOf(v.error, 200)})` : ''}`
  ]
  if (view.blind)
    lines.push(
      `blind: ${view.blind.graded} of ${plural(view.blind.runs, 'run')} graded; until every run is graded nothing says which run had the skill, and then this report compares the arms`,
      ...(view.blind.warnings.length ? ['warnings:', ...view.blind.warnings.map((w) => `  - ${w.text}`)] : []),
      ...(view.leftForYou?.length ? [leftForYouText(view.leftForYou)] : [])
    )
  // the result first, then what it rests on
  else if (r)
    lines.push(
      r.comparison.pairs
        ? `result${r.complete ? '' : ' so far'}: ${armLabel(v, 'with')} against ${armLabel(v, 'without')}: ${points(r.comparison.difference)} over ${plural(r.comparison.pairs, 'pair')} graded in both arms, p = ${pText(r.comparison.p)}`
        : 'result: none yet: no pair is graded in both arms'
    )
  // graded by the grader (all or some runs): said beside the result, with how far it was measured to agree
  if (view.grader) lines.push(graderHeadline(view.grader))
  if (r && !r.comparison.pairs) lines.push('no pair is graded in both arms yet: nothing to compare')
  else if (r) {
    const c = r.comparison
    const withL = armLabel(v, 'with')
    const withoutL = armLabel(v, 'without')
    const byKey = new Map(r.pairs.map((p) => [p.key, p]))
    lines.push(
      `pass rate over the ${plural(c.pairs, 'pair')} graded in both arms:`,
      `  ${withL}: ${rateText(c.with)}`,
      `  ${withoutL}: ${rateText(c.without)}`,
      `  difference: ${points(c.difference)}; p = ${pText(c.p)} (exact sign test on the ${plural(c.fixed.length + c.broken.length, 'pair')} that disagree)`,
      `fixed: ${plural(c.fixed.length, 'pair')} (good with ${withL}, bad with ${withoutL})`,
      ...c.fixed.flatMap((k) => (byKey.get(k) ? pairLine(v, byKey.get(k)!) : [])),
      `broken: ${plural(c.broken.length, 'pair')} (bad with ${withL}, good with ${withoutL})`,
      ...c.broken.flatMap((k) => (byKey.get(k) ? pairLine(v, byKey.get(k)!) : [])),
      `ties: ${plural(c.ties, 'pair')} (the same grade in both arms)`
    )
    if (r.byDifficulty.length)
      lines.push(
        'by difficulty:',
        ...r.byDifficulty.map(
          (d) =>
            `  ${d.difficulty}: ${plural(d.pairs, 'pair')}, ${d.with.passed} of ${d.with.n} against ${d.without.passed} of ${d.without.n} (${points(d.difference)}), ${d.fixed.length} fixed, ${d.broken.length} broken, p = ${pText(d.p)}`
        )
      )
  }
  if (r) {
    lines.push('per arm:', armLine(r.arms.with), armLine(r.arms.without))
    if (r.warnings.length) lines.push('warnings:', ...r.warnings.map((w) => `  - ${oneLineOf(w.text, 1000)}`))
  } else if (!view.blind) lines.push('no runs yet')
  const hint = triggersHint(view)
  if (hint) lines.push(hint)
  lines.push(`next: ${nextOf(view, o.deepenedInto)}`)
  return lines.join('\n')
}

async function reportCommand(ctx: Ctx, arg: string): Promise<number> {
  const { client, io, print } = ctx
  const v = await findVerification(client, arg)
  // blind until every run is graded: the view has no report and no arms then (src/main/verify/blind.ts)
  const view = await asItIs(ctx, await call<VerificationView>(client, 'getVerification', { verificationId: v.id }), io)
  const into = await deepenedInto(client, view.verification)
  print(view, () => (view.verification.kind === 'candidates' ? candidatesText(view) : reportText(view, { deepenedInto: into })))
  return 0
}

/** The version deepening this verification made, once its analysis is done (else undefined). */
async function deepenedInto(client: Client, v: Verification): Promise<number | undefined> {
  if (!v.deepenAnalysisId) return undefined
  // one line of the report (which version deepening made); an analysis or skill that cannot be read leaves it out
  const a = await call<Analysis>(client, 'getAnalysis', { analysisId: v.deepenAnalysisId }).catch(() => undefined)
  if (a?.state !== 'done' || a.skillId !== v.skillId) return undefined
  const view = await call<SkillView>(client, 'getSkill', { skillId: v.skillId }).catch(() => undefined)
  const newest = (view?.versions ?? []).reduce((n, x) => Math.max(n, x.number), 0)
  return newest > v.version.number ? newest : undefined
}

/** One line per verification; --json: what names it, where it is, and the comparison (no run's arm). */
async function listCommand(ctx: Ctx, skillArg?: string): Promise<number> {
  const { client, io, print } = ctx
  const skill = skillArg ? await findSkill(client, skillArg) : undefined
  const views = await Promise.all(
    (await call<VerificationView[]>(client, 'listVerifications', skill ? { skillId: skill.id } : {})).map((x) => asItIs(ctx, x, io))
  )
  if (!views.length)
    io.err(
      skill
        ? `no verifications of ${skill.frontMatter.name || skill.id} yet: \`trace2skill verify ${skill.frontMatter.name || skill.id}\` makes one`
        : `no verifications yet: ${MAKE_VERIFICATION}`
    )
  const list = views.map((x) => {
    const v = x.verification
    return {
      id: v.id,
      ...whatItIs(v),
      batchId: v.batchId ?? null,
      batchName: x.batchName ?? null,
      status: x.status,
      comparison: x.report?.comparison ?? null,
      ...(v.kind === 'confirm' ? { kind: 'confirm' as const, confirm: x.confirm?.counts ?? null } : {}),
      blind: !!x.blind,
      ...(v.kind === 'candidates'
        ? { candidates: (v.candidates ?? []).map((c) => c.number), suggested: x.candidates?.suggested ?? null }
        : {}),
      createdAt: v.createdAt
    }
  })
  print(list, () =>
    list
      .map((x) =>
        [
          x.id,
          x.candidates
            ? `${oneLineOf(x.skillName, 200)} candidates ${x.candidates.map((c) => `v${c}`).join(', ')} and no skill`
            : x.kind === 'confirm'
              ? `${oneLineOf(x.skillName, 200)} v${x.version}: rules confirmed`
              : `${oneLineOf(x.skillName, 200)} v${x.version} against ${x.against === null ? 'no skill' : `v${x.against}`}`,
          statusText(x.status),
          x.confirm
            ? `${x.confirm.confirmed} confirmed, ${x.confirm.unconfirmed} unconfirmed, ${x.confirm.harmful} harmful`
            : x.comparison?.pairs
              ? `${x.comparison.with.passed}/${x.comparison.with.n} against ${x.comparison.without.passed}/${x.comparison.without.n} (${points(x.comparison.difference)}, p = ${pText(x.comparison.p)})`
              : x.blind
                ? 'blind until every run is graded'
                : 'no pairs graded',
          x.createdAt.slice(0, 16).replace('T', ' ')
        ].join('\t')
      )
      .join('\n')
  )
  return 0
}

// ---------------------------------------------------------------------------------------------------
// explain

async function explainCommand(ctx: Ctx, arg: string, o: { via?: 'api' | 'claude-cli'; model?: string; claude?: string }): Promise<number> {
  const { client, io, print } = ctx
  const v = await findVerification(client, arg)
  const before = await call<VerificationView>(client, 'getVerification', { verificationId: v.id })
  const c = before.report?.comparison
  if (!c?.pairs)
    throw new Error(`nothing to explain yet: no pair of verification ${v.id} is graded in both arms; grade its runs: ${gradeNext(v.id)}`)
  if (!c.fixed.length && !c.broken.length)
    throw new Error(
      `nothing to explain: each of the ${plural(c.pairs, 'pair')} graded in both arms has the same grade in both (none fixed or broken); the next version: trace2skill deepen ${v.id}`
    )
  const seen = new Map<string, string>()
  await follow({
    io,
    client,
    onEvent: (event, payload) => {
      if (event !== 'verificationProgress') return
      const x = (payload as { verification: Verification }).verification
      if (x.id !== v.id) return
      for (const [key, e] of Object.entries(x.explanations)) {
        if (seen.get(key) === e.state) continue
        seen.set(key, e.state)
        if (e.state !== 'running')
          io.err(
            `${key}: ${e.state === 'done' ? `explained (${plural(e.rules.length, 'rule')})` : `failed: ${oneLineOf(e.error ?? '', 200)}`}`
          )
      }
    },
    start: async () => {
      await call(client, 'explainVerification', {
        verificationId: v.id,
        ...(o.via ? { via: o.via } : {}),
        ...(o.model ? { model: o.model } : {}),
        ...(o.claude ? { claudePath: o.claude } : {})
      })
      return v.id
    },
    cancel: (verificationId) => call(client, 'cancelVerification', { verificationId }),
    cancelling: () => `cancelling the explanations (Ctrl+C again stops at once)`,
    ended: (verificationId) => verificationEnded(client, verificationId)
  })
  const view = await call<VerificationView>(client, 'getVerification', { verificationId: v.id })
  const r = view.report!
  const keys = [...r.comparison.fixed, ...r.comparison.broken]
  const failed = keys.filter((k) => view.verification.explanations[k]?.state !== 'done')
  const cost = keys.reduce((n, k) => n + (view.verification.explanations[k]?.costUsd ?? 0), 0)
  print(view, () =>
    [
      ...keys.flatMap((k) => {
        const p = r.pairs.find((x) => x.key === k)!
        const e = view.verification.explanations[k]
        const side = (x: VerifyPair['with'], arm: 'with' | 'without') =>
          x ? `Run ${x.number} with ${armLabel(view.verification, arm)}: ${x.label}` : ''
        return [
          `${k}, ${r.comparison.fixed.includes(k) ? 'fixed' : 'broken'} (${side(p.with, 'with')}; ${side(p.without, 'without')}):`,
          ...(!e
            ? ['  not explained']
            : e.state !== 'done'
              ? [`  ${e.state}${e.error ? `: ${oneLineOf(e.error, 200)}` : ''}`]
              : e.rules.length
                ? e.rules.map(
                    (x) =>
                      `  ${x.verdict}: ${oneLineOf(x.text, 120)} - ${oneLineOf(x.why, 160)}${x.pointers.length ? ` (${x.pointers.map((q) => `Run ${q.run}${q.line ? ` line ${q.line}` : ''}`).join(', ')})` : ''}`
                  )
                : ['  no rule of the version shows in this run']),
          ...(e?.setAside.length ? [`  set aside: ${e.setAside.map((s) => oneLineOf(s, 120)).join('; ')}`] : [])
        ]
      }),
      `explained ${keys.length - failed.length} of ${plural(keys.length, 'pair')} (${money(cost)})`,
      `next: trace2skill deepen ${v.id} (the next version, from these runs and what they followed)`
    ].join('\n')
  )
  if (failed.length) {
    io.err(
      `trace2skill: ${plural(failed.length, 'pair')} not explained (${failed.join(', ')}): run explain again to retry ${failed.length === 1 ? 'it' : 'them'}`
    )
    return 1
  }
  return 0
}

const report = verb({
  name: 'report',
  args: { n: 1, what: 'a verification (its id; `trace2skill verifications` lists them)' },
  options: ['json'],
  readOnly: true,
  run: (ctx, [arg]) => reportCommand(ctx, arg)
})

const verifications = verb({
  name: 'verifications',
  // of every skill, or of one
  args: { max: 1 },
  options: ['json'],
  readOnly: true,
  run: (ctx, [arg]) => listCommand(ctx, arg)
})

const explain = verb({
  name: 'explain',
  args: { n: 1, what: 'a verification (its id; `trace2skill verifications` lists them)' },
  options: ['via', 'model', 'claude', 'json'],
  readOnly: false,
  prepare: (_args, o) => void via(o),
  run: (ctx, [arg], o) => explainCommand(ctx, arg, { via: via(o), model: o.model, claude: claudePath(o) })
})

export const reportVerbs = [report, verifications, explain]

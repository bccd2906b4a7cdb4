/**
 * An analysis from the command line (`analyze`, `deepen`): started through the contract, its analysts'
 * progress followed on stderr, Ctrl+C cancelling it, and what it made said in lines.
 */
import { follow } from './follow'
import type { Analysis, AnalystStatusInfo, ContextReport } from '../../shared/analysis'
import type { SkillView } from '../../shared/contract'
import { tiersLine, type Skill } from '../../shared/skills'
import { describeRedactions } from '../../shared/redact'
import { describeCuts } from '../analysts/cuts'
import { groupsNote } from '../analysts/budget'
import type { Client } from './client'
import { batchName, call, FEEDBACK_EXAMPLE, findBatch, gradeCommand, runsOf, type CliIo } from './common'
import { inline } from './inert'
import { analysisLine } from './progress'
import { analysisEnded } from './wait'

/** What the analysts read (or would), in lines: the window, text and images, and each cut in order. */
export const readLines = (r: ContextReport | undefined): string[] => {
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

export async function analyzeBatch(
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
  const models = {
    ...(o.via ? { via: o.via } : {}),
    ...(o.model ? { model: o.model } : {}),
    ...(o.mergeModel ? { mergeModel: o.mergeModel } : {}),
    ...(o.claude ? { claudePath: o.claude } : {})
  }
  // Ctrl+C cancels the analysis (once it has an id); the analysts stop and it ends as cancelled.
  id = await follow({
    io,
    client,
    live,
    onEvent: (event, payload) => {
      if (event !== 'analysisProgress') return
      const a = (payload as { analysis: Analysis }).analysis
      if (id ? a.id === id : a.batchId === batchId) show(a)
    },
    // once its id is known, only its own events are shown (another analysis of the batch is not this one)
    start: async () => {
      const started = o.deepenFrom
        ? await call<Analysis>(client, 'deepenFromVerification', { verificationId: o.deepenFrom, ...models })
        : await call<Analysis>(client, 'startAnalysis', { batchId, ...models, ...(o.mobile ? { mobile: true } : {}) })
      id = started.id
      return id
    },
    cancel: (analysisId) => call(client, 'cancelAnalysis', { analysisId }),
    ended: (analysisId) => analysisEnded(client, analysisId),
    // what its last events had not said yet when it was seen ended
    after: async (analysisId) => show(await call<Analysis>(client, 'getAnalysis', { analysisId }))
  })
  const analysis = await call<Analysis>(client, 'getAnalysis', { analysisId: id })
  const skill = analysis.skillId ? await call<SkillView>(client, 'getSkill', { skillId: analysis.skillId }) : null
  return { analysis, skill }
}

/** An analysis's warnings on stderr; that its runs were analysed in groups is how it works, said as a plain note. */
export function sayWarnings(analysis: Analysis, io: CliIo) {
  const note = groupsNote(analysis.runNumbers.length, analysis.context.chunks)
  for (const w of analysis.warnings) io.err(w === note ? note : `warning: ${inline(w)}`)
}

/** "3 core, 2 guidance, 1 edge-case rules (4 discarded)" */
export function tiersText(skill: Skill): string {
  const count = (t: string) => skill.rules.filter((r) => r.tier === t).length
  return `${count('core')} core, ${count('guidance')} guidance, ${count('edge-case')} edge-case rules (${count('discarded')} discarded); ${tiersLine(skill.tiers)}`
}
export const notValidYet = (problems: string[]) =>
  `not valid for export yet: ${inline(problems.join('; '))}: fix its name and description in the app's composer (Skills)`

/** Why an analysis did not end done, in one line. */
export function notDone(analysis: Analysis): string {
  if (analysis.state === 'cancelled') return 'the analysis was cancelled'
  const why = analysis.merge.error ?? analysis.warnings[analysis.warnings.length - 1] ?? analysis.state
  return `the analysis ${analysis.state}: ${inline(why)}`
}

/**
 * Step 5 from the command line, what its commands share: a verification found by what people type, its
 * versions, whether anyone still runs it, and how its parts are said. Whatever is printed before the
 * report says nothing of which run had the skill: the run numbers are the blind deck's.
 */
import type { SkillView } from '../../shared/contract'
import type { PermissionPreflight, RunSettings } from '../../shared/runs'
import type { Skill } from '../../shared/skills'
import { installHint, type ClaudeCheck } from '../agents/claude-code/check'
import {
  type GradeMode,
  type PassRateInfo,
  type Verification,
  type VerificationView,
  type VerifySettings,
  type VerifyStatus,
  type VerifyVariation
} from '../../shared/verify'
import { lockHolder } from '../store/lock'
import { verificationStatus } from '../verify/report'
import type { Client } from './client'
import { call, findSkill, getBatch, MAKE_VERIFICATION, oneLineOf, plural, runsOf, UsageError, type CliIo } from './common'

import type { Ctx } from './context'

/** `verify`'s arguments, checked before the data folder is opened. */
export interface VerifyArgs {
  skill: string
  /** the version NUMBER verified (default: the newest) */
  version?: number
  /** 'none' (default), or the number of the version it is compared against */
  against?: 'none' | number
  variations: { source: 'fresh' } | { source: 'batch' } | { source: 'pasted'; items: VerifyVariation[]; file: string }
  repeats?: number
  /** only the settings given on the command line; the rest as the batch it was learned from ran */
  settings: VerifySettings
  /** install a version with flagged texts anyway (--accept-flagged) */
  acceptFlagged?: boolean
  /** who grades the runs: the person (default), the grader alone (--grade auto), or the grader asking the person when unsure (--grade assist) */
  grade?: GradeMode
}

/** `--grade`: who grades a verification's runs (default: the person). */
export function gradeMode(value: string | undefined): GradeMode {
  const grade = value ?? 'person'
  if (grade !== 'person' && grade !== 'auto' && grade !== 'assist')
    throw new UsageError(
      `--grade takes person (you grade the runs blind, the default), auto (the grader grades them with the task's rubric) or assist (the grader grades them, you grade the ones it is unsure of), not ${grade}`
    )
  return grade
}

/** What the grader did, once it has stopped: how many it graded, what it could not, and ('assist') the runs it left for the person. */
export function gradedText(v: Verification, g: NonNullable<Verification['autoGrade']>): string {
  if (g.state !== 'done')
    return `the grader stopped grading (${g.state}${g.error ? `: ${oneLineOf(g.error, 300)}` : ''}): \`trace2skill resume ${v.id}\` grades the rest`
  const left = v.grade === 'assist' ? [...(g.unsure ?? [])].sort((a, b) => a - b) : []
  const runs = (ns: number[]) => ns.map((n) => `Run ${n}`).join(', ')
  return [
    `graded by the grader: ${g.done - g.failed.length - left.length} of ${plural(g.total, 'run')} ($${g.costUsd.toFixed(4)})`,
    ...(g.failed.length
      ? [`it could not grade ${runs(g.failed.map((f) => f.number))}: grade ${g.failed.length === 1 ? 'it' : 'them'} yourself`]
      : []),
    ...(left.length ? [`unsure of ${runs(left)}: left for you`] : [])
  ].join('; ')
}

export const gradeNext = (id: string) => `trace2skill grade ${id} --file feedback.txt`
export const pct = (x: number) => `${Math.round(x * 100)}%`
export const money = (x: number) => `$${x.toFixed(x >= 1 ? 2 : 4)}`
export const pText = (p: number) => (p < 0.001 ? p.toExponential(1) : p.toFixed(3))
export const points = (d: number | null) => {
  if (d === null) return '-'
  const n = Math.round(d * 100)
  return `${n > 0 ? '+' : n < 0 ? '-' : '±'}${Math.abs(n)} points`
}
export const rateText = (r: PassRateInfo) =>
  r.n && r.rate !== null && r.ci ? `${r.passed} of ${r.n} (${pct(r.rate)}, 95% CI ${pct(r.ci.low)} to ${pct(r.ci.high)})` : 'none graded'
export const versusText = (v: Pick<Verification, 'skillName' | 'version' | 'against'>) =>
  `${oneLineOf(v.skillName, 200)} version ${v.version.number} against ${v.against ? `version ${v.against.number}` : 'no skill'}`
export const sourceText = (v: Pick<Verification, 'source' | 'heldOut'>, file?: string) =>
  `${v.source === 'fresh' ? 'fresh variations' : v.source === 'batch' ? 'the variations it was learned from' : file ? `the variations of ${file}` : 'pasted variations'}, ${v.heldOut ? 'held out' : 'NOT held out'}`

/** "grading: 6 runs, 5 done, 1 did not finish; 3 graded; $0.0123" */
export const statusText = (s: VerifyStatus) =>
  [
    `${s.stage}: ${plural(s.runs, 'run')}`,
    s.finished - s.unfinished ? `${s.finished - s.unfinished} done` : '',
    s.unfinished ? `${s.unfinished} did not finish` : '',
    s.running ? `${s.running} running` : '',
    s.collecting ? `${s.collecting} collecting outputs` : '',
    s.queued ? `${s.queued} queued` : ''
  ]
    .filter(Boolean)
    .join(', ') + `; ${s.graded} of ${s.runs} graded; ${money(s.costUsd)}`

// ---------------------------------------------------------------------------------------------------
// Finding one

/** A verification by its id, or by its batch's id or exact name. */
export async function findVerification(client: Client, arg: string): Promise<Verification> {
  const byId = await call<VerificationView>(client, 'getVerification', { verificationId: arg }).catch((err: Error & { code?: string }) => {
    if (err.code === 'not-found' || err.code === 'invalid') return undefined
    throw err
  })
  if (byId) return byId.verification
  let id: string | undefined
  {
    const batchIds = (await getBatch(client, arg))
      ? [arg]
      : (await call<{ batch: { id: string; name: string } }[]>(client, 'listBatches', {}))
          .filter((b) => b.batch.name === arg)
          .map((b) => b.batch.id)
    const found = (await Promise.all(batchIds.map(async (b) => (await getBatch(client, b))?.verificationId))).filter(
      (x): x is string => !!x
    )
    if (found.length > 1)
      throw new UsageError(`several verifications have a batch named ${JSON.stringify(arg)}: give one of their ids (${found.join(', ')})`)
    id = found[0]
    if (!id && batchIds.length)
      throw new Error(`${arg} is a batch of runs, not a verification: verify a skill learned from it with \`trace2skill verify <skill>\``)
  }
  const v = id ? (await call<VerificationView>(client, 'getVerification', { verificationId: id })).verification : undefined
  if (!v)
    throw new Error(
      `no such verification: ${arg} (${(await call<unknown[]>(client, 'listVerifications', {})).length ? '`trace2skill verifications` lists them' : `there are no verifications yet: ${MAKE_VERIFICATION}`})`
    )
  return v
}

/** The skill's versions by number, as `--version N` and `--against N` name them. */
export function versionByNumber(skill: Skill, view: SkillView, n: number, flag: string) {
  const v = view.versions.find((x) => x.number === n)
  if (!v)
    throw new Error(
      `${skill.frontMatter.name || skill.id} has no version ${n} (${flag} ${n}; its versions: ${view.versions
        .map((x) => x.number)
        .sort((a, b) => a - b)
        .join(', ')})`
    )
  return v
}

/**
 * The skill a verb names and the version it works on (`--version N`, else the newest), with the skill's
 * view; `then`: what to do once a version is saved ("verify it"), said when there is none.
 */
export async function skillVersionOf(client: Client, arg: string, n: number | undefined, then: string) {
  const skill = await findSkill(client, arg)
  const name = skill.frontMatter.name || skill.id
  const view = await call<SkillView>(client, 'getSkill', { skillId: skill.id })
  if (!view.versions.length) throw new Error(`${name} has no saved version yet: save it in the app's composer (Skills), then ${then}`)
  const newest = view.versions.reduce((x, y) => (y.number > x.number ? y : x))
  const version = n !== undefined ? versionByNumber(skill, view, n, '--version') : newest
  return { skill, name, view, version }
}

/** What a verification is, for --json: the skill, the versions compared, its variations. */
export const whatItIs = (v: Verification) => ({
  skillId: v.skillId,
  skillName: v.skillName,
  version: v.version.number,
  against: v.against?.number ?? null,
  source: v.source,
  heldOut: v.heldOut,
  repeats: v.repeats,
  variations: v.variations.length
})

// ---------------------------------------------------------------------------------------------------
// Is anyone running it?

/**
 * No live trace2skill holds the data folder (its lock is gone, or its holder on this machine is): runs
 * the store says are running or queued are nobody's. A holder elsewhere, or one that cannot be read, is
 * taken to be alive.
 */
async function noWriter(dataDir: string): Promise<{ gone: boolean; pid?: number }> {
  const h = await lockHolder(dataDir)
  if (!h.held) return { gone: true }
  return h.gone ? { gone: true, pid: h.holder?.pid } : { gone: false }
}

/**
 * A verification as it really is, for the commands that only read: runs left running or queued by a
 * trace2skill that has stopped count as interrupted (as the store will say once a writer opens it),
 * and one still writing its variations in another process is said to be generating.
 */
export async function asItIs(ctx: Ctx, view: VerificationView, io: CliIo): Promise<VerificationView> {
  const v = view.verification
  const runs = v.batchId ? await runsOf(ctx.client, v.batchId) : []
  const busy = runs.filter((r) => r.state === 'running' || r.state === 'queued')
  if (!busy.length && v.phase !== 'generating') return view
  const writer = await noWriter(ctx.dataDir)
  if (v.phase === 'generating') return writer.gone ? view : { ...view, status: { ...view.status, stage: 'generating' } }
  if (!writer.gone) return view
  io.err(
    `warning: ${plural(busy.length, 'run')} of verification ${v.id} ${busy.length === 1 ? 'is' : 'are'} marked ${busy.length === 1 ? busy[0].state : 'running or queued'}, but the trace2skill that ran them has stopped${writer.pid ? ` (pid ${writer.pid})` : ''}: they count as interrupted; \`trace2skill resume ${v.id}\` runs them again`
  )
  const status = verificationStatus(
    v,
    runs.map((r) => (busy.includes(r) ? { ...r, state: 'interrupted' as const } : r))
  )
  return { ...view, status }
}

/**
 * Where the runs cannot work, said before anything is written (never a silent fall-back): the
 * permission preset they get (`given`: on the command line, else the learned batch's), and `claude`.
 */
export async function preflightRuns(client: Client, settings: RunSettings, given: boolean): Promise<void> {
  const can = (await call<PermissionPreflight>(client, 'checkSandbox', {})).presets[settings.permission]
  if (!can.available)
    throw new Error(
      `runs are ${settings.permission === 'sandboxed' ? 'sandboxed' : 'given full access'}${given ? '' : ' (as the batch it was learned from ran)'}, and that is not available here: ${can.reason}. To run without it, pass --preset accept-edits`
    )
  const check = await call<ClaudeCheck>(client, 'checkClaude', { path: settings.claudePath || 'claude' })
  if (!check.ok) throw new Error(`${check.error}. ${installHint('cli')}`)
}

/**
 * What the command line's commands share: the io, the one-line errors, calling the core through the
 * contract, finding a batch, a skill or a verification by what people type, and a few ways to say things.
 */
import type { BatchStatus, RequestName, SkillView } from '../../shared/contract'
import type { Batch, Run } from '../../shared/runs'
import type { Skill } from '../../shared/skills'
import type { VerificationView } from '../../shared/verify'
import type { Client } from './client'
import { inline } from './inert'
import type { StatusLine, Tty } from './progress'

export interface CliIo {
  out: (text: string) => void
  err: (text: string) => void
  env: NodeJS.ProcessEnv
  /** resolves when a long-running command (web) should stop; the CLI entry wires SIGINT/SIGTERM */
  untilStopped?: Promise<void>
  /** all of standard input (`grade --file -`); the CLI entry reads process.stdin */
  readStdin?: () => Promise<string>
  /** stderr when it is a terminal (a live progress line is drawn there); absent in a pipe or a log */
  tty?: Tty
  /** the live line at the foot of stderr (runCli makes it) */
  status?: StatusLine
}

/** A bad argument: one line, exit 2. */
export class UsageError extends Error {}

/** A request through the contract, as the app makes it (here, or in the running app); a failure throws its one line (and its code). */
export const call = <T>(client: Client, name: RequestName, input: unknown): Promise<T> => client.call<T>(name, input)

/** A request that answers not-found: undefined (anything else is thrown). */
const found = <T>(p: Promise<T>): Promise<T | undefined> =>
  p.catch((err: Error & { code?: string }) => {
    if (err.code === 'not-found' || err.code === 'invalid') return undefined
    throw err
  })

type BatchView = { batch: Batch; runs: Run[]; status: BatchStatus; verificationId?: string }
/** A batch with its runs (and its verification, when it holds one's runs), or undefined. */
export const getBatch = (client: Client, batchId: string) => found(call<BatchView>(client, 'getBatch', { batchId }))

/** A run's numbers as every screen shows them (src/shared/numbers.ts). */
export const runNumbers = (r: Run) => ({
  turns: r.progress.turns,
  toolCalls: r.progress.toolCalls,
  tokens: r.progress.tokens,
  costUsd: r.progress.costUsd,
  costSource: r.progress.costSource ?? 'estimated'
})

export const MAKE_BATCH = 'run some with `trace2skill run --task <file> --variations <file>`'
export const MAKE_SKILL = 'make one from a graded batch with `trace2skill analyze <batch>`'
export const MAKE_VERIFICATION = 'verify a skill with `trace2skill verify <skill>`'
export const FEEDBACK_EXAMPLE = 'Run 2: bad - too many cards'
export const gradeCommand = (batchId: string) => `\`trace2skill grade ${batchId} --file feedback.txt\``
export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

export const STATES = ['done', 'failed', 'cancelled', 'interrupted', 'running', 'queued'] as const
/** "4 done" or "3 done, 1 failed" */
export const statesLine = (runs: Pick<Run, 'state'>[]) =>
  STATES.map((s) => [s, runs.filter((r) => r.state === s).length] as const)
    .filter(([, n]) => n)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ') || 'no runs'
/** A value from a run, a trace, a model or a file on one line, inert, cut to `max` characters. */
export const oneLineOf = (text: string, max: number) => inline(text, max)

/**
 * A batch by its id, or by its exact name (several batches of that name: say which ids), or a
 * verification's id: its batch (the runs of both arms).
 */
export async function findBatch(client: Client, arg: string): Promise<string> {
  if (await getBatch(client, arg)) return arg
  const verification = (await found(call<VerificationView>(client, 'getVerification', { verificationId: arg })))?.verification
  if (verification) {
    if (verification.batchId && (await getBatch(client, verification.batchId))) return verification.batchId
    throw new Error(
      verification.phase === 'generating'
        ? `verification ${arg} has no runs yet: its variations are being written (\`trace2skill verifications\` says where it is)`
        : `verification ${arg} has no runs: it stopped before they were made (${verification.phase}); \`trace2skill resume ${arg}\` makes and runs them`
    )
  }
  const all = await call<{ batch: Batch }[]>(client, 'listBatches', {})
  const named = all.filter((b) => b.batch.name === arg).map((b) => b.batch.id)
  if (named.length > 1)
    throw new UsageError(`several batches are named ${JSON.stringify(arg)}: give one of their ids (${named.join(', ')})`)
  if (!named.length)
    throw new Error(
      `no such batch: ${arg} (${all.length ? '`trace2skill batches` lists them' : `there are no batches yet: ${MAKE_BATCH}`})`
    )
  return named[0]
}
export const batchName = async (client: Client, batchId: string) => (await getBatch(client, batchId))?.batch.name ?? batchId

/** A batch's runs in number order. */
export async function runsOf(client: Client, batchId: string): Promise<Run[]> {
  return ((await getBatch(client, batchId))?.runs ?? []).sort((a, b) => a.number - b.number)
}

/** A skill by its id, or by its front-matter name (several skills of that name: say which ids). */
export async function findSkill(client: Client, arg: string): Promise<Skill> {
  const byId = await found(call<SkillView>(client, 'getSkill', { skillId: arg }))
  if (byId) return byId.skill
  const skills = await call<Skill[]>(client, 'listSkills', {})
  const named = skills.filter((s) => s.frontMatter.name === arg)
  if (named.length > 1)
    throw new UsageError(`several skills are named ${JSON.stringify(arg)}: give one of their ids (${named.map((s) => s.id).join(', ')})`)
  if (!named.length) {
    const all = [...skills].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
    const listed = all
      .slice(0, 5)
      .map((s) => `${s.frontMatter.name} (${s.id})`)
      .join(', ')
    throw new Error(
      `no such skill: ${arg} (${all.length ? `the skills here: ${listed}${all.length > 5 ? `, and ${all.length - 5} more: \`trace2skill skills\` lists them` : ''}` : `there are no skills yet: ${MAKE_SKILL}`})`
    )
  }
  return named[0]
}

/**
 * An analysis's operation: the evidence made ready (the shared prefix of each group, its screenshots,
 * the claude -p evidence folders), a fleet of four analysts per group of runs, then the merge as a part
 * of the operation. However it ends, the evidence folders (copies of sessions) are removed and the
 * analysis says how it ended. Used by the start and by a retry. Electron-free.
 */
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import type { AnalystStatusInfo } from '../../shared/analysis'
import { ANALYSTS, type AnalystKind } from '../../shared/skills'
import { errorFields } from '../log/log'
import type { LiveOperation, Outcome } from '../operations/registry'
import { sandboxAvailability } from '../agents/claude-code/presets'
import { contextBudget } from './budget'
import { contextHeader, fitRuns } from './fit'
import {
  analysisOf,
  evidenceRoot,
  literals,
  now,
  removeEvidence,
  save,
  taskInfoOf,
  type AnalysisContext,
  type AnalysisParams,
  type Fleets
} from './context'
import { createDrillDown, DEFAULT_MAX_ROUNDS, drillGuide } from './drill'
import type { RunEvidence } from './evidence'
import { prepareEvidenceFolder } from './folder'
import { mergeInto } from './merge'
import type { DrillDown, EvidenceFolder, ModelPort } from './model'
import { AnalystFleet } from './pipeline'
import { sharedBlocks } from './prefix'
import { aggregateAnalyst, publisher } from './status'

/** Each run's session file and its sub-agents' files, as read (the evidence folder copies them). */
const sessionFilesOf = (runs: RunEvidence[]) =>
  new Map(
    runs
      .filter((r) => r.trace)
      .map((r) => [
        r.number,
        { session: r.trace!.file, subagents: [...new Set(r.trace!.subagents.map((x) => x.file))].filter((f) => f !== r.trace!.file) }
      ])
  )

export interface FleetsInput {
  analysisId: string
  list: RunEvidence[]
  chunks: RunEvidence[][]
  port: ModelPort
  params: AnalysisParams
  existingMd?: string
  /** what the analysts should know of how the runs were made (a verification's arms and pairs) */
  notes?: string
  /** a retry after a restart: the analysts to run, and those kept from before */
  resume?: { kinds: AnalystKind[]; kept: AnalystStatusInfo[] }
}

/** Build the fleets of an analysis (one per group of runs) and run them as its operation. */
export async function startFleets(
  ctx: AnalysisContext,
  { analysisId, list, chunks, port, params, existingMd, notes, resume }: FleetsInput
) {
  const a0 = await analysisOf(ctx, analysisId)
  const taskInfo = taskInfoOf(ctx, a0.taskId, a0.batchId)
  const numbers = new Set(list.map((r) => r.number))
  // what the analysts read beyond the shared context (a run's files, the folder's session copies) is redacted too
  const secrets = { literals: await literals(ctx) }
  // the fences around run content: one random tag for the analysis (the four analysts share the prefix)
  const tag = randomBytes(6).toString('hex')
  const entry: Fleets = { fleets: [], kept: resume?.kept ?? [], port, folders: [], runs: list }
  ctx.inMemory.set(analysisId, entry)
  const budget = contextBudget(a0.model)
  return ctx.operations.start({ kind: 'analysis', subject: analysisId, params: { ...params } }, (op) =>
    ending(ctx, op, analysisId, () => analyse(op))
  )

  async function analyse(op: LiveOperation): Promise<Outcome> {
    const pub = publisher(ctx, op, analysisId, entry)
    entry.fleets = []
    let sandbox: boolean | undefined
    // Before the analysts start, the evidence is made ready (seconds for 20 screenshots): the page says how far.
    const shotsInAll = chunks.reduce(
      (n, g) => n + g.reduce((k, r) => k + r.shots.filter((s) => s.label === 'desktop' || a0.mobile).length, 0),
      0
    )
    let shotsDone = 0
    let ready = false
    const preparing = async () => {
      const a = await analysisOf(ctx, analysisId)
      if (ready) return
      const line = `Preparing the evidence of ${list.length} run${list.length === 1 ? '' : 's'}${shotsInAll ? `: screenshots ${shotsDone} of ${shotsInAll}` : ''}${port.kind === 'claude-cli' ? ', and the folder claude -p reads' : ''}…`
      if (a.state === 'analysing' && a.preparing !== line) {
        ctx.store.analyses.progress({ ...a, preparing: line })
        ctx.emit('analysisProgress', { analysis: { ...a, preparing: line } })
      }
    }
    await preparing()
    for (const [i, group] of chunks.entries()) {
      if (op.signal.aborted) break
      const fitted = fitRuns(group, budget, { mobile: a0.mobile })
      // The API analysts look closer with tools over the evidence; the claude -p analysts read a
      // prepared folder of it with Read, Grep and Glob. Both read the same shared context first.
      let drill: DrillDown | undefined
      let folder: EvidenceFolder | undefined
      let lookCloser: string
      if (port.kind === 'claude-cli') {
        const dir = join(evidenceRoot(ctx, analysisId), `group-${i + 1}`)
        const make = () => prepareEvidenceFolder(dir, { task: taskInfo, runs: group, sessionFiles: sessionFilesOf(group), redact: secrets })
        const made = await make()
        entry.folders.push(async () => void (await make()))
        // Claude Code's sandbox where it works here (the folder confines the reads either way: --restricted)
        sandbox ??= ctx.sandbox ?? (await sandboxAvailability({ env: ctx.env }).catch((e) => noSandbox(ctx, e))).available
        folder = { path: made.path, maxRounds: DEFAULT_MAX_ROUNDS, sandbox }
        lookCloser = made.guide
      } else {
        lookCloser = drillGuide(DEFAULT_MAX_ROUNDS)
      }
      const head = contextHeader(taskInfo, group, fitted, { existingSkill: existingMd, lookCloser, notes })
      const shared = await sharedBlocks(ctx, head, fitted, tag, () => {
        shotsDone++
        void preparing()
      })
      if (port.kind !== 'claude-cli')
        drill = createDrillDown(group, {
          redact: secrets,
          fence: tag,
          prepareImage: ctx.images.prepare,
          imagesInPrefix: shared.filter((b) => b.type === 'image').length,
          prefixBytes: shared.reduce((n, b) => n + (b.type === 'text' ? b.text.length : b.data.length), 0)
        })
      entry.fleets.push(
        new AnalystFleet({
          port,
          model: a0.model,
          shared,
          ...(drill ? { drill } : {}),
          ...(folder ? { folder } : {}),
          runNumbers: chunks.length > 1 ? new Set(group.map((r) => r.number)) : numbers,
          // ids stay unique across groups and retries; the group itself is a field of each rule
          idPrefix: `${resume ? `r${Date.now().toString(36)}-` : ''}${chunks.length > 1 ? `g${i + 1}-` : ''}`,
          ...(chunks.length > 1 ? { group: i + 1 } : {}),
          kinds: resume?.kinds,
          onStatus: pub.publish
        })
      )
    }
    // the evidence is ready (or the analysis was cancelled): the analysts' own lines take over
    ready = true
    const prepared = await analysisOf(ctx, analysisId)
    if (prepared.preparing) await save(ctx, { ...prepared, preparing: undefined })
    try {
      await Promise.all(entry.fleets.map((f) => f.run(op.signal)))
    } finally {
      await removeEvidence(ctx, analysisId)
    }
    await pub.settled()
    pub.stop()
    return finishAnalysts(ctx, op, analysisId, entry)
  }
}

/** The sandbox's check itself failed: the analysts run without it (the folder still confines their reads), and the log says why. */
function noSandbox(ctx: AnalysisContext, e: unknown) {
  ctx.log.warn({ error: errorFields(e) }, "Claude Code's sandbox could not be checked; the claude -p analysts run without it")
  return { available: false }
}

/**
 * Runs an analysis's operation: however it ends (done, cancelled, or a failure of the app's own such
 * as a save on a full disk while its evidence was being prepared), its claude -p evidence folders
 * (copies of the runs' sessions) are removed, and an analysis still marked running says it failed.
 */
export async function ending(ctx: AnalysisContext, op: LiveOperation, analysisId: string, body: () => Promise<Outcome>): Promise<Outcome> {
  try {
    return await body()
  } catch (e) {
    // the analysis itself unreadable: nothing to mark (the operation records the failure, and the registry logs it)
    const a = await analysisOf(ctx, analysisId).catch(() => undefined)
    if (!op.signal.aborted && a && (a.state === 'analysing' || a.state === 'merging')) {
      const why = ((e as Error)?.message ?? String(e)).split('\n')[0]
      await save(ctx, {
        ...a,
        preparing: undefined,
        state: 'failed',
        endedAt: now(),
        warnings: [...a.warnings, `The analysis stopped: ${why}`]
      }).catch((err) => ctx.log.error({ analysisId, error: errorFields(err) }, 'a failed analysis could not be saved'))
    }
    throw e
  } finally {
    await removeEvidence(ctx, analysisId)
  }
}

/** The analysts have ended: the analysis is cancelled, failed, or merged (the merge a part of its operation). */
export async function finishAnalysts(ctx: AnalysisContext, op: LiveOperation, analysisId: string, entry: Fleets): Promise<Outcome> {
  let a = await analysisOf(ctx, analysisId)
  a = { ...a, analysts: ANALYSTS.map((k) => aggregateAnalyst(k, entry.fleets, entry.kept)) }
  if (op.signal.aborted) {
    await save(ctx, { ...a, state: 'cancelled', endedAt: now() })
    return { state: 'cancelled' }
  }
  if (!a.analysts.some((s) => s.state === 'done')) {
    await save(ctx, {
      ...a,
      state: 'failed',
      endedAt: now(),
      warnings: [...a.warnings, 'No analyst finished: retry one, or check the model access.']
    })
    return { state: 'failed', error: 'no analyst finished' }
  }
  await save(ctx, a)
  const merge = ctx.operations.start({ kind: 'merge', subject: analysisId, parent: op, params: { model: a.mergeModel } }, (m) =>
    mergeInto(ctx, analysisId, entry.port, m.signal, entry.runs)
  )
  const ended = await merge.done
  if (ended.state === 'done') return
  const current = await analysisOf(ctx, analysisId)
  if (ended.state === 'cancelled' || op.signal.aborted) {
    await save(ctx, {
      ...current,
      state: 'cancelled',
      merge: { state: 'failed', error: 'cancelled', costUsd: current.merge.costUsd },
      endedAt: now()
    })
    return { state: 'cancelled' }
  }
  await save(ctx, {
    ...current,
    state: 'failed',
    merge: { state: 'failed', error: ended.error ?? 'the merge failed', costUsd: 0 },
    endedAt: now()
  })
  return { state: 'failed', error: ended.error }
}

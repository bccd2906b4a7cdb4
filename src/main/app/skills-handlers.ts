/**
 * Contract handlers for steps 3 and 4: analyse graded runs with four analysts, merge their rules
 * into a skill, keep every saved state as a version, and export it into a project folder.
 * Electron-free.
 */
import { randomUUID } from 'node:crypto'
import { stat } from 'node:fs/promises'
import { homedir } from 'node:os'
import { isAbsolute, join } from 'node:path'
import { createTwoFilesPatch } from 'diff'
import type { Analysis, AnalysisEstimate, AnalystStatusInfo } from '../../shared/analysis'
import { parseSkillMd, renderEdgeCasesMd, renderSkillMd, slugifyName, validateFrontMatter } from '../../shared/skill-md'
import { ANALYSTS, isGuard, type AnalystKind, type AnalystRule, type Skill, type SkillVersion } from '../../shared/skills'
import type { Run } from '../../shared/runs'
import type { Trace } from '../../shared/trace'
import { traceMetrics } from '../analysts/signals'
import { condenseRuns, estimateTokens, sharedContext, type RunForAnalysis } from '../analysts/condense'
import { agentMarkdown, sessionsLocation } from '../analysts/definitions'
import { estimateAnalysisCost } from '../analysts/estimate'
import { apiModel, claudeCliModel, type ModelPort } from '../analysts/model'
import { AnalystFleet, contradictionIndex, describeError, instructionsFor, MergeAnswerSchema, MERGE_TOOL, mergePrompt, PROPOSE_TOOL, SYSTEM, type AnalystStatus } from '../analysts/pipeline'
import { mergeRules, retier, reverseConflict } from '../skills/merge'
import { planExport, skillFiles, writeExport } from '../skills/export'
import type { Store } from '../store/store'
import { costUsd } from '../traces/pricing'
import { DEFAULT_ANALYST_MODEL } from '../../shared/models'
import { fail, type EventSink, type Handlers } from './dispatch'

/** The analysts' model unless one is chosen (src/shared/models.ts). */
export { DEFAULT_ANALYST_MODEL }
/**
 * Tokens of condensed traces one analyst reads at once: the model's context window less room for the
 * system prompt, the tool, the analyst's instructions (about 10k) and its answer (16k), with a margin
 * for the rough token estimate.
 */
export function contextBudget(model: string): number {
  const window = /\b1m\b|\[1m\]|-1m$/i.test(model) ? 1_000_000 : 200_000
  return Math.floor((window - 26_000) * 0.85)
}
/** More runs than this are analysed in groups, whose rules are then consolidated. */
export const MAX_RUNS_PER_CONTEXT = 30
const GROUP_SIZE = 10

const now = () => new Date().toISOString()

export interface SkillsContext {
  store: Store
  emit: EventSink
  readTrace(sessionId: string, projectId?: string): Promise<Trace>
  /** the API key and base URL; throws a clear error when there is no key */
  apiAccess(): Promise<{ apiKey: string; baseURL?: string }>
  env: NodeJS.ProcessEnv
  /** Claude Code's config folder in use (`$CLAUDE_CONFIG_DIR` or `~/.claude`): the exported analysts read sessions there */
  configDir?: string
  /** tests: a model port instead of the real ones */
  port?: ModelPort
}

/** The fleets of an analysis in memory; `kept` holds analysts finished before a restart (not re-run). */
type Live = { fleets: AnalystFleet[]; kept: AnalystStatusInfo[]; cancelled: boolean; done: Promise<void> }

export function createSkillsHandlers(ctx: SkillsContext) {
  const { store } = ctx
  const data = () => store.db.data
  const live = new Map<string, Live>()

  const skillOf = (id: string) => data().skills[id] ?? (() => { throw fail(`no such skill: ${id}`) })()
  const analysisOf = (id: string) => data().analyses[id] ?? (() => { throw fail(`no such analysis: ${id}`) })()
  const save = async (a: Analysis) => {
    await store.update((d) => void (d.analyses[a.id] = a))
    ctx.emit('analysisProgress', { analysis: a })
  }

  const portFor = async (via: Analysis['via'], claudePath?: string): Promise<ModelPort> => {
    if (ctx.port) return ctx.port
    if (via === 'claude-cli') return claudeCliModel({ claudePath, env: ctx.env })
    return apiModel(await ctx.apiAccess())
  }

  /** The graded runs of a batch, with their traces, ready to condense. */
  const runsForAnalysis = async (runs: Run[]): Promise<{ list: RunForAnalysis[]; rawBytes: number; warnings: string[] }> => {
    const warnings: string[] = []
    let rawBytes = 0
    const list = await Promise.all(
      runs.map(async (r) => {
        let trace: Trace | null = null
        try {
          trace = await ctx.readTrace(r.sessionId, r.projectId)
          rawBytes += trace.bytes
        } catch (err) {
          warnings.push(`Run ${r.number}: no trace (${(err as Error).message})`)
        }
        // the metrics come from the trace just read, not from a second read of the session
        return { number: r.number, difficulty: r.difficulty, prompt: r.prompt, label: r.feedback?.label ?? null, feedback: r.feedback?.text ?? '', state: r.state, result: r.result, trace, metrics: trace ? traceMetrics(trace) : null }
      })
    )
    return { list, rawBytes, warnings }
  }

  /**
   * What the analysts of a batch would read: its graded runs with their traces, in groups when they
   * do not fit one context, condensed to the model's budget. Shared by the estimate and the real run.
   */
  const prepare = async (batchId: string, model: string, deepenSkillId?: string, existingSkillMd?: string) => {
    const batch = data().batches[batchId]
    if (!batch) throw fail(`no such batch: ${batchId}`)
    const runs = batch.runIds.map((id) => data().runs[id]).filter((r): r is Run => !!r && !!r.feedback?.label)
    if (!runs.length) throw fail('No graded runs in this batch: grade at least one run (good or bad) first.', 'invalid')
    const deepen = deepenSkillId ? skillOf(deepenSkillId) : undefined
    const { list, rawBytes, warnings } = await runsForAnalysis(runs.sort((x, y) => x.number - y.number))
    const ungraded = batch.runIds.length - runs.length
    if (ungraded) warnings.push(`${ungraded} ungraded run${ungraded === 1 ? ' was' : 's were'} left out.`)
    const budget = contextBudget(model)
    const chunks = chunk(list, budget)
    const condensed = chunks.map((g) => condenseRuns(g, budget))
    const existingMd = existingSkillMd ?? (deepen ? rendered(deepen).skillMd : undefined)
    const task = batch.taskId ? data().tasks[batch.taskId] : undefined
    const taskInfo = { name: task?.name ?? batch.name ?? 'task', text: task?.text ?? '' }
    return { batch, list, rawBytes, warnings, chunks, condensed, existingMd, taskInfo }
  }

  /** Groups of runs for the analysts: one when they fit, else small groups mixing good and bad. */
  const chunk = (list: RunForAnalysis[], budget: number): RunForAnalysis[][] => {
    const whole = condenseRuns(list, budget)
    if (!whole.overBudget && list.length <= MAX_RUNS_PER_CONTEXT) return [list]
    const groups = Math.ceil(list.length / GROUP_SIZE)
    const out: RunForAnalysis[][] = Array.from({ length: groups }, () => [])
    list.forEach((r, i) => out[i % groups].push(r))
    return out
  }

  const aggregate = (kind: AnalystKind, fleets: AnalystFleet[], kept: AnalystStatusInfo[] = []): AnalystStatusInfo => {
    const all = fleets.map((f) => f.status.get(kind)!).filter(Boolean)
    const stored = kept.find((k) => k.kind === kind)
    if (!all.length && stored) return stored
    const order: AnalystStatus['state'][] = ['streaming', 'waiting', 'queued', 'failed', 'cancelled', 'done']
    const state = order.find((s) => all.some((a) => a.state === s)) ?? 'queued'
    const sum = (f: (a: AnalystStatus) => number) => all.reduce((n, a) => n + f(a), 0)
    return {
      kind,
      state: all.length && all.every((a) => a.state === 'done') ? 'done' : state === 'done' ? 'failed' : state,
      attempt: Math.max(0, ...all.map((a) => a.attempt)),
      usage: { input: sum((a) => a.usage.input), output: sum((a) => a.usage.output), cacheRead: sum((a) => a.usage.cacheRead), cacheCreation: sum((a) => a.usage.cacheCreation) },
      costUsd: sum((a) => a.costUsd),
      rules: all.flatMap((a) => a.rules),
      setAside: all.flatMap((a) => a.setAside),
      drafts: all.flatMap((a) => a.drafts ?? []),
      error: all.find((a) => a.error)?.error,
      startedAt: all.map((a) => a.startedAt).filter(Boolean).sort()[0],
      endedAt: all.every((a) => a.endedAt) ? all.map((a) => a.endedAt!).sort().pop() : undefined,
      ...(fleets.length > 1 ? { chunks: fleets.length, chunksDone: all.filter((a) => a.state === 'done').length } : {})
    }
  }

  /** Merge every accepted rule into the skill (a new skill, or a new version of the one deepened). */
  const mergeInto = async (analysisId: string, port: ModelPort) => {
    let a = analysisOf(analysisId)
    const rules: AnalystRule[] = a.analysts.flatMap((s) => s.rules)
    const task = a.taskId ? data().tasks[a.taskId] : undefined
    const taskInfo = { name: task?.name ?? data().batches[a.batchId]?.name ?? 'task', text: task?.text ?? '' }
    const deepen = a.deepenSkillId ? data().skills[a.deepenSkillId] : undefined
    const existing = deepen ? deepen.rules.filter((r) => r.tier !== 'discarded').map((r) => ({ text: r.text, tier: r.tier as 'core' | 'guidance' | 'edge-case' })) : undefined
    a = { ...a, state: 'merging', merge: { ...a.merge, state: 'running', error: undefined } }
    await save(a)
    const warnings = [...a.warnings]
    let mergeCost = 0
    const askMerge = async (list: AnalystRule[], withExisting: boolean) => {
      const res = await port.call(
        { model: a.mergeModel, system: SYSTEM, shared: mergePrompt(taskInfo, list, withExisting ? existing?.map((e) => e.text) : undefined), instructions: 'Merge these rules.', tool: MERGE_TOOL, maxTokens: 16_000 },
        {},
        new AbortController().signal
      )
      mergeCost += costUsd(a.mergeModel, res.usage)
      const parsed = MergeAnswerSchema.safeParse(res.input)
      if (!parsed.success) throw new Error(`bad answer: the merge does not fit the schema (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`)
      return parsed.data
    }

    // Runs analysed in groups: first consolidate each group's rules (in parallel), then the groups'
    // results together, as the Trace2Skill paper does; the app keeps track of the original rules.
    let level2 = rules
    const origin = new Map<string, AnalystRule[]>()
    const groupOf = (id: string) => /(?:^|-)g(\d+)-/.exec(id)?.[1]
    const byGroup = new Map<string, AnalystRule[]>()
    for (const r of rules) {
      const g = groupOf(r.id)
      if (g) byGroup.set(g, [...(byGroup.get(g) ?? []), r])
    }
    if (byGroup.size > 1 && byGroup.size * 2 <= rules.length) {
      const firsts = await Promise.all(
        [...byGroup].map(async ([g, list]) => {
          try {
            return { g, list, answer: await askMerge(list, false) }
          } catch (err) {
            warnings.push(`Consolidating the rules of group ${g} failed (${describeError(err)}); its rules go to the final merge one by one.`)
            return { g, list, answer: null }
          }
        })
      )
      level2 = []
      for (const { g, list, answer } of firsts) {
        const local = mergeRules({ rules: list, groups: answer?.groups ?? [], contradictions: [], newId: () => randomUUID() })
        for (const m of local.rules) {
          const members = list.filter((r) => m.sources.includes(r.id))
          const id = `L1-g${g}-${level2.length + 1}`
          origin.set(id, members)
          level2.push({ id, analyst: members[0].analyst, rule: m.text, evidence: m.evidence, priority: m.priority, reason: m.reasons.join(' | ').slice(0, 4000), pointers: m.pointers.slice(0, 50) })
        }
      }
      level2.push(...rules.filter((r) => !groupOf(r.id)))
    }

    let answer: ReturnType<typeof MergeAnswerSchema.parse> | null = null
    if (level2.length) {
      try {
        answer = await askMerge(level2, true)
      } catch (err) {
        // Nothing is lost: every rule stands alone, and the person can merge by hand.
        warnings.push(`The merge model failed (${describeError(err)}); rules were kept one by one, not grouped.`)
        a = { ...a, merge: { state: 'failed', error: describeError(err), costUsd: mergeCost } }
      }
    }
    const groups = answer?.groups ?? []
    const contradictions = (answer?.contradictions ?? []).flatMap((c) => {
      const ia = contradictionIndex(c.a, groups.length, existing?.length ?? 0)
      const ib = contradictionIndex(c.b, groups.length, existing?.length ?? 0)
      return ia === null || ib === null ? [] : [{ a: ia, b: ib, why: c.why }]
    })
    const merged = mergeRules({ rules: level2, groups, contradictions, existing, newId: () => randomUUID() })
    if (origin.size) {
      // back to the analysts' own rules: sources, analysts and guards as if merged in one go
      merged.rules = merged.rules.map((r) => {
        const members = r.sources.flatMap((id) => origin.get(id) ?? level2.filter((x) => x.id === id))
        if (!members.length) return r
        return { ...r, sources: members.map((m) => m.id), analysts: ANALYSTS.filter((k) => members.some((m) => m.analyst === k)), guard: members.some((m) => m.analyst === 'edge') && isGuard(r.text) }
      })
    }
    warnings.push(...merged.warnings)
    const name = slugifyName(answer?.skill.name || deepen?.frontMatter.name || taskInfo.name) || 'skill'
    const description = (answer?.skill.description || deepen?.frontMatter.description || `Rules for ${taskInfo.name}, learned from graded runs.`).replace(/[<>]/g, '').slice(0, 1024)
    // A retry merges again into the same skill (a new version); the person's earlier edits stay in its versions.
    const previous = a.skillId ? data().skills[a.skillId] : undefined
    const skill: Skill = {
      id: previous?.id ?? deepen?.id ?? randomUUID(),
      batchIds: [...new Set([...(deepen?.batchIds ?? []), a.batchId])],
      taskId: a.taskId,
      frontMatter: { name, description },
      title: answer?.skill.title || deepen?.title || taskInfo.name,
      whenToUse: answer?.skill.whenToUse || deepen?.whenToUse || `When the task is like: ${taskInfo.name}.`,
      rules: merged.rules,
      conflicts: merged.conflicts,
      setAside: a.analysts.flatMap((s) => s.setAside),
      createdAt: previous?.createdAt ?? deepen?.createdAt ?? now(),
      updatedAt: now()
    }
    await store.update((d) => void (d.skills[skill.id] = skill))
    await addVersion(skill, previous ? 'merged again after a retry' : deepen ? `deepened from analysis of ${data().batches[a.batchId]?.name ?? a.batchId}` : 'from the analysts')
    a = { ...a, state: 'done', skillId: skill.id, warnings, merge: a.merge.state === 'failed' ? a.merge : { state: 'done', costUsd: mergeCost }, endedAt: now() }
    await save(a)
  }

  const rendered = (s: Skill) => ({ skillMd: s.markdown ?? renderSkillMd(s), edgeCasesMd: renderEdgeCasesMd(s) })

  const versionList = (skillId: string) => Object.values(data().skillVersions).filter((v) => v.skillId === skillId).sort((a, b) => a.number - b.number)

  const addVersion = async (s: Skill, label?: string): Promise<SkillVersion> => {
    const list = versionList(s.id)
    // strictly later than the last one, even when saved within the same millisecond (or the clock went back)
    const last = list.length ? Date.parse(list[list.length - 1].createdAt) : NaN
    const createdAt = Number.isFinite(last) && Date.now() <= last ? new Date(last + 1).toISOString() : now()
    const v: SkillVersion = { id: randomUUID(), skillId: s.id, number: list.length + 1, createdAt, label, ...rendered(s), state: s }
    await store.update((d) => void (d.skillVersions[v.id] = v))
    return v
  }

  /** A skill as the composer sees it: its text, its versions, what is wrong with its front matter. */
  const viewOf = (s: Skill) => ({ skill: s, ...rendered(s), versions: versionsOf(s.id), problems: validateFrontMatter(s.frontMatter, s.frontMatter.name) })

  const versionsOf = (skillId: string) => versionList(skillId).map(({ id, number, createdAt, label }) => ({ id, number, createdAt, label }))

  /** What a version keeps of a skill that the person can change; equal content means nothing to save. */
  const content = (s: Skill) => canonical({ frontMatter: s.frontMatter, title: s.title, whenToUse: s.whenToUse, rules: s.rules, conflicts: s.conflicts, markdown: s.markdown ?? null })
  /** Save `next` as a new version, unless it is the skill as it stands: then nothing is written. */
  const commit = async (current: Skill | undefined, next: Skill, label?: string) => {
    if (current && content(current) === content(next)) {
      const last = versionList(current.id).pop()
      return { ...viewOf(current), ...(last ? { unchangedSince: last.number } : {}) }
    }
    await store.update((d) => void (d.skills[next.id] = next))
    await addVersion(next, label)
    return viewOf(next)
  }

  const exportFilesOf = (s: Skill) => {
    const { skillMd, edgeCasesMd } = rendered(s)
    const problems = validateFrontMatter(s.frontMatter, s.frontMatter.name)
    if (problems.length) throw fail(`the skill is not valid yet: ${problems.join('; ')}`, 'invalid')
    const sessions = ctx.configDir ? sessionsLocation(ctx.configDir, homedir()) : undefined
    return skillFiles({ name: s.frontMatter.name, skillMd, edgeCasesMd: s.rules.some((r) => r.tier === 'edge-case') ? edgeCasesMd : '', agents: ANALYSTS.map((k) => ({ name: `${k}-analyst`, content: agentMarkdown(k, { sessions }) })) })
  }

  const startFleets = async (analysisId: string, list: RunForAnalysis[], chunks: RunForAnalysis[][], port: ModelPort, existingMd?: string, resume?: { kinds: AnalystKind[]; kept: AnalystStatusInfo[] }) => {
    const kept = resume?.kept ?? []
    const a0 = analysisOf(analysisId)
    const task = a0.taskId ? data().tasks[a0.taskId] : undefined
    const taskInfo = { name: task?.name ?? data().batches[a0.batchId]?.name ?? 'task', text: task?.text ?? '' }
    const numbers = new Set(list.map((r) => r.number))
    let pending: Promise<void> = Promise.resolve()
    let scheduled = false
    const publish = () => {
      // Status changes come fast while streaming: one write at a time, and changes that arrive
      // meanwhile are folded into the next one (it reads the fleets' state when it runs).
      if (scheduled) return
      scheduled = true
      pending = pending.then(async () => {
        scheduled = false
        const a = analysisOf(analysisId)
        if (a.state !== 'analysing') return
        await save({ ...a, analysts: ANALYSTS.map((k) => aggregate(k, fleets, kept)) })
      }).catch(() => {
        /* a failed progress write is retried by the next change, and the final state is written anyway */
      })
    }
    const fleets = chunks.map(
      (group, i) =>
        new AnalystFleet({
          port,
          model: a0.model,
          shared: sharedContext(taskInfo, group, condenseRuns(group, contextBudget(a0.model)), existingMd),
          runNumbers: chunks.length > 1 ? new Set(group.map((r) => r.number)) : numbers,
          idPrefix: `${resume ? `r${Date.now().toString(36)}-` : ''}${chunks.length > 1 ? `g${i + 1}-` : ''}`,
          kinds: resume?.kinds,
          onStatus: publish
        })
    )
    const entry: Live = { fleets, kept, cancelled: false, done: Promise.resolve() }
    live.set(analysisId, entry)
    entry.done = (async () => {
      await Promise.all(fleets.map((f) => f.run()))
      await pending
      await finishAnalysts(analysisId, entry, port)
    })()
    return entry
  }

  const finishAnalysts = async (analysisId: string, entry: Live, port: ModelPort) => {
    let a = analysisOf(analysisId)
    a = { ...a, analysts: ANALYSTS.map((k) => aggregate(k, entry.fleets, entry.kept)) }
    if (entry.cancelled) return save({ ...a, state: 'cancelled', endedAt: now() })
    if (!a.analysts.some((s) => s.state === 'done')) return save({ ...a, state: 'failed', endedAt: now(), warnings: [...a.warnings, 'No analyst finished: retry one, or check the model access.'] })
    await save(a)
    await mergeInto(analysisId, port).catch((err) => save({ ...analysisOf(analysisId), state: 'failed', merge: { state: 'failed', error: describeError(err), costUsd: 0 }, endedAt: now() }))
  }

  return {
    /** for the service's dispose */
    async cancelAll() {
      for (const [, e] of live) {
        e.cancelled = true
        for (const f of e.fleets) f.cancelAll()
      }
      await Promise.all([...live.values()].map((e) => e.done.catch(() => {})))
    },
    /** analyses that were running when the app stopped */
    async recover() {
      await store.update((d) => {
        for (const a of Object.values(d.analyses)) {
          if (a.state !== 'analysing' && a.state !== 'merging') continue
          Object.assign(a, { state: 'interrupted', endedAt: now() })
          // analysts that had not finished can be retried; the finished ones keep their rules
          for (const s of a.analysts) if (s.state !== 'done' && s.state !== 'failed') Object.assign(s, { state: 'cancelled', error: 'interrupted: the app stopped' })
        }
      })
    },
    /** resolves when the analysis has finished (tests, CLI) */
    async idle(analysisId: string) {
      await live.get(analysisId)?.done
    },
    handlers: {
      async estimateAnalysis({ batchId, via, model, mergeModel, deepenSkillId, existingSkillMd }): Promise<AnalysisEstimate> {
        const m = model ?? DEFAULT_ANALYST_MODEL
        const mm = mergeModel ?? m
        const p = await prepare(batchId, m, deepenSkillId, existingSkillMd)
        // the very prompt each analyst would get: system, tool, the shared context, its instructions
        const fixed = estimateTokens(SYSTEM) + estimateTokens(JSON.stringify(PROPOSE_TOOL))
        const groups = p.chunks.map((g, i) => ({ promptTokens: fixed + estimateTokens(sharedContext(p.taskInfo, g, p.condensed[i], p.existingMd)) }))
        const instructionTokens = Math.round(ANALYSTS.reduce((n, k) => n + estimateTokens(instructionsFor(k)), 0) / ANALYSTS.length)
        const cost = estimateAnalysisCost({ model: m, mergeModel: mm, via: via ?? 'api', groups, instructionTokens })
        return {
          runs: p.list.length,
          groups: p.chunks.length,
          model: m,
          mergeModel: mm,
          via: via ?? 'api',
          condensedTokens: p.condensed.reduce((n, c) => n + c.tokens, 0),
          contextTokens: groups.reduce((n, g) => n + g.promptTokens, 0),
          instructionTokens,
          ...cost,
          warnings: p.warnings
        }
      },
      async startAnalysis({ batchId, via, model, mergeModel, deepenSkillId, existingSkillMd, claudePath }) {
        const batch = data().batches[batchId]
        if (!batch) throw fail(`no such batch: ${batchId}`)
        if (!batch.runIds.some((id) => data().runs[id]?.feedback?.label)) throw fail('No graded runs in this batch: grade at least one run (good or bad) first.', 'invalid')
        const deepen = deepenSkillId ? skillOf(deepenSkillId) : undefined
        const port = await portFor(via ?? 'api', claudePath)
        const { list, rawBytes, warnings, chunks, condensed, existingMd } = await prepare(batchId, model ?? DEFAULT_ANALYST_MODEL, deepenSkillId, existingSkillMd)
        let deepenId = deepen?.id
        if (!deepen && existingSkillMd) {
          // deepen a SKILL.md pasted in: it becomes a skill of its own first, so nothing of it is lost
          const parsed = parseSkillMd(existingSkillMd)
          const base: Skill = {
            id: randomUUID(),
            batchIds: [],
            taskId: batch.taskId,
            frontMatter: { name: parsed.frontMatter.name ?? slugifyName(batch.name), description: parsed.frontMatter.description ?? '' },
            title: parsed.title || batch.name,
            whenToUse: parsed.whenToUse,
            rules: mergeRules({ rules: [], groups: [], contradictions: [], existing: parsed.rules.map((r) => ({ text: r.text, tier: r.tier })), newId: () => randomUUID() }).rules,
            conflicts: [],
            setAside: [],
            createdAt: now(),
            updatedAt: now()
          }
          await store.update((d) => void (d.skills[base.id] = base))
          await addVersion(base, 'the SKILL.md it started from')
          deepenId = base.id
        }
        const a: Analysis = {
          id: randomUUID(),
          batchId,
          taskId: batch.taskId,
          state: 'analysing',
          via: via ?? 'api',
          model: model ?? DEFAULT_ANALYST_MODEL,
          mergeModel: mergeModel ?? model ?? DEFAULT_ANALYST_MODEL,
          deepenSkillId: deepenId,
          runNumbers: list.map((r) => r.number),
          analysts: ANALYSTS.map((kind) => ({ kind, state: 'queued', attempt: 0, usage: { input: 0, output: 0, cacheRead: 0, cacheCreation: 0 }, costUsd: 0, rules: [], setAside: [] })),
          context: {
            runs: list.length,
            tokens: condensed.reduce((n, c) => n + c.tokens, 0),
            rawTokens: Math.ceil(rawBytes / 4),
            level: Math.max(...condensed.map((c) => c.report.level)),
            charsCut: condensed.reduce((n, c) => n + c.report.charsCut, 0),
            stepsOmitted: condensed.reduce((n, c) => n + c.report.stepsOmitted, 0),
            chunks: chunks.length
          },
          merge: { state: 'waiting', costUsd: 0 },
          warnings: [...warnings, ...(chunks.length > 1 ? [`${list.length} runs were analysed in ${chunks.length} groups; their rules were consolidated.`] : [])],
          createdAt: now()
        }
        await save(a)
        await startFleets(a.id, list, chunks, port, existingMd)
        return a
      },
      async getAnalysis({ analysisId }) {
        return analysisOf(analysisId)
      },
      async listAnalyses({ batchId }) {
        return Object.values(data().analyses)
          .filter((a) => !batchId || a.batchId === batchId)
          .sort((x, y) => y.createdAt.localeCompare(x.createdAt))
      },
      async cancelAnalyst({ analysisId, kind }) {
        const e = live.get(analysisId)
        if (!e) return { cancelled: false }
        for (const f of e.fleets) f.cancel(kind)
        return { cancelled: true }
      },
      async cancelAnalysis({ analysisId }) {
        const e = live.get(analysisId)
        if (!e) return { cancelled: false }
        e.cancelled = true
        for (const f of e.fleets) f.cancelAll()
        return { cancelled: true }
      },
      /**
       * Run one analyst again; when it is done, the skill is merged again (a new version). After a
       * restart (the analysis no longer in memory) the context is rebuilt from the same runs and the
       * analysts that had finished keep their rules.
       */
      async retryAnalyst({ analysisId, kind }) {
        const a = analysisOf(analysisId)
        if (a.state === 'analysing' || a.state === 'merging') throw fail('The analysis is still running; retry when it has finished.', 'busy')
        const port = await portFor(a.via)
        const e = live.get(analysisId)
        if (e && e.fleets.every((f) => f.status.has(kind))) {
          await save({ ...a, state: 'analysing', endedAt: undefined })
          e.cancelled = false
          e.done = (async () => {
            await Promise.all(e.fleets.map((f) => (f.status.get(kind)?.state === 'done' ? Promise.resolve() : f.retry(kind).then(() => undefined))))
            await finishAnalysts(analysisId, e, port)
          })()
          return analysisOf(analysisId)
        }
        const batch = data().batches[a.batchId]
        if (!batch) throw fail(`the batch of this analysis is gone: ${a.batchId}`)
        const wanted = new Set(a.runNumbers)
        const runs = batch.runIds.map((id) => data().runs[id]).filter((r): r is Run => !!r && wanted.has(r.number) && !!r.feedback?.label)
        if (!runs.length) throw fail('None of the runs of this analysis is graded any more.', 'invalid')
        const { list } = await runsForAnalysis(runs.sort((x, y) => x.number - y.number))
        const deepen = a.deepenSkillId ? data().skills[a.deepenSkillId] : undefined
        // every analyst that had not finished runs again; finished ones keep what they found
        const kept = (e ? ANALYSTS.map((k) => aggregate(k, e.fleets, e.kept)) : a.analysts).filter((s) => s.state === 'done' && s.kind !== kind)
        const kinds = ANALYSTS.filter((k) => !kept.some((s) => s.kind === k))
        await save({ ...a, state: 'analysing', endedAt: undefined, analysts: ANALYSTS.map((k) => kept.find((s) => s.kind === k) ?? { ...a.analysts.find((s) => s.kind === k)!, state: 'queued' as const }) })
        await startFleets(analysisId, list, chunk(list, contextBudget(a.model)), port, deepen ? rendered(deepen).skillMd : undefined, { kinds, kept })
        return analysisOf(analysisId)
      },
      async listSkills() {
        return Object.values(data().skills).sort((x, y) => y.updatedAt.localeCompare(x.updatedAt))
      },
      async getSkill({ skillId }) {
        const s = skillOf(skillId)
        return viewOf(s)
      },
      /** Save the person's edits as a new version (rules re-tiered unless they pinned them). */
      async saveSkill({ skillId, patch, label }) {
        const s = skillOf(skillId)
        const { markdown, ...rest } = patch
        const next: Skill = { ...s, ...rest, rules: patch.rules ? retier(patch.rules, patch.conflicts ?? s.conflicts) : s.rules, updatedAt: now() }
        if (markdown === null) delete next.markdown
        else if (markdown !== undefined) next.markdown = markdown
        return commit(s, next, label)
      },
      async reverseConflict({ skillId, conflictId }) {
        const s = skillOf(skillId)
        if (!s.conflicts.some((c) => c.id === conflictId)) throw fail(`no such conflict: ${conflictId}`)
        const r = reverseConflict(s.rules, s.conflicts, conflictId)
        const next = { ...s, ...r, updatedAt: now() }
        await store.update((d) => void (d.skills[skillId] = next))
        await addVersion(next, 'conflict reversed')
        return viewOf(next)
      },
      async getSkillVersion({ versionId }) {
        const v = data().skillVersions[versionId]
        if (!v) throw fail(`no such version: ${versionId}`)
        return v
      },
      async diffSkillVersions({ a, b }) {
        const va = data().skillVersions[a]
        const vb = data().skillVersions[b]
        if (!va || !vb) throw fail('no such version')
        const diff = (file: string, x: string, y: string) =>
          x === y ? `${file}: identical in version ${va.number} and version ${vb.number}\n` : createTwoFilesPatch(`version ${va.number}/${file}`, `version ${vb.number}/${file}`, x, y)
        return {
          skillMd: diff('SKILL.md', va.skillMd, vb.skillMd),
          edgeCasesMd: diff('references/edge-cases.md', va.edgeCasesMd, vb.edgeCasesMd),
          identical: va.skillMd === vb.skillMd && va.edgeCasesMd === vb.edgeCasesMd
        }
      },
      /** Go back to a version: its state becomes the current skill (as a new version; nothing is lost). */
      async restoreSkillVersion({ versionId }) {
        const v = data().skillVersions[versionId]
        if (!v) throw fail(`no such version: ${versionId}`)
        const next = { ...(v.state as Skill), updatedAt: now() }
        return commit(data().skills[v.skillId], next, `restored version ${v.number}`)
      },
      async planSkillExport({ skillId, folder }) {
        if (!isAbsolute(folder)) throw fail('Give the folder as an absolute path.', 'invalid')
        return planExport(folder, exportFilesOf(skillOf(skillId)))
      },
      async exportSkill({ skillId, folder }) {
        if (!isAbsolute(folder)) throw fail('Give the folder as an absolute path.', 'invalid')
        const st = await stat(folder).catch(() => null)
        if (!st) throw fail(`export folder does not exist: ${folder}`, 'invalid')
        return writeExport(folder, exportFilesOf(skillOf(skillId)), { backupDir: join(store.dataDir, 'export-backups') })
      }
    } satisfies Partial<Handlers>
  }
}

export { estimateTokens }

/** JSON with keys sorted and undefined left out: equal for equal content whatever the key order. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).filter(([, y]) => y !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x
  )
}

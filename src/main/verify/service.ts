/**
 * The verify domain (step 5 of the workflow): does a skill version make runs better? The same
 * variations (fresh ones by default, never those the skill was learned from) run with the version
 * installed as a real project skill and without it (or with another version), interleaved in one
 * queue; the person grades both arms blind, in one shuffled deck (the verification's runs are a batch
 * of their own, so the deck, the gallery, grading, the CLI's `grade` and the analysts all work on it);
 * the report compares them with numbers; and "deepen from this verification" analyses its runs into
 * the next version. Long work is an operation (writing fresh variations, the runs, explaining pairs):
 * cancel reaches every model call and process, and a stopped app's verification resumes. Electron-free.
 */
import { createHash, randomUUID } from 'node:crypto'
import { lstat, realpath } from 'node:fs/promises'
import { join } from 'node:path'
import PQueue from 'p-queue'
import type { Analysis } from '../../shared/analysis'
import { DEFAULT_ANALYST_MODEL } from '../../shared/models'
import { secretLiterals } from '../../shared/redact'
import { flaggedRefusal, skillFlags } from '../../shared/rule-flags'
import {
  DEFAULT_MIX,
  DIFFICULTIES,
  isFinished,
  RunSettingsSchema,
  type Batch,
  type Mix,
  type PresetAvailability,
  type Run,
  type RunSettings
} from '../../shared/runs'
import type { Skill, SkillVersion } from '../../shared/skills'
import type { Trace } from '../../shared/trace'
import {
  armLabel,
  pairKey,
  type Arm,
  type Explanation,
  type Verification,
  type VerificationView,
  type VerifyEstimate,
  type VerifySettings,
  type VerifyWarning,
  type VerifyVariation
} from '../../shared/verify'
import { apiModel, claudeCliModel, type ModelPort } from '../analysts/model'
import { fail, type EventSink } from '../../shared/contract'
import type { Operations } from '../operations/registry'
import type { BatchRunner, BatchStartOptions, RunPreparer } from '../runs/runner'
import { presetAvailability, refusal } from '../agents/claude-code/presets'
import { generateVariations, type ModelAccess } from '../runs/variations'
import { removeEmptyDirInside, removeInside, skillFiles, writeInside, type ExportFile } from '../skills/export'
import type { SkillService } from '../skills/service'
import { errorFields, silentLog, type Log } from '../log/log'
import type { Store } from '../store/store'
import { traceMetrics } from '../analysts/signals'
import { explainPair, rulesOf } from './explain'
import { cryptoInt, planVerificationRuns, type RandomInt } from './plan'
import { buildReport, verificationStatus, type RunFacts } from './report'
import { skillUse } from './usage'
import { derivedFromTrace } from '../traces/derived'
import { blindFolderName } from '../base/workspace'
import { createBlindness, type Blindness } from './blind'

const now = () => new Date().toISOString()
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`
/** Pairs explained at once. */
const EXPLAIN_CONCURRENCY = 4

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
}

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
  }): Promise<Analysis>
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

export type VerifyService = ReturnType<typeof createVerifyService>

export function createVerifyService(d: VerifyDeps) {
  const log = d.log ?? silentLog()
  const { store, operations, runner } = d
  const random = d.random ?? cryptoInt
  const blind = d.blind ?? createBlindness(store)

  const verificationOf = async (id: string): Promise<Verification> => {
    const v = await store.verifications.get(id)
    if (!v) throw fail(`no such verification: ${id}`, 'not-found')
    return v
  }
  const save = async (v: Verification) => {
    v.updatedAt = now()
    await store.verifications.put(v)
    d.emit('verificationProgress', { verification: v })
  }
  /**
   * Change a verification as it is stored now: the change is applied to the document in its write queue
   * (so changes made at once never overwrite each other), and undone if it cannot be saved.
   */
  const change = async (id: string, fn: (v: Verification) => void): Promise<Verification> => {
    await verificationOf(id)
    await store.verifications.update(id, (doc) => {
      fn(doc.verification)
      doc.verification.updatedAt = now()
    })
    const v = structuredClone(await verificationOf(id))
    d.emit('verificationProgress', { verification: v })
    return v
  }

  // -------------------------------------------------------------------------------------------------
  // What a verification is over

  const versionsOf = (skillId: string) => store.skills.versions(skillId)
  /** The skill, the version verified and the one it is compared against. */
  const resolveVersions = async (input: Pick<VerifyInput, 'skillId' | 'versionId' | 'against'>) => {
    const skill = await d.skills.skillOf(input.skillId)
    const versions = await versionsOf(skill.id)
    if (!versions.length) throw fail('this skill has no saved version yet: save it in the composer first', 'invalid')
    const version = input.versionId ? versions.find((v) => v.id === input.versionId) : versions[versions.length - 1]
    if (!version) throw fail(`version ${input.versionId} is not a version of this skill`, 'invalid')
    let against: SkillVersion | null = null
    if (input.against && input.against !== 'none') {
      against = versions.find((v) => v.id === input.against) ?? null
      if (!against) throw fail(`version ${input.against} is not a version of this skill`, 'invalid')
      if (against.id === version.id) throw fail('compare a version with another version, or with no skill', 'invalid')
    }
    return { skill, version, against }
  }
  const stateOf = (v: SkillVersion) => v.state as Skill
  const nameOf = (v: SkillVersion) => stateOf(v).frontMatter?.name || ''

  /** The batches the skill was learned from, newest last (those still in the store). */
  const learnedFrom = (skill: Skill, version: SkillVersion) =>
    [...new Set([...(stateOf(version).batchIds ?? []), ...skill.batchIds])].filter((id) => store.batches.has(id))

  /** The variations of a batch, each once (repeats folded), in run order. */
  const variationsOfBatch = async (batchId: string): Promise<VerifyVariation[]> => {
    const doc = await store.batches.get(batchId)
    if (!doc) return []
    const seen = new Set<string>()
    const out: VerifyVariation[] = []
    for (const r of store.batches.runsOf(doc).sort((a, b) => a.number - b.number)) {
      const key = r.prompt.trim()
      if (!key || seen.has(key)) continue
      seen.add(key)
      out.push({ difficulty: r.difficulty ?? 'normal', prompt: r.prompt })
    }
    return out
  }
  /** Every prompt the skill was learned from: fresh variations may repeat none of them. */
  const learnedPrompts = async (batchIds: string[]) => (await Promise.all(batchIds.map(variationsOfBatch))).flat().map((x) => x.prompt)

  /** The mix of the analysed batch (the newest the skill was learned from), else the default. */
  const mixOf = (variations: VerifyVariation[]): Mix => {
    const mix = Object.fromEntries(DIFFICULTIES.map((k) => [k, variations.filter((x) => x.difficulty === k).length])) as Mix
    return DIFFICULTIES.some((k) => mix[k] > 0) ? mix : DEFAULT_MIX
  }

  const settingsFor = async (batchIds: string[], over: VerifySettings = {}) => {
    const last = batchIds.length ? await store.batches.get(batchIds[batchIds.length - 1]) : undefined
    const base = last && !Object.values(last.runs).every((r) => r.imported) ? last.batch.settings : RunSettingsSchema.parse({})
    const defined = Object.fromEntries(Object.entries(over).filter(([, x]) => x !== undefined))
    // each arm runs every variation `repeats` times: the batch itself plans its runs one by one; with the
    // app's Claude Code settings only, so no skill of the user's own folder can stand in for the one under test
    return RunSettingsSchema.parse({ ...base, ...defined, repeats: 1, useMyClaudeSettings: undefined })
  }

  /** What a verification would be: its variations (unless fresh), runs, cost estimate and warnings. */
  const plan = async (input: VerifyInput) => {
    const { skill, version, against } = await resolveVersions(input)
    const source = input.variations?.source ?? 'fresh'
    const repeats = input.repeats ?? 2
    if (!Number.isInteger(repeats) || repeats < 1 || repeats > 10) throw fail('repeats: a whole number from 1 to 10', 'invalid')
    const batches = learnedFrom(skill, version)
    const analysed = batches[batches.length - 1]
    const analysedVariations = analysed ? await variationsOfBatch(analysed) : []
    const taskId = skill.taskId ?? (analysed ? store.batches.head(analysed)?.taskId : undefined)
    const task = taskId ? store.index.task(taskId) : undefined
    const warnings: VerifyWarning[] = []
    let variations: VerifyVariation[] = []
    let count: number
    if (source === 'pasted') {
      const items = (input.variations as { items: VerifyVariation[] }).items
      if (!items?.length) throw fail('paste at least one variation', 'invalid')
      variations = items.map((x) => ({ difficulty: x.difficulty, prompt: x.prompt.trim() })).filter((x) => x.prompt)
      if (!variations.length) throw fail('paste at least one variation', 'invalid')
      count = variations.length
    } else if (source === 'batch') {
      if (!analysedVariations.length)
        throw fail('the skill was not learned from a batch with runs: generate fresh variations or paste some', 'invalid')
      variations = analysedVariations
      count = variations.length
    } else {
      if (!task)
        throw fail(
          'fresh variations are written from the task, and this skill was learned from runs with no task (imported sessions): paste variations instead',
          'invalid'
        )
      const mix = mixOf(analysedVariations)
      count = DIFFICULTIES.reduce((n, k) => n + mix[k], 0)
      if (!analysedVariations.length)
        warnings.push({
          kind: 'default-mix',
          text: 'No analysed variations to take the mix from: the default mix (5 easy, 8 normal, 4 hard, 3 adversarial) is used.'
        })
    }
    const learned = new Set((await learnedPrompts(batches)).map((p) => p.replace(/\s+/g, ' ').trim().toLowerCase()))
    const heldOut =
      source === 'fresh' ||
      (source === 'pasted' && !variations.some((x) => learned.has(x.prompt.replace(/\s+/g, ' ').trim().toLowerCase())))
    if (!heldOut)
      warnings.push({
        kind: 'not-held-out',
        text:
          source === 'batch'
            ? 'Not held out: these are the variations the skill was learned from, so the gain is likely overstated.'
            : 'Not held out: some pasted variations are ones the skill was learned from, so the gain is likely overstated.'
      })
    // what the runs will be given as a project skill: a flagged text (a command, a URL, text copied from a run) needs a confirmation
    const flagged = [version, ...(against ? [against] : [])].flatMap((x) =>
      skillFlags({ provenance: undefined, ...stateOf(x), rules: stateOf(x).rules ?? [] }).map((t) => ({
        ...t,
        label: `version ${x.number}'s ${t.label}`
      }))
    )
    if (flagged.length) warnings.push({ kind: 'flagged', text: flaggedRefusal(flagged, 'confirm to install it in the with-skill runs') })
    const name = nameOf(version)
    const settings = await settingsFor(batches, input.settings)
    const runs = count * repeats * 2
    // the cost of a run, from the real runs the skill was learned from
    const costs: number[] = []
    for (const id of batches) {
      const doc = await store.batches.get(id)
      for (const r of doc ? store.batches.runsOf(doc) : []) if (r.state === 'done' && r.progress.costUsd > 0) costs.push(r.progress.costUsd)
    }
    const costPerRunUsd = costs.length ? costs.reduce((a, b) => a + b, 0) / costs.length : null
    const estimate: VerifyEstimate = {
      variations: count,
      runs,
      repeats,
      version: { id: version.id, number: version.number },
      against: against ? { id: against.id, number: against.number } : null,
      source,
      heldOut,
      costPerRunUsd,
      usd: costPerRunUsd === null ? null : costPerRunUsd * runs,
      capUsd: settings.maxBudgetUsd ? settings.maxBudgetUsd * runs : null,
      basis:
        costPerRunUsd === null
          ? 'no finished run of the batches it was learned from has a cost to go by'
          : `${plural(runs, 'run')} (${plural(count, 'variation')} x ${repeats} x 2 arms) at $${costPerRunUsd.toFixed(3)}, the mean of ${plural(costs.length, 'finished run')} it was learned from${source === 'fresh' ? '; writing the variations costs a little more' : ''}`,
      settings,
      warnings
    }
    return { skill, version, against, source, repeats, variations, task, settings, batches, heldOut, estimate, name, flagged }
  }

  // -------------------------------------------------------------------------------------------------
  // The runs

  /** The verification's batch of runs: both arms, interleaved, numbered at random; started at once. */
  const makeBatch = async (id: string) => {
    const v = await verificationOf(id)
    const can = await (d.presetCheck ?? ((p) => presetAvailability(p, { env: d.env })))(v.settings.permission)
    if (!can.available) throw fail(refusal(v.settings.permission, can), 'preset-unavailable')
    const batchId = randomUUID()
    const { runs, arms } = planVerificationRuns(batchId, v.variations, v.repeats, random)
    const count = store.verifications.ofSkill(v.skillId).filter((x) => store.verifications.head(x)?.batchId).length
    const batch: Batch = {
      id: batchId,
      ...(v.taskId ? { taskId: v.taskId } : {}),
      name: `Verify ${v.skillName} v${v.version.number} against ${v.against ? `v${v.against.number}` : 'no skill'} #${count + 1}`,
      createdAt: now(),
      settings: v.settings,
      runIds: runs.map((r) => r.id)
    }
    const installed = await installedBy(v)
    await store.batches.add(batch, runs)
    await change(id, (x) => {
      x.batchId = batchId
      x.arms = arms
      x.installed = installed
      x.phase = 'created'
      delete x.error
    })
    await runner.start(batchId, undefined, runOptions(batchId))
  }

  /** Write fresh variations (as an operation: cancel ends the model call), then make and start the batch. */
  const generateThenRun = (id: string) =>
    operations.start({ kind: 'verify', subject: id, params: { step: 'generate' } }, async (op) => {
      try {
        const v = await verificationOf(id)
        if (v.phase !== 'created' && !v.variations.length) {
          const task = v.taskId ? store.index.task(v.taskId) : undefined
          if (!task) throw fail('the task these variations come from is gone: paste variations instead', 'invalid')
          const analysed = v.learnedFrom[v.learnedFrom.length - 1]
          const mix = mixOf(analysed ? await variationsOfBatch(analysed) : [])
          const access = await d.apiAccess()
          const fresh = await generateVariations(access, task, mix, {
            model: v.generationModel,
            signal: op.signal,
            avoid: await learnedPrompts(v.learnedFrom)
          })
          op.signal.throwIfAborted()
          await change(id, (x) => void (x.variations = fresh))
        }
        op.signal.throwIfAborted()
        await makeBatch(id)
      } catch (err) {
        const cancelled = op.signal.aborted
        await change(id, (x) => {
          x.phase = cancelled ? 'cancelled' : 'failed'
          if (!cancelled) x.error = (err as Error).message
        }).catch((e) => log.error({ verificationId: id, error: errorFields(e) }, 'a stopped verification could not be saved'))
        return cancelled ? { state: 'cancelled' } : { state: 'failed', error: (err as Error).message }
      }
    })

  /** The files of the skill an arm runs with (none for no skill), as an export writes them. */
  const filesOf = (version: SkillVersion): ExportFile[] =>
    skillFiles({
      name: nameOf(version),
      skillMd: version.skillMd,
      edgeCasesMd: stateOf(version).rules?.some((r) => r.tier === 'edge-case') ? version.edgeCasesMd : '',
      agents: []
    })
  const versionOfArm = async (v: Verification, arm: Arm) =>
    arm === 'with'
      ? ((await store.skills.version(v.version.id)) ?? null)
      : v.against
        ? ((await store.skills.version(v.against.id)) ?? null)
        : null

  /** What each arm installs, for the verification's record: the version, the folder and each file's size and hash. */
  const installedBy = async (v: Verification): Promise<NonNullable<Verification['installed']>> => {
    const out: NonNullable<Verification['installed']> = []
    for (const arm of ['with', 'without'] as const) {
      const version = await versionOfArm(v, arm)
      if (!version) continue
      out.push({
        arm,
        versionId: version.id,
        name: nameOf(version),
        files: filesOf(version).map((f) => ({
          path: f.path,
          bytes: Buffer.byteLength(f.content),
          sha256: createHash('sha256').update(f.content).digest('hex')
        }))
      })
    }
    return out
  }

  /** A real folder (not a link) at `rel` in a run's folder. */
  const isDir = async (root: string, rel: string) => !!(await lstat(join(root, ...rel.split('/'))).catch(() => null))?.isDirectory()

  /** The skill folders a verification's runs may hold (the names of both arms' skills): what is taken out of them. */
  const skillNamesOf = (v: Verification) =>
    [...new Set([v.skillName, ...(v.againstName ? [v.againstName] : []), ...(v.installed ?? []).map((i) => i.name)])].filter(Boolean)

  /**
   * Takes what was installed out of a run's folder: the skills' folders, and `.claude/skills` and
   * `.claude` when empty (the runs of both arms look alike on disk). No link is followed: one the run
   * put on the way is refused, and what it points to stays as it was.
   */
  const uninstall = async (workspace: string, names: string[]) => {
    for (const name of names) await removeInside(workspace, `.claude/skills/${name}`)
    await removeEmptyDirInside(workspace, '.claude/skills')
    await removeEmptyDirInside(workspace, '.claude')
  }

  /**
   * Installs the version an arm runs with into the run's workspace, as an export writes it: no link is
   * followed on any segment of `.claude/skills/<name>/...` (a template's `.claude` link refuses the run
   * instead). `cleanup` takes it out again when the run has ended, before its files are read.
   */
  const preparer: RunPreparer = async (batch, run, workspace) => {
    const vid = store.verifications.ofBatch(batch.id)
    if (!vid) return
    const v = await verificationOf(vid)
    const slot = v.arms[run.id]
    if (!slot) return
    const version = await versionOfArm(v, slot.arm)
    if ((slot.arm === 'with' || v.against) && !version)
      throw new Error(`the skill version this run needs is gone (${armLabel(v, slot.arm)})`)
    const names = [...new Set([...skillNamesOf(v), ...(version ? [nameOf(version)] : [])])]
    // the template's own copy of a skill of that name goes in both arms: each arm has only its own
    const had = { claude: await isDir(workspace, '.claude'), skills: await isDir(workspace, '.claude/skills') }
    // what the install made goes again (a folder the template had stays)
    const cleanup = async () => {
      for (const name of names) await removeInside(workspace, `.claude/skills/${name}`)
      if (!had.skills) await removeEmptyDirInside(workspace, '.claude/skills')
      if (!had.claude) await removeEmptyDirInside(workspace, '.claude')
    }
    try {
      for (const name of names) await removeInside(workspace, `.claude/skills/${name}`)
      if (version) await writeInside(workspace, filesOf(version))
    } catch (err) {
      await cleanup().catch((e) => log.warn({ workspace, error: errorFields(e) }, 'a half-installed skill could not be taken out'))
      throw new Error(`the skill could not be installed in the run's folder: ${(err as Error).message}`, { cause: err })
    }
    // neither arm's file list shows a skill: nothing tells the arms apart in the deck
    return { hide: names.map((n) => `.claude/skills/${n}`), cleanup }
  }
  /** What a verification's batch is started with (by it, or by a retry from its batch's page): its skill installed, its folders never numbered. */
  const runOptions = (batchId: string): BatchStartOptions | undefined =>
    store.verifications.ofBatch(batchId) ? { prepare: preparer, folderName: (_batch, run) => blindFolderName(run.sessionId) } : undefined

  // -------------------------------------------------------------------------------------------------
  // The report

  /** Per run: its metrics and how it used the arm's skill, cached by its session file's size and time. */
  const derivedFacts = derivedFromTrace<RunFacts>(d)
  const factsOf = async (v: Verification, run: Run): Promise<RunFacts | null> => {
    if (!isFinished(run.state)) return null
    // the skill this run's arm had: the version verified, or the one it is compared against
    const name = v.arms[run.id]?.arm === 'without' && v.againstName ? v.againstName : v.skillName
    const roots = run.workspace ? [run.workspace, await realpath(run.workspace).catch(() => run.workspace!)] : []
    return derivedFacts(run, name, (trace) => ({ metrics: traceMetrics(trace), use: skillUse(trace, name, roots) })).catch(() => ({
      metrics: null,
      use: null
    }))
  }

  const runsOfVerification = async (v: Verification): Promise<Run[]> => {
    if (!v.batchId) return []
    const doc = await store.batches.get(v.batchId)
    return doc ? store.batches.runsOf(doc) : []
  }

  /** A verification, where it is and its whole report (which says each run's arm): for this service's own use. */
  const fullViewOf = async (v: Verification): Promise<VerificationView> => {
    const runs = await runsOfVerification(v)
    const status = verificationStatus(v, runs)
    if (v.phase === 'generating' && !operations.running('verify', v.id).length) status.stage = 'interrupted'
    let report = null
    if (runs.length) {
      const facts = new Map<string, RunFacts>()
      await Promise.all(
        runs.map(async (r) => {
          const f = await factsOf(v, r)
          if (f) facts.set(r.id, f)
        })
      )
      report = buildReport(v, runs, facts)
    }
    return { verification: v, status, report, ...(v.batchId ? { batchName: store.batches.head(v.batchId)?.name } : {}) }
  }

  /** Warnings about a blind verification as a whole: none ties a run to its arm. */
  const WHOLE: VerifyWarning['kind'][] = ['not-held-out', 'shadow']
  /** ...and once every run has finished (figures that no longer change with each run's end): how often the skills were loaded. */
  const WHOLE_FINISHED: VerifyWarning['kind'][] = [...WHOLE, 'low-trigger', 'elsewhere', 'stray']

  /**
   * A verification as it is given out. While blind (not every run graded): no report and no arm of any
   * run, only the counts and the warnings about the whole; once every run is graded, all of it.
   */
  const viewOf = async (v: Verification): Promise<VerificationView> => {
    const full = await fullViewOf(v)
    if (!v.batchId || !blind.isBlind(v.batchId)) return full
    const s = full.status
    const kinds = s.queued || s.running ? WHOLE : WHOLE_FINISHED
    return {
      verification: blind.verification(v),
      status: s,
      report: null,
      ...(full.batchName !== undefined ? { batchName: full.batchName } : {}),
      blind: { graded: s.graded, runs: s.runs, warnings: (full.report?.warnings ?? []).filter((w) => kinds.includes(w.kind)) }
    }
  }

  /** Refuses what would tell the arms apart while a verification is blind. */
  const notBlind = (v: Verification, what: string) => {
    if (v.batchId && blind.isBlind(v.batchId)) {
      const c = blind.counts(v.batchId)
      throw fail(
        `${what} once every run is graded: the verification is graded blind until then (${c?.graded ?? 0} of ${c?.runs ?? 0} graded)`,
        'invalid'
      )
    }
  }

  // -------------------------------------------------------------------------------------------------
  // Explanations of fixed and broken pairs

  const explainPort = async (via: 'api' | 'claude-cli' = 'api', claudePath?: string): Promise<ModelPort> => {
    if (d.port) return d.port
    if (via === 'claude-cli') return claudeCliModel({ claudePath, env: d.env })
    return apiModel(await d.apiAccess())
  }

  const explain = async (id: string, opts: { model?: string; via?: 'api' | 'claude-cli'; claudePath?: string } = {}) => {
    const v = await verificationOf(id)
    if (operations.running('verify', id).some((op) => op.params.step === 'explain'))
      throw fail('the pairs are being explained already', 'busy')
    notBlind(v, 'the pairs are explained')
    const view = await fullViewOf(v)
    const report = view.report
    if (!report) throw fail('nothing to explain yet: no runs were graded', 'invalid')
    const todo = report.pairs.filter(
      (p) =>
        (report.comparison.fixed.includes(p.key) || report.comparison.broken.includes(p.key)) && v.explanations[p.key]?.state !== 'done'
    )
    if (!todo.length)
      return report.comparison.fixed.length + report.comparison.broken.length
        ? view
        : (() => {
            throw fail('no pair was fixed or broken: every graded pair agrees, so there is nothing to explain', 'invalid')
          })()
    const version = await store.skills.version(v.version.id)
    if (!version) throw fail('the version verified is gone', 'not-found')
    const rules = rulesOf(stateOf(version).rules ?? [])
    if (!rules.length) throw fail('the version verified has no rules to look for', 'invalid')
    const port = await explainPort(opts.via, opts.claudePath)
    const model = opts.model ?? DEFAULT_ANALYST_MODEL
    await change(id, (x) => {
      for (const p of todo) x.explanations[p.key] = { state: 'running', costUsd: 0, rules: [], setAside: [] }
    })
    operations.start({ kind: 'verify', subject: id, params: { step: 'explain', model, via: port.kind } }, async (op) => {
      // up to EXPLAIN_CONCURRENCY pairs at a time; after a cancel, the pairs not started are not taken
      const queue = new PQueue({ concurrency: EXPLAIN_CONCURRENCY })
      const one = async (p: (typeof todo)[number]) => {
        if (op.signal.aborted) return
        const kind = report.comparison.fixed.includes(p.key) ? ('fixed' as const) : ('broken' as const)
        let result: Explanation
        try {
          const runs = await runsOfVerification(v)
          const withRun = runs.find((r) => r.id === p.with!.runId)!
          const trace = await d.readTrace(withRun.sessionId, withRun.projectId)
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
            { literals: secretLiterals(d.env) }
          )
        } catch (err) {
          result = {
            state: 'failed',
            error: op.signal.aborted ? 'cancelled' : (err as Error).message.split('\n')[0],
            costUsd: 0,
            rules: [],
            setAside: []
          }
        }
        await change(id, (x) => void (x.explanations[p.key] = result))
      }
      await Promise.all(todo.map((p) => queue.add(() => one(p))))
      if (op.signal.aborted)
        await change(id, (x) => {
          for (const [k, e] of Object.entries(x.explanations))
            if (e.state === 'running') x.explanations[k] = { ...e, state: 'failed', error: 'cancelled' }
        })
    })
    return viewOf(await verificationOf(id))
  }

  // -------------------------------------------------------------------------------------------------

  return {
    preparer,
    viewOf,
    blind,
    async get(id: string) {
      return viewOf(await verificationOf(id))
    },
    async list(skillId?: string) {
      const ids = skillId ? store.verifications.ofSkill(skillId) : store.verifications.ids()
      const list = (await Promise.all(ids.map((x) => store.verifications.get(x)))).filter((x): x is Verification => !!x)
      return Promise.all(list.sort((a, b) => b.createdAt.localeCompare(a.createdAt)).map(viewOf))
    },
    /** The verification whose runs are this batch's (the deck grades it blind). */
    ofBatch: (batchId: string) => store.verifications.ofBatch(batchId),
    async estimate(input: VerifyInput): Promise<VerifyEstimate> {
      return (await plan(input)).estimate
    },
    async start(input: VerifyInput): Promise<VerificationView> {
      const p = await plan(input)
      const v: Verification = {
        id: randomUUID(),
        skillId: p.skill.id,
        skillName: p.name,
        version: { id: p.version.id, number: p.version.number },
        against: p.against ? { id: p.against.id, number: p.against.number } : null,
        ...(p.against && nameOf(p.against) !== p.name ? { againstName: nameOf(p.against) } : {}),
        source: p.source,
        heldOut: p.heldOut,
        learnedFrom: p.batches,
        ...(p.task ? { taskId: p.task.id } : {}),
        repeats: p.repeats,
        settings: p.settings,
        ...(input.generationModel ? { generationModel: input.generationModel } : {}),
        variations: p.variations,
        arms: {},
        phase: p.source === 'fresh' ? 'generating' : 'created',
        explanations: {},
        createdAt: now(),
        updatedAt: now()
      }
      if (!p.name) throw fail('the version has no name in its front matter: name the skill in the composer first', 'invalid')
      if (p.flagged.length && !input.acceptFlagged)
        throw fail(flaggedRefusal(p.flagged, 'confirm to install it in the with-skill runs'), 'flagged')
      // a preset that cannot work here is refused before anything is written
      const can = await (d.presetCheck ?? ((x) => presetAvailability(x, { env: d.env })))(p.settings.permission)
      if (!can.available) throw fail(refusal(p.settings.permission, can), 'preset-unavailable')
      if (p.source === 'fresh') {
        await save(v)
        generateThenRun(v.id)
      } else {
        await save({ ...v, phase: 'generating' })
        try {
          await makeBatch(v.id)
        } catch (err) {
          await change(v.id, (x) => {
            x.phase = 'failed'
            x.error = (err as Error).message
          })
          throw err
        }
      }
      return viewOf(await verificationOf(v.id))
    },
    /** Stop everything it is doing: writing variations, its runs, explanations. */
    async cancel(id: string) {
      const v = await verificationOf(id)
      let cancelled = false
      for (const op of operations.running('verify', id)) cancelled = operations.cancel(op.id) || cancelled
      if (v.batchId) cancelled = (await runner.cancelBatch(v.batchId)) > 0 || cancelled
      return { cancelled }
    },
    /** Go on after a cancel, a failure or a stopped app: write the variations again, or run again the runs that did not finish. */
    async resume(id: string) {
      const v = await verificationOf(id)
      if (operations.running('verify', id).some((op) => op.params.step === 'generate')) throw fail('it is being prepared already', 'busy')
      if (v.phase !== 'created') {
        await change(id, (x) => {
          x.phase = 'generating'
          delete x.error
        })
        generateThenRun(id)
      } else {
        const runs = await runsOfVerification(v)
        const again = runs.filter((r) => r.state === 'failed' || r.state === 'cancelled' || r.state === 'interrupted').map((r) => r.id)
        if (!again.length) throw fail('every run has finished: nothing to resume', 'invalid')
        // a run made again is graded again: a grade of what the stopped run left would not be about it
        await store.batches.update(v.batchId!, (doc) => {
          for (const runId of again) delete doc.runs[runId].feedback
        })
        await runner.start(v.batchId!, again, runOptions(v.batchId!))
      }
      return viewOf(await verificationOf(id))
    },
    /** Resolves when nothing of it is running (tests, the CLI). */
    async idle(id: string) {
      for (;;) {
        const ops = operations.running('verify', id)
        await Promise.all(ops.map((op) => op.done))
        const v = await verificationOf(id)
        if (v.batchId) await runner.idle(v.batchId)
        if (!operations.running('verify', id).length) return
      }
    },
    explain,
    /** The next version: the verification's graded runs (both arms) analysed in deepen mode, the current skill the starting point. */
    async deepen(id: string, opts: { via?: 'api' | 'claude-cli'; model?: string; mergeModel?: string; claudePath?: string } = {}) {
      const v = await verificationOf(id)
      if (!v.batchId) throw fail('this verification has no runs yet', 'invalid')
      notBlind(v, 'the next version is made from its runs')
      const a = await d.startAnalysis({ batchId: v.batchId, deepenSkillId: v.skillId, ...opts })
      await change(id, (x) => void (x.deepenAnalysisId = a.id))
      return a
    },
    runOptions,
    /**
     * What the analysts of a verification's batch should know: each run's arm and its pair, and the
     * rules the with-skill trace showed followed where the skill broke a run. Undefined for other batches.
     */
    async notesFor(batchId: string): Promise<string | undefined> {
      const vid = store.verifications.ofBatch(batchId)
      // blind: nothing says which run was in which arm (its analyses wait for the last grade)
      if (!vid || blind.isBlind(batchId)) return undefined
      const view = await fullViewOf(await verificationOf(vid))
      const v = view.verification
      const r = view.report
      if (!r) return undefined
      const with_ = armLabel(v, 'with')
      const without = armLabel(v, 'without')
      const lines = [
        `These runs are a verification of the skill being improved (its version ${v.version.number}): each variation ran with ${with_} installed and ${v.against ? `with ${without}` : 'without any skill'}; the person graded them blind.`,
        `Pass rate with ${with_}: ${r.arms.with.passRate.passed} of ${r.arms.with.passRate.n}; ${without}: ${r.arms.without.passRate.passed} of ${r.arms.without.passRate.n} (pairs graded in both arms).`,
        ...r.pairs.map((p) => {
          const state = r.comparison.fixed.includes(p.key)
            ? 'FIXED by the skill'
            : r.comparison.broken.includes(p.key)
              ? 'BROKEN by the skill'
              : 'same grade'
          const side = (x: typeof p.with, label: string) =>
            x
              ? `Run ${x.number} ${label}${x.label ? ` (${x.label})` : ''}${label === with_ && x.use ? (x.use.invoked ? ', skill loaded' : ', skill NOT loaded') : ''}`
              : `${label}: no run`
          return `- ${pairKey(p.variation, p.repeat, v.repeats)}: ${side(p.with, with_)}; ${side(p.without, without)}: ${state}`
        })
      ]
      const broken = Object.entries(v.explanations).filter(([k, e]) => r.comparison.broken.includes(k) && e.state === 'done')
      const followed = broken.flatMap(([, e]) => e.rules.filter((x) => x.verdict === 'followed'))
      if (followed.length)
        lines.push(
          `Rules the with-skill runs followed where the skill broke the run (look at them hard: keep, reword or drop):\n${[...new Set(followed.map((x) => x.text))].map((t) => `- ${t}`).join('\n')}`
        )
      lines.push(
        `Runs the skill fixed or broke are the best evidence for the next version; a rule that broke runs should be changed or dropped, and a rule that was not loaded cannot have helped.`
      )
      return lines.join('\n')
    },
    /** At start-up: what a stopped app left half-done (writing variations, explaining pairs, a skill installed in a run's folder). */
    async recover() {
      // runs the stop interrupted (the runner's recovery, just before, marked them), or that failed on the way,
      // may still hold the skill installed for them
      const left = (state: Run['state']) => state === 'interrupted' || state === 'failed'
      for (const id of store.verifications.ids()) {
        const batchId = store.verifications.head(id)?.batchId
        if (!batchId || !store.batches.head(batchId)?.runs.some((r) => left(r.state))) continue
        const v = await store.verifications.get(id).catch(() => undefined)
        const doc = await store.batches.get(batchId).catch(() => undefined)
        if (!v || !doc) continue
        for (const r of store.batches.runsOf(doc))
          if (left(r.state) && r.workspace)
            await uninstall(r.workspace, skillNamesOf(v)).catch((e) =>
              log.warn({ verificationId: id, runId: r.id, error: errorFields(e) }, 'a skill left installed could not be taken out')
            )
      }
      // the verifications a stopped app was preparing (their heads say so) or explaining (their operations say so)
      const explaining = new Set<string>()
      for (const opId of store.operations.running()) {
        const h = store.operations.head(opId)
        if (h?.kind === 'verify' && h.subject) explaining.add(h.subject)
      }
      for (const id of store.verifications.ids()) {
        if (store.verifications.head(id)?.phase !== 'generating' && !explaining.has(id)) continue
        await change(id, (x) => {
          if (x.phase === 'generating') {
            x.phase = 'interrupted'
            x.error = 'the app stopped while the variations were being written'
          }
          for (const [k, e] of Object.entries(x.explanations))
            if (e.state === 'running') x.explanations[k] = { ...e, state: 'failed', error: 'interrupted: the app stopped' }
        }).catch((e) => log.error({ verificationId: id, error: errorFields(e) }, 'an interrupted verification could not be saved'))
      }
    },
    /** The arm of a run of a verification batch (after grading, to say which is which). */
    armOf(batchId: string, runId: string): Arm | undefined {
      const vid = store.verifications.ofBatch(batchId)
      return vid ? store.verifications.peek(vid)?.data.verification.arms[runId]?.arm : undefined
    }
  }
}

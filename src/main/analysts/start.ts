/**
 * Starting an analysis of a batch's graded runs: what the analysts will read (prepare.ts), the skill it
 * deepens (a SKILL.md pasted in becomes a skill of its own first, so nothing of it is lost), the
 * analysis saved, and its fleets started as an operation with what it was started with (a retry and a
 * restart reuse it). Electron-free.
 */
import { randomUUID } from 'node:crypto'
import type { Analysis } from '../../shared/analysis'
import { fail } from '../../shared/contract'
import { DEFAULT_ANALYST_MODEL } from '../../shared/models'
import { slugifyName } from '../../shared/skill-md'
import { parseSkillMd } from '../../shared/skill-md-read'
import { ANALYSTS, type Skill } from '../../shared/skills'
import type { Batch } from '../../shared/runs'
import { mergeRules } from '../skills/rules/consolidate'
import { now, portFor, save, type AnalysisContext, type AnalysisParams, type StartAnalysis } from './context'
import { startFleets } from './fleets'
import { prepare, promptTokensOf, reportOf } from './prepare'

export async function startAnalysis(ctx: AnalysisContext, input: StartAnalysis): Promise<Analysis> {
  const { batchId, via, model, mergeModel, deepenSkillId, existingSkillMd, claudePath, mobile, notes, outcomes } = input
  const { seed, intoSkillId, versionLabel } = input
  const { store, skills } = ctx
  const doc = await store.batches.get(batchId)
  if (!doc) throw fail(`no such batch: ${batchId}`, 'not-found')
  const batch = doc.batch
  if (!store.batches.runsOf(doc).some((r) => r.feedback?.label))
    throw fail('No graded runs in this batch: grade at least one run (good or bad) first.', 'invalid')
  if (seed !== undefined && !Number.isSafeInteger(seed)) throw fail(`a seed is a whole number, not ${seed}`, 'invalid')
  if (intoSkillId && (deepenSkillId || existingSkillMd))
    throw fail('An analysis either deepens a skill or adds a version learned from scratch to one, not both.', 'invalid')
  const deepen = deepenSkillId ? await skills.skillOf(deepenSkillId) : undefined
  // the skill a new version (a candidate) is added to: it must be there before any model is paid for
  if (intoSkillId) await skills.skillOf(intoSkillId)
  const port = await portFor(ctx, via ?? 'api', claudePath)
  const prepared = await prepare(ctx, {
    batchId,
    model: model ?? DEFAULT_ANALYST_MODEL,
    deepenSkillId,
    existingSkillMd,
    mobile,
    notes,
    seed
  })
  const { list, rawBytes, warnings, chunks, condensed, existingMd, redacted } = prepared
  let deepenId = deepen?.id
  if (!deepen && existingSkillMd) {
    const base = pastedSkill(existingSkillMd, batch)
    await skills.saveVersion(base, 'the SKILL.md it started from')
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
    ...(mobile ? { mobile: true } : {}),
    ...(seed !== undefined ? { seed } : {}),
    runNumbers: list.map((r) => r.number),
    analysts: ANALYSTS.map((kind) => ({
      kind,
      state: 'queued',
      attempt: 0,
      usage: { input: 0, output: 0, cacheRead: 0, cacheCreation: 0 },
      costUsd: 0,
      rules: [],
      setAside: []
    })),
    context: {
      runs: list.length,
      tokens: condensed.reduce((n, c) => n + c.tokens, 0),
      rawTokens: Math.ceil(rawBytes / 4),
      level: Math.max(...condensed.map((c) => c.cuts.length)),
      charsCut: condensed.reduce((n, c) => n + c.cuts.filter((x) => x.unit === 'chars').reduce((k, x) => k + x.amount, 0), 0),
      stepsOmitted: condensed.reduce((n, c) => n + c.cuts.filter((x) => x.unit === 'steps').reduce((k, x) => k + x.amount, 0), 0),
      chunks: chunks.length,
      report: reportOf(model ?? DEFAULT_ANALYST_MODEL, condensed, redacted, promptTokensOf(prepared, via ?? 'api'))
    },
    merge: { state: 'waiting', costUsd: 0 },
    // "analysed in N groups" is said once the groups' rules are merged (mergeInto), not while they wait
    warnings: [...warnings],
    createdAt: now()
  }
  await save(ctx, a)
  const params: AnalysisParams = {
    batchId,
    via: a.via,
    model: a.model,
    mergeModel: a.mergeModel,
    ...(deepenId ? { deepenSkillId: deepenId } : {}),
    ...(claudePath ? { claudePath } : {}),
    // only for the skill the verification verified (the outcomes are of its rules)
    ...(outcomes && deepen ? { outcomes } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(intoSkillId ? { intoSkillId } : {}),
    ...(versionLabel ? { versionLabel } : {})
  }
  await startFleets(ctx, { analysisId: a.id, list, chunks, port, params, existingMd, notes })
  return a
}

/** A SKILL.md pasted in to deepen, as a skill of its own: its rules and their citations (its own runs, and earlier ones) kept. */
function pastedSkill(skillMd: string, batch: Batch): Skill {
  const parsed = parseSkillMd(skillMd)
  return {
    id: randomUUID(),
    batchIds: [],
    taskId: batch.taskId,
    frontMatter: { name: parsed.frontMatter.name ?? slugifyName(batch.name), description: parsed.frontMatter.description ?? '' },
    title: parsed.title || batch.name,
    whenToUse: parsed.whenToUse,
    rules: mergeRules({
      rules: [],
      groups: [],
      contradictions: [],
      // its citations stay: its own runs (the batch they are in is not known) and earlier ones
      existing: parsed.rules.map((r) => ({
        text: r.text,
        tier: r.tier,
        evidence: r.evidence,
        earlier: (r.earlier ?? []).map((runs) => ({ runs })),
        // its why apart from it, as the SKILL.md rendered them ("rule. why. (runs ...)")
        ...(r.why ? { why: r.why } : {})
      })),
      newId: () => randomUUID()
    }).rules,
    conflicts: [],
    setAside: [],
    createdAt: now(),
    updatedAt: now()
  }
}

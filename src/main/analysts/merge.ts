/**
 * The merge of an analysis (a part of its operation): every accepted rule into the skill, a new skill
 * or a new version of the one deepened. The model groups and words (src/main/skills/rules/: its prompt,
 * schema and consolidation); runs analysed in groups are consolidated group by group first. A failed
 * merge model loses nothing: every rule stands alone. Electron-free.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { fail } from '../../shared/contract'
import { DEFAULT_CHECK_MODEL } from '../../shared/models'
import { inSeedOrder } from '../../shared/shuffle'
import { slugifyName } from '../../shared/skill-md'
import { skillProblems } from '../../shared/skill-md-read'
import { tierThresholds, type AnalystRule, type Skill, type SkillRule } from '../../shared/skills'
import { mergeRules, type ExistingRule } from '../skills/rules/consolidate'
import { backToAnalysts, firstLevel, rulesByGroup, twoLevels, type GroupAnswer } from '../skills/rules/groups'
import { mergePrompt } from '../skills/rules/prompt'
import { givenTier, redecideConflicts, retier } from '../skills/rules/tiers'
import { contradictionIndex, MERGE_TOOL, MergeAnswerSchema, sameAsExisting, type MergeAnswer } from '../skills/rules/schema'
import { checkExamples } from '../skills/examples'
import { checkScripts } from '../skills/scripts'
import { withProvenance } from '../skills/provenance'
import { rendered } from '../skills/service'
import { costUsd } from '../traces/pricing'
import { groupsNote } from './budget'
import { analysisOf, now, paramsOf, save, taskInfoOf, type AnalysisContext } from './context'
import type { RunEvidence } from './evidence'
import { setAsideHarness } from './harness'
import type { ModelPort } from './model'
import { describeError, SYSTEM } from './pipeline'
import { checkSupport } from './support'

/** Merge every accepted rule into the skill (a new skill, or a new version of the one deepened). */
export async function mergeInto(ctx: AnalysisContext, analysisId: string, port: ModelPort, signal: AbortSignal, runs?: RunEvidence[]) {
  const { store } = ctx
  let a = await analysisOf(ctx, analysisId)
  // failures of the harness are not lessons: a rule about one (every run it cites failed for it) is set aside
  const reasons = new Map((runs ?? []).map((r) => [r.number, r.state !== 'done' ? r.reason : undefined]))
  const harness = setAsideHarness(
    a.analysts.flatMap((s) => s.rules),
    (n) => reasons.get(n)
  )
  // an analysis with a seed gives the merge its rules in the seed's order (another order than its runs')
  const rules: AnalystRule[] = inSeedOrder(harness.kept, a.seed, 1)
  if (harness.setAside.length) {
    // shown where the analysts' other set-aside rules are, under the analyst that proposed each
    const aside = new Set(harness.setAside.map((x) => x.rule))
    a = {
      ...a,
      analysts: a.analysts.map((s) => ({
        ...s,
        rules: s.rules.filter((r) => !aside.has(r)),
        setAside: [...s.setAside, ...harness.setAside.filter((x) => x.rule.analyst === s.kind)]
      }))
    }
  }
  const taskInfo = taskInfoOf(ctx, a.taskId, a.batchId)
  const deepen = a.deepenSkillId ? await store.skills.get(a.deepenSkillId) : undefined
  // deepened from a verification: what it showed of the existing rules (followed where the skill broke runs: demoted)
  const params = await paramsOf(ctx, a)
  const outcomes = deepen ? params.outcomes : undefined
  // a rule this verification already demoted (a retry, a second deepen from it) starts from its tier before
  const again = (r: SkillRule) => !r.pinnedTier && !r.removed && !!outcomes && r.outcome?.version === outcomes.version
  // the rules of the skill being deepened, with what they cite (runs of its newest batch, and earlier ones)
  const existing: ExistingRule[] | undefined = deepen
    ? deepen.rules
        .filter((r) => r.tier !== 'discarded' || again(r))
        .map((r) => ({
          text: r.text,
          tier: again(r) ? givenTier(r) : (r.tier as ExistingRule['tier']),
          evidence: r.evidence,
          batchId: deepen.batchIds[deepen.batchIds.length - 1],
          earlier: r.earlier,
          guard: r.guard,
          // a tier the person pinned stays where they put it
          ...(r.pinnedTier ? { pinned: true, ...(r.note ? { note: r.note } : {}) } : {}),
          ...(r.why ? { why: r.why } : {}),
          // an example the person wrote, or checked against its own batch: kept as it is
          ...(r.example ? { example: { ...r.example, batchId: r.example.batchId ?? deepen.batchIds[deepen.batchIds.length - 1] } } : {}),
          // its reference file: it stays there
          ...(r.topic ? { topic: r.topic } : {}),
          ...(r.script ? { script: r.script } : {})
        }))
    : undefined
  a = { ...a, state: 'merging', merge: { ...a.merge, state: 'running', error: undefined } }
  await save(ctx, a)
  const grouped = groupsNote(a.runNumbers.length, a.context.chunks)
  // a retry merges again: said once
  const warnings = [
    ...a.warnings.filter((w) => w !== grouped),
    ...(a.context.chunks > 1 ? [grouped] : []),
    ...harness.setAside.map((x) => `Set aside "${x.rule.rule}" (${x.rule.analyst} analyst): ${x.why}.`)
  ]
  let mergeCost = 0
  const askMerge = async (list: AnalystRule[], withExisting: boolean): Promise<MergeAnswer> => {
    signal.throwIfAborted()
    const res = await port.call(
      {
        model: a.mergeModel,
        system: SYSTEM,
        shared: [
          {
            type: 'text',
            text: mergePrompt(
              taskInfo,
              list,
              withExisting ? existing?.map((e) => e.text) : undefined,
              withExisting ? deepen?.topics : undefined
            )
          }
        ],
        instructions: 'Merge these rules.',
        tool: MERGE_TOOL,
        maxTokens: 16_000
      },
      {},
      signal
    )
    mergeCost += res.costUsd ?? costUsd(a.mergeModel, res.usage)
    const parsed = MergeAnswerSchema.safeParse(res.input)
    if (!parsed.success)
      throw fail(
        `bad answer: the merge does not fit the schema (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`,
        'bad-answer'
      )
    return parsed.data
  }

  // Runs analysed in groups: first consolidate each group's rules (in parallel), then the groups'
  // results together, as the Trace2Skill paper does; the app keeps track of the original rules.
  let level2 = rules
  let origin = new Map<string, AnalystRule[]>()
  const byGroup = rulesByGroup(rules)
  if (twoLevels(byGroup, rules)) {
    const firsts = await Promise.all(
      [...byGroup].map(async ([g, list]): Promise<GroupAnswer> => {
        try {
          return { g, list, answer: await askMerge(list, false) }
        } catch (err) {
          if (signal.aborted) throw err
          warnings.push(`Consolidating the rules of group ${g} failed (${describeError(err)}); its rules go to the final merge one by one.`)
          return { g, list, answer: null }
        }
      })
    )
    ;({ level2, origin } = firstLevel(rules, firsts))
  }

  let answer: MergeAnswer | null = null
  if (level2.length) {
    try {
      answer = await askMerge(level2, true)
    } catch (err) {
      if (signal.aborted) throw err
      // Nothing is lost: every rule stands alone, and the person can merge by hand.
      warnings.push(`The merge model failed (${describeError(err)}); rules were kept one by one, not grouped.`)
      a = { ...a, merge: { state: 'failed', error: describeError(err), costUsd: mergeCost } }
    }
  }
  signal.throwIfAborted()
  // a group the model says restates an existing rule ("existing": "x3", or an xN among its members) goes into it
  const groups = (answer?.groups ?? []).map((g) => sameAsExisting(g, existing?.length ?? 0))
  const contradictions = (answer?.contradictions ?? []).flatMap((c) => {
    const ia = contradictionIndex(c.a, groups.length, existing?.length ?? 0)
    const ib = contradictionIndex(c.b, groups.length, existing?.length ?? 0)
    return ia === null || ib === null ? [] : [{ a: ia, b: ib, why: c.why }]
  })
  // tiers scaled to the graded runs analysed (guards: to the hard and adversarial ones among them)
  const tiers = await analysedTiers(ctx, a.batchId, a.runNumbers)
  const merged = mergeRules({
    rules: level2,
    groups,
    contradictions,
    existing,
    batchId: a.batchId,
    newId: () => randomUUID(),
    tiers,
    outcomes,
    // the reference files by topic: the model's, with the deepened skill's carried forward
    topics: answer?.topics,
    existingTopics: deepen?.topics
  })
  // back to the analysts' own rules: sources, analysts and guards as if merged in one go
  if (origin.size) merged.rules = backToAnalysts(merged.rules, origin, level2)
  warnings.push(...merged.warnings)
  // honest support: each cited run checked against the rules citing it; only confirmed runs count toward a tier
  if (runs?.length && merged.rules.some((r) => r.evidence.length)) {
    const model = DEFAULT_CHECK_MODEL
    let writes = Promise.resolve()
    const show = (support: NonNullable<typeof a.support>) => {
      a = { ...a, support }
      const next = a
      writes = writes.then(() => save(ctx, next)).catch(() => {})
    }
    show({ state: 'running', model, runs: 0, checked: 0, confirmed: 0, unconfirmed: 0, costUsd: 0 })
    try {
      const checked = await checkSupport({
        port,
        model,
        task: taskInfo,
        rules: merged.rules,
        runs,
        tag: randomBytes(6).toString('hex'),
        signal,
        onProgress: (p) => show({ state: 'running', model, ...p })
      })
      await writes
      const { rules: _rules, warnings: checkWarnings, ...figures } = checked
      show({ state: 'done', model, ...figures })
      warnings.push(...checkWarnings)
      // the conflicts decided again with the confirmed runs (a winner that lost its lead loses), then the tiers
      merged.conflicts = redecideConflicts(checked.rules, merged.conflicts, 'after the support check')
      merged.rules = retier(checked.rules, merged.conflicts, tiers)
    } catch (err) {
      await writes
      show({ ...a.support!, state: signal.aborted ? 'cancelled' : 'failed', error: signal.aborted ? 'cancelled' : describeError(err) })
      await writes
      throw err
    }
    await writes
  }
  // what the verification changed is said on the analysis too (the rule's card shows its note)
  for (const r of merged.rules)
    if (r.outcome && !r.pinnedTier && r.note && /^(demoted|discarded as)/.test(r.note)) warnings.push(`Rule "${r.text}": ${r.note}.`)
  // an example's snippets must be real lines of the files or commands of the runs it cites: one that is not is dropped, said so
  const examples = checkExamples(merged.rules, runs, a.batchId)
  merged.rules = examples.rules
  warnings.push(...examples.warnings)
  // a script's content is a real file that good runs wrote, never the model's: one not found in two of them is dropped, said so
  const scripts = checkScripts(merged.rules, runs, a.batchId)
  merged.rules = scripts.rules
  warnings.push(...scripts.warnings)
  // A retry merges again into the same skill (a new version); the person's earlier edits stay in its versions.
  const previous = a.skillId ? await store.skills.get(a.skillId) : undefined
  // a candidate: a new version of the skill it is added to, learned from scratch (not deepened), under its name
  const into = !deepen && params.intoSkillId ? (previous ?? (await store.skills.get(params.intoSkillId))) : undefined
  if (!deepen && params.intoSkillId && !into)
    warnings.push('The skill this version was to be added to is gone: it was saved as a new skill.')
  const name = slugifyName(into?.frontMatter.name || answer?.skill.name || deepen?.frontMatter.name || taskInfo.name) || 'skill'
  const description = (
    answer?.skill.description ||
    deepen?.frontMatter.description ||
    `Rules for ${taskInfo.name}, learned from graded runs.`
  )
    .replace(/[<>]/g, '')
    .slice(0, 1024)
  const made: Skill = {
    id: previous?.id ?? deepen?.id ?? into?.id ?? randomUUID(),
    batchIds: [...new Set([...(deepen?.batchIds ?? into?.batchIds ?? []), a.batchId])],
    taskId: a.taskId,
    frontMatter: { name, description },
    title: answer?.skill.title || deepen?.title || taskInfo.name,
    whenToUse: answer?.skill.whenToUse || deepen?.whenToUse || `When the task is like: ${taskInfo.name}.`,
    rules: merged.rules,
    conflicts: merged.conflicts,
    setAside: a.analysts.flatMap((s) => s.setAside),
    tiers,
    ...(merged.topics ? { topics: merged.topics } : {}),
    createdAt: previous?.createdAt ?? deepen?.createdAt ?? into?.createdAt ?? now(),
    updatedAt: now()
  }
  // run content is data: a rule (or the description...) that repeats it, or holds a command, a URL or a
  // credential found in the runs, is traced to the runs and part it came from (the composer flags it)
  // (what the skill said in any of its versions is no copy: runs that had it installed read it)
  const known = deepen
    ? [
        ...(await store.skills.versions(deepen.id)).flatMap((v) => [
          v.skillMd,
          v.edgeCasesMd,
          ...(v.references ?? []).map((f) => f.content)
        ]),
        rendered(deepen).skillMd,
        rendered(deepen).edgeCasesMd,
        ...rendered(deepen).references.map((f) => f.content)
      ]
    : []
  const skill = runs ? withProvenance(made, runs, deepen, a.batchId, known) : made
  // the document checks itself: one rule per meaning, every rule with its citations
  for (const p of skillProblems(skill)) warnings.push(`The merged skill needs a look: ${p}.`)
  // the last moment a cancel can still keep the skill from being saved
  signal.throwIfAborted()
  const label = params.versionLabel
  await ctx.skills.saveVersion(
    skill,
    previous
      ? label
        ? `${label}, merged again after a retry`
        : 'merged again after a retry'
      : (label ?? (deepen ? `deepened from analysis of ${store.batches.head(a.batchId)?.name ?? a.batchId}` : 'from the analysts'))
  )
  a = {
    ...a,
    state: 'done',
    skillId: skill.id,
    warnings,
    merge: a.merge.state === 'failed' ? a.merge : { state: 'done', costUsd: mergeCost },
    endedAt: now()
  }
  await save(ctx, a)
}

/** The tier thresholds for the graded runs an analysis read (their difficulties from the batch). */
async function analysedTiers(ctx: AnalysisContext, batchId: string, runNumbers: number[]) {
  const doc = await ctx.store.batches.get(batchId)
  const difficulty = new Map((doc ? ctx.store.batches.runsOf(doc) : []).map((r) => [r.number, r.difficulty]))
  return tierThresholds(runNumbers.map((number) => ({ number, difficulty: difficulty.get(number) })))
}

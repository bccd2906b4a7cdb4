/**
 * The collections of documents (batches, analyses, skills, operations, verifications, rubrics, graders, pregrades): their
 * repositories over one store context, and their heads rebuilt from the documents on disk when the
 * index was lost.
 */
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Notice } from '../../shared/contract'
import { AnalysesRepo } from './analyses-repo'
import { BatchesRepo } from './batches-repo'
import { isDocId, type StoreContext } from './collection'
import { DOC_SCHEMA, readDocument } from './document'
import type { IndexRepo } from './index-repo'
import { OperationsRepo } from './operations-repo'
import {
  ANALYSIS_SPEC,
  analysisHead,
  BATCH_SPEC,
  batchHead,
  OPERATION_SPEC,
  operationHead,
  SKILL_SPEC,
  skillHead,
  GRADER_SPEC,
  graderHead,
  PREGRADE_SPEC,
  pregradeHead,
  TRIGGERS_SPEC,
  triggersHead,
  RUBRIC_SPEC,
  rubricHead,
  VERIFICATION_SPEC,
  verificationHead,
  type IndexData
} from './schema'
import { GradersRepo } from './graders-repo'
import { PregradesRepo } from './pregrades-repo'
import { TriggersRepo } from './triggers-repo'
import { RubricsRepo } from './rubrics-repo'
import { SkillsRepo } from './skills-repo'
import { VerificationsRepo } from './verifications-repo'

export const COLLECTIONS = [
  'batches',
  'analyses',
  'skills',
  'operations',
  'verifications',
  'rubrics',
  'graders',
  'pregrades',
  'triggers'
] as const
export type CollectionName = (typeof COLLECTIONS)[number]

/** What one document of a collection is called in a message. */
const ONE: Record<CollectionName, string> = {
  batches: 'batch',
  analyses: 'analysis',
  skills: 'skill',
  operations: 'operation',
  verifications: 'verification',
  rubrics: 'rubric',
  graders: "grader's measurement",
  pregrades: "batch's pre-grades",
  triggers: "skill's trigger queries"
}

export interface Collections {
  readonly batches: BatchesRepo
  readonly analyses: AnalysesRepo
  readonly skills: SkillsRepo
  readonly operations: OperationsRepo
  readonly verifications: VerificationsRepo
  readonly rubrics: RubricsRepo
  readonly graders: GradersRepo
  readonly pregrades: PregradesRepo
  readonly triggers: TriggersRepo
}

/** The repositories of the collections in `<dir>/<collection>/`, their heads kept in the index. */
export function openCollections(dir: string, index: IndexRepo, ctx: StoreContext): Collections {
  const what = (kind: CollectionName) => (id: string) => {
    const h = index.heads(kind).all()[id] as { name?: string } | undefined
    return `${ONE[kind]} ${h?.name ? `${JSON.stringify(h.name)} (${id})` : id}`
  }
  return {
    batches: new BatchesRepo(
      join(dir, 'batches'),
      what('batches'),
      BATCH_SPEC,
      () => ({ schema: DOC_SCHEMA, batch: null as never, runs: {} }),
      batchHead,
      index.heads('batches'),
      ctx
    ),
    analyses: new AnalysesRepo(
      join(dir, 'analyses'),
      what('analyses'),
      ANALYSIS_SPEC,
      () => ({ schema: DOC_SCHEMA, analysis: null as never }),
      analysisHead,
      index.heads('analyses'),
      ctx
    ),
    skills: new SkillsRepo(
      join(dir, 'skills'),
      what('skills'),
      SKILL_SPEC,
      () => ({ schema: DOC_SCHEMA, skill: null as never, versions: {} }),
      skillHead,
      index.heads('skills'),
      ctx
    ),
    operations: new OperationsRepo(
      join(dir, 'operations'),
      what('operations'),
      OPERATION_SPEC,
      () => ({ schema: DOC_SCHEMA, operation: null as never }),
      operationHead,
      index.heads('operations'),
      ctx
    ),
    verifications: new VerificationsRepo(
      join(dir, 'verifications'),
      what('verifications'),
      VERIFICATION_SPEC,
      () => ({ schema: DOC_SCHEMA, verification: null as never }),
      verificationHead,
      index.heads('verifications'),
      ctx
    ),
    rubrics: new RubricsRepo(
      join(dir, 'rubrics'),
      what('rubrics'),
      RUBRIC_SPEC,
      () => ({ schema: DOC_SCHEMA, rubric: null as never, versions: {} }),
      rubricHead,
      index.heads('rubrics'),
      ctx
    ),
    graders: new GradersRepo(
      join(dir, 'graders'),
      what('graders'),
      GRADER_SPEC,
      () => ({ schema: DOC_SCHEMA, check: null as never }),
      graderHead,
      index.heads('graders'),
      ctx
    ),
    pregrades: new PregradesRepo(
      join(dir, 'pregrades'),
      what('pregrades'),
      PREGRADE_SPEC,
      () => ({ schema: DOC_SCHEMA, pregrade: null as never }),
      pregradeHead,
      index.heads('pregrades'),
      ctx
    ),
    triggers: new TriggersRepo(
      join(dir, 'triggers'),
      what('triggers'),
      TRIGGERS_SPEC,
      () => ({ schema: DOC_SCHEMA, set: null as never, measures: {}, optimisations: {} }),
      triggersHead,
      index.heads('triggers'),
      ctx
    )
  }
}

/** Documents on disk without the index (it was lost or moved aside): their heads, rebuilt. */
export async function rebuildHeads(dir: string, index: IndexData, readOnly: boolean, notices: Notice[]): Promise<number> {
  const specs = {
    batches: [BATCH_SPEC, batchHead],
    analyses: [ANALYSIS_SPEC, analysisHead],
    skills: [SKILL_SPEC, skillHead],
    operations: [OPERATION_SPEC, operationHead],
    verifications: [VERIFICATION_SPEC, verificationHead],
    rubrics: [RUBRIC_SPEC, rubricHead],
    graders: [GRADER_SPEC, graderHead],
    pregrades: [PREGRADE_SPEC, pregradeHead],
    triggers: [TRIGGERS_SPEC, triggersHead]
  } as const
  let n = 0
  for (const field of COLLECTIONS) {
    // no folder yet: nothing of this kind was ever saved
    const names = await readdir(join(dir, field)).catch(() => [] as string[])
    for (const name of names) {
      const id = name.endsWith('.json') ? name.slice(0, -5) : ''
      if (!isDocId(id)) continue
      const [spec, headOf] = specs[field]
      const got = await readDocument<object>(join(dir, field, name), spec, () => ({ schema: DOC_SCHEMA }), `${ONE[field]} ${id}`, readOnly)
      notices.push(...got.notices)
      if (got.data) {
        ;(index[field] as Record<string, unknown>)[id] = (headOf as (d: object) => unknown)(got.data)
        n++
      }
    }
  }
  return n
}

/**
 * From the single store.json (schema 1: everything in one file, rewritten on every change) to one
 * document per aggregate. Pure: the old data in, the new documents out; ./legacy.ts writes them.
 *
 * Also moves a rule's origin out of its id: rules of runs analysed in groups had their group written
 * into the id (`g2-a1-error-1`, `r…-g2-…`); it becomes the rule's `group` field.
 */
import { z } from 'zod'
import { AnalysisSchema, type Analysis } from '../../shared/analysis'
import type { Operation } from '../../shared/operations'
import { BatchSchema, RunSchema, TaskSchema, VariationSchema, type Run } from '../../shared/runs'
import { SkillSchema, SkillVersionSchema, type AnalystRule, type SkillVersion } from '../../shared/skills'
import { DOC_SCHEMA, type DocSpec, type SetAside } from './document'
import { isDocId } from './collection'
import {
  ArchiveSchema,
  PinSchema,
  SettingsSchema,
  analysisHead,
  batchHead,
  emptyIndex,
  operationHead,
  skillHead,
  type AnalysisDoc,
  type BatchDoc,
  type IndexData,
  type OperationDoc,
  type SessionsData,
  type SkillDoc
} from './schema'

export const LEGACY_FILE = 'store.json'
export const LEGACY_SCHEMA = 1

export const LEGACY_SPEC: DocSpec = {
  many: {
    pins: PinSchema,
    archives: ArchiveSchema,
    tasks: TaskSchema,
    variations: z.array(VariationSchema),
    batches: BatchSchema,
    runs: RunSchema,
    analyses: AnalysisSchema,
    skills: SkillSchema,
    skillVersions: SkillVersionSchema
  },
  list: { openedFolders: z.string() },
  opt: { settings: SettingsSchema }
}

export interface LegacyData {
  schema: 1
  pins: SessionsData['pins']
  archives: SessionsData['archives']
  openedFolders: string[]
  tasks: IndexData['tasks']
  variations: IndexData['variations']
  batches: Record<string, BatchDoc['batch']>
  runs: Record<string, Run>
  settings: IndexData['settings']
  analyses: Record<string, Analysis>
  skills: Record<string, SkillDoc['skill']>
  skillVersions: Record<string, SkillVersion>
}
export const emptyLegacy = (): LegacyData => ({
  schema: 1,
  pins: {},
  archives: {},
  openedFolders: [],
  tasks: {},
  variations: {},
  batches: {},
  runs: {},
  settings: {},
  analyses: {},
  skills: {},
  skillVersions: {}
})

export interface Migrated {
  index: IndexData
  sessions: SessionsData
  batches: BatchDoc[]
  analyses: AnalysisDoc[]
  skills: SkillDoc[]
  operations: OperationDoc[]
  /** what could not be carried over (an id that cannot be a file name, a run of no batch) */
  setAside: SetAside[]
}

/** The group a rule's id names (`g2-a1-error-1`, `r…-g2-…`), from before it was a field. */
export function legacyGroupOf(id: string): number | undefined {
  const m = /(?:^|-)g(\d+)-/.exec(id)
  return m ? Number(m[1]) : undefined
}

const withGroup = (r: AnalystRule): AnalystRule => {
  if (r.group !== undefined) return r
  const group = legacyGroupOf(r.id)
  return group === undefined ? r : { ...r, group }
}

/** A rule's origin as a field, for rules stored before it was one. */
export function migrateAnalysisRules(a: Analysis): Analysis {
  return {
    ...a,
    analysts: a.analysts.map((s) => ({
      ...s,
      rules: s.rules.map(withGroup),
      setAside: s.setAside.map((x) => ({ ...x, rule: withGroup(x.rule) }))
    }))
  }
}

export function splitLegacy(old: LegacyData, now = new Date().toISOString()): Migrated {
  const setAside: SetAside[] = []
  const index = emptyIndex()
  index.settings = old.settings
  index.openedFolders = old.openedFolders
  index.tasks = old.tasks
  index.variations = old.variations
  const sessions: SessionsData = { schema: DOC_SCHEMA, pins: old.pins, archives: old.archives }
  const operations: OperationDoc[] = []
  /** Work that was in flight when the old app stopped: an operation, so the start-up recovery ends it. */
  const inFlight = (kind: Operation['kind'], subject: string, params: Record<string, unknown>) => {
    const operation: Operation = { id: `migrated-${kind}-${subject}`, kind, subject, params, state: 'running', startedAt: now }
    const doc: OperationDoc = { schema: DOC_SCHEMA, operation }
    operations.push(doc)
    index.operations[operation.id] = operationHead(doc)
  }

  const used = new Set<string>()
  const batches: BatchDoc[] = []
  for (const [id, batch] of Object.entries(old.batches)) {
    if (!isDocId(id) || batch.id !== id) {
      setAside.push({ where: `batches.${id}`, reason: 'an id that cannot name a file', value: batch })
      continue
    }
    const runs: Record<string, Run> = {}
    for (const runId of batch.runIds) {
      const r = Object.hasOwn(old.runs, runId) ? old.runs[runId] : undefined
      if (r && !used.has(runId)) {
        runs[runId] = r
        used.add(runId)
      }
    }
    const doc: BatchDoc = { schema: DOC_SCHEMA, batch, runs }
    batches.push(doc)
    index.batches[id] = batchHead(doc)
    if (Object.values(runs).some((r) => r.state === 'running' || r.state === 'queued')) inFlight('batch', id, { batchId: id })
  }
  for (const [id, r] of Object.entries(old.runs))
    if (!used.has(id)) setAside.push({ where: `runs.${id}`, reason: 'a run of no batch', value: r })

  const analyses: AnalysisDoc[] = []
  for (const [id, a] of Object.entries(old.analyses)) {
    if (!isDocId(id) || a.id !== id) {
      setAside.push({ where: `analyses.${id}`, reason: 'an id that cannot name a file', value: a })
      continue
    }
    const doc: AnalysisDoc = { schema: DOC_SCHEMA, analysis: migrateAnalysisRules(a) }
    analyses.push(doc)
    index.analyses[id] = analysisHead(doc)
    if (a.state === 'analysing' || a.state === 'merging')
      inFlight('analysis', id, { analysisId: id, batchId: a.batchId, via: a.via, model: a.model, mergeModel: a.mergeModel })
  }

  const versionsOf = new Map<string, Record<string, SkillVersion>>()
  for (const [id, v] of Object.entries(old.skillVersions)) {
    if (!Object.hasOwn(old.skills, v.skillId)) {
      setAside.push({ where: `skillVersions.${id}`, reason: 'a version of no skill', value: v })
      continue
    }
    const m = versionsOf.get(v.skillId) ?? {}
    m[id] = v
    versionsOf.set(v.skillId, m)
  }
  const skills: SkillDoc[] = []
  for (const [id, skill] of Object.entries(old.skills)) {
    if (!isDocId(id) || skill.id !== id) {
      setAside.push({ where: `skills.${id}`, reason: 'an id that cannot name a file', value: { skill, versions: versionsOf.get(id) } })
      continue
    }
    const doc: SkillDoc = { schema: DOC_SCHEMA, skill, versions: versionsOf.get(id) ?? {} }
    skills.push(doc)
    index.skills[id] = skillHead(doc)
  }
  return { index, sessions, batches, analyses, skills, operations, setAside }
}

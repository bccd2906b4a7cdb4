/**
 * Small builders for the skills, rules, runs and batch views tests put behind a mocked `window.api`:
 * each makes the usual one (a landing-page skill with one core rule, a finished run of batch b1) and
 * takes what a test needs different.
 */
import type { BatchStatus, RequestOutput, SkillView } from '../../src/shared/contract'
import { emptyProgress, RunSettingsSchema, type Run } from '../../src/shared/runs'
import { renderEdgeCasesMd, renderReferenceFiles, renderSkillMd } from '../../src/shared/skill-md'
import type { Skill, SkillRule } from '../../src/shared/skills'
import type { Verification } from '../../src/shared/verify'

export type BatchView = RequestOutput<'getBatch'>

const AT = '2025-01-01T00:00:00.000Z'

/** A high-priority core rule from the error analyst, cited by runs 1 to 8. */
export const testRule = (over: Partial<SkillRule> = {}): SkillRule => ({
  id: 'c1',
  text: 'Run the build before finishing',
  evidence: [1, 2, 3, 4, 5, 6, 7, 8],
  priority: 'high',
  tier: 'core',
  sources: [],
  analysts: ['error'],
  reasons: [],
  pointers: [],
  guard: false,
  existing: false,
  pinnedTier: false,
  ...over
})

/** Skill s1 for landing pages, from batch b1, with `testRule()`. */
export const testSkill = (over: Partial<Skill> = {}): Skill => ({
  id: 's1',
  batchIds: ['b1'],
  frontMatter: { name: 'landing-pages', description: 'Build landing pages that work.' },
  title: 'Landing pages',
  whenToUse: 'When building a landing page.',
  rules: [testRule()],
  conflicts: [],
  setAside: [],
  createdAt: AT,
  updatedAt: AT,
  ...over
})

/** What getSkill answers for a skill: its texts rendered, one version made when the skill was. */
export const skillViewOf = (skill: Skill): SkillView => ({
  skill,
  skillMd: renderSkillMd(skill),
  edgeCasesMd: renderEdgeCasesMd(skill),
  references: renderReferenceFiles(skill),
  versions: [{ id: 'v1', number: 1, createdAt: skill.createdAt }],
  problems: []
})

/** Run n of batch b1, done, with its answer. */
export const testRun = (n: number, over: Partial<Run> = {}): Run => ({
  id: `r${n}`,
  batchId: 'b1',
  number: n,
  difficulty: 'normal',
  prompt: `Build a landing page (variation ${n}).`,
  repeat: 1,
  state: 'done',
  sessionId: `s${n}`,
  progress: emptyProgress(),
  result: `Made page ${n}.`,
  files: [],
  screenshots: [],
  imported: false,
  ...over
})

/** A batch's status: every count 0 but those given. */
export const batchStatus = (over: Partial<BatchStatus> & Pick<BatchStatus, 'batchId'>): BatchStatus => ({
  total: 0,
  queued: 0,
  running: 0,
  collecting: 0,
  done: 0,
  failed: 0,
  cancelled: 0,
  interrupted: 0,
  processes: 0,
  costUsd: 0,
  ...over
})

/** What getBatch answers for these runs: batch b1 "Landing page #1" (or as `over` says), settings and status left empty unless given. */
export const batchViewOf = (runs: Run[], over: Partial<BatchView['batch']> = {}, status = {} as BatchStatus): BatchView => ({
  batch: {
    id: 'b1',
    name: 'Landing page #1',
    createdAt: AT,
    settings: {} as BatchView['batch']['settings'],
    runIds: runs.map((r) => r.id),
    ...over
  },
  runs,
  status
})

/** What checkSandbox answers on Linux with every preset available. */
export const sandboxAvailable = (): RequestOutput<'checkSandbox'> => ({
  platform: 'linux',
  presets: { sandboxed: { available: true }, 'accept-edits': { available: true }, 'full-access': { available: true } },
  defaultPreset: 'sandboxed',
  summary: 'Sandboxed'
})

/**
 * A verification of version 1 of a skill against no skill, pasted variations, created: its batch and
 * arms are what a test gives (a run id to its arm); everything else the usual.
 */
export const testVerification = (
  over: Partial<Verification> & Pick<Verification, 'skillId' | 'batchId' | 'arms'> & { versionId?: string }
): Verification => {
  const { versionId = 'v1', ...rest } = over
  const at = new Date().toISOString()
  return {
    id: crypto.randomUUID(),
    skillName: 'landing-page',
    version: { id: versionId, number: 1 },
    against: null,
    source: 'pasted',
    heldOut: true,
    learnedFrom: [],
    repeats: 1,
    settings: RunSettingsSchema.parse({}),
    variations: [{ difficulty: 'normal', prompt: 'a landing page' }],
    phase: 'created',
    explanations: {},
    createdAt: at,
    updatedAt: at,
    ...rest
  }
}

/** A skill with one saved version, made straight in the store (no analysis), for the verify tests. */
import { randomUUID } from 'node:crypto'
import type { Service } from '../../src/main/app/service'
import type { Skill } from '../../src/shared/skills'
import { SKILL_NAME } from './verify-script'

const now = () => new Date().toISOString()

/** A skill record with one core rule, made straight for the store (no analysis). */
export function skillRecord(o: { name: string; description: string; taskId?: string; batchIds?: string[]; evidence: number[] }): Skill {
  return {
    id: randomUUID(),
    batchIds: o.batchIds ?? [],
    ...(o.taskId ? { taskId: o.taskId } : {}),
    frontMatter: { name: o.name, description: o.description },
    title: 'Landing page',
    whenToUse: 'When asked for a landing page.',
    rules: [
      {
        id: 'r1',
        text: 'Keep the page to three cards',
        evidence: o.evidence,
        priority: 'high',
        tier: 'core',
        sources: [],
        analysts: ['error'],
        reasons: [`runs ${o.evidence[0]}-${o.evidence[o.evidence.length - 1]}`],
        pointers: [],
        guard: false,
        existing: false,
        pinnedTier: false
      }
    ],
    conflicts: [],
    setAside: [],
    createdAt: now(),
    updatedAt: now()
  }
}

/** A skill with one saved version, named as the scripted runs expect. */
export async function plantSkill(service: Service, opts: { taskId?: string } = {}): Promise<{ skillId: string; versionId: string }> {
  const skill = skillRecord({
    name: SKILL_NAME,
    description: 'Use when building a landing page: a hero, three cards, one call to action.',
    taskId: opts.taskId,
    evidence: [1, 2, 3, 4, 5, 6, 7, 8]
  })
  await service.store.skills.put(skill)
  const view = await service.handlers.saveSkill({ skillId: skill.id, patch: { title: 'Landing pages' } })
  return { skillId: skill.id, versionId: (await service.store.skills.versions(skill.id))[view.versions.length - 1].id }
}

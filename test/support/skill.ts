/** A skill with one saved version, made straight in the store (no analysis), for the verify tests. */
import { randomUUID } from 'node:crypto'
import type { Service } from '../../src/main/app/service'
import type { Skill } from '../../src/shared/skills'
import { SKILL_NAME } from './verify-script'

const now = () => new Date().toISOString()

/** A skill with one saved version, named as the scripted runs expect. */
export async function plantSkill(service: Service, opts: { taskId?: string } = {}): Promise<{ skillId: string; versionId: string }> {
  const skill: Skill = {
    id: randomUUID(),
    batchIds: [],
    ...(opts.taskId ? { taskId: opts.taskId } : {}),
    frontMatter: { name: SKILL_NAME, description: 'Use when building a landing page: a hero, three cards, one call to action.' },
    title: 'Landing page',
    whenToUse: 'When asked for a landing page.',
    rules: [
      {
        id: 'r1',
        text: 'Keep the page to three cards',
        evidence: [1, 2, 3, 4, 5, 6, 7, 8],
        priority: 'high',
        tier: 'core',
        sources: [],
        analysts: ['error'],
        reasons: ['runs 1-8'],
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
  await service.store.skills.put(skill)
  const view = await service.handlers.saveSkill({ skillId: skill.id, patch: { title: 'Landing pages' } })
  return { skillId: skill.id, versionId: (await service.store.skills.versions(skill.id))[view.versions.length - 1].id }
}

/** A skill with one saved version of a chosen name and description, made straight in the store, for the triggers tests and benchmark. */
import { randomUUID } from 'node:crypto'
import type { Service } from '../../src/main/app/service'
import type { Skill } from '../../src/shared/skills'

const now = () => new Date().toISOString()

export async function plantTriggerSkill(
  service: Service,
  o: { name: string; description: string; taskId?: string; batchIds?: string[] }
): Promise<{ skillId: string; versionId: string }> {
  const skill: Skill = {
    id: randomUUID(),
    batchIds: o.batchIds ?? [],
    ...(o.taskId ? { taskId: o.taskId } : {}),
    frontMatter: { name: o.name, description: o.description },
    title: 'Landing pages',
    whenToUse: 'When asked for a landing page.',
    rules: [
      {
        id: 'r1',
        text: 'Keep the page to three cards',
        evidence: [1, 2, 3],
        priority: 'high',
        tier: 'core',
        sources: [],
        analysts: ['error'],
        reasons: ['runs 1-3'],
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
  await service.handlers.saveSkill({ skillId: skill.id, patch: { title: 'Landing pages, small businesses' } })
  const versions = await service.store.skills.versions(skill.id)
  return { skillId: skill.id, versionId: versions[versions.length - 1].id }
}

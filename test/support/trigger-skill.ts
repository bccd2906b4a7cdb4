/** A skill with one saved version of a chosen name and description, made straight in the store, for the triggers tests and benchmark. */
import type { Service } from '../../src/main/app/service'
import { skillRecord } from './skill'

export async function plantTriggerSkill(
  service: Service,
  o: { name: string; description: string; taskId?: string; batchIds?: string[] }
): Promise<{ skillId: string; versionId: string }> {
  const skill = skillRecord({ ...o, evidence: [1, 2, 3] })
  await service.store.skills.put(skill)
  await service.handlers.saveSkill({ skillId: skill.id, patch: { title: 'Landing pages, small businesses' } })
  const versions = await service.store.skills.versions(skill.id)
  return { skillId: skill.id, versionId: versions[versions.length - 1].id }
}

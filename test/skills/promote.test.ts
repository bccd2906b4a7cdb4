/**
 * Promoting a version (a candidate): its state becomes the current skill as a new version labelled
 * "promoted version N", every version before it kept; promoting what the skill already is saves
 * nothing and says as which version it is current; an unknown version is refused with nothing changed.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import type { SkillView } from '../../src/shared/contract'
import { plantSkill } from '../support/skill'

describe('promote a version', () => {
  let service: Service
  let skillId: string
  let candidates: SkillView['versions']

  beforeAll(async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 't2s-promote-data-'))
    service = await createService({ configDir: join(dataDir, 'claude'), dataDir, mode: 'web', version: 'test' })
    ;({ skillId } = await plantSkill(service))
    await service.handlers.saveSkill({ skillId, patch: { title: 'Candidate A' }, label: 'candidate 1 of 2 (seed 1, claude-sonnet-5-5)' })
    const view = await service.handlers.saveSkill({
      skillId,
      patch: { title: 'Candidate B' },
      label: 'candidate 2 of 2 (seed 2, claude-opus-5-5)'
    })
    candidates = view.versions.slice(1)
  })
  afterAll(async () => {
    await service?.dispose()
  })

  it('an older candidate becomes the skill, as a new version; nothing is lost', async () => {
    const [a, b] = candidates
    const promoted = await service.handlers.promoteSkillVersion({ versionId: a.id })
    expect(promoted.unchangedSince).toBeUndefined()
    expect(promoted.skill.title).toBe('Candidate A')
    expect(promoted.versions.map((v) => [v.number, v.label])).toEqual([
      [1, undefined],
      [2, 'candidate 1 of 2 (seed 1, claude-sonnet-5-5)'],
      [3, 'candidate 2 of 2 (seed 2, claude-opus-5-5)'],
      [4, 'promoted version 2']
    ])
    // the new version's files are the candidate's
    const [va, v4] = await Promise.all([a.id, promoted.versions[3].id].map((versionId) => service.handlers.getSkillVersion({ versionId })))
    expect(v4.skillMd).toBe(va.skillMd)
    expect(v4.skillMd).toContain('Candidate A')
    // the other candidate is still there
    expect((await service.handlers.getSkillVersion({ versionId: b.id })).skillMd).toContain('Candidate B')
    expect((await service.handlers.getSkill({ skillId })).skill.title).toBe('Candidate A')
  })

  it('promoting what the skill already is saves nothing and says it is current', async () => {
    const before = await service.handlers.getSkill({ skillId })
    const newest = before.versions[before.versions.length - 1]
    const again = await service.handlers.promoteSkillVersion({ versionId: newest.id })
    expect(again.unchangedSince).toBe(newest.number)
    // the candidate it was promoted from is what the skill is too
    const same = await service.handlers.promoteSkillVersion({ versionId: candidates[0].id })
    expect(same.unchangedSince).toBe(newest.number)
    expect((await service.handlers.getSkill({ skillId })).versions).toEqual(before.versions)
  })

  it('the other candidate can be promoted after it; an unknown version is refused', async () => {
    const promoted = await service.handlers.promoteSkillVersion({ versionId: candidates[1].id })
    expect(promoted.skill.title).toBe('Candidate B')
    expect(promoted.versions.map((v) => v.label).slice(-1)).toEqual(['promoted version 3'])
    await expect(service.handlers.promoteSkillVersion({ versionId: 'no-such-version' })).rejects.toMatchObject({
      code: 'not-found',
      message: 'no such version: no-such-version'
    })
    expect((await service.handlers.getSkill({ skillId })).versions).toHaveLength(promoted.versions.length)
  })
})

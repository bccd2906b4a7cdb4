/**
 * A verification graded by the grader alone, left grading by a stopped app: at the next start its
 * grading is marked interrupted (the grades made kept), not left "running" for good, and says a resume
 * grades the rest.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createService } from '../../src/main/app/service'
import { openStore } from '../../src/main/store/store'
import { RunSettingsSchema } from '../../src/shared/runs'
import type { Verification } from '../../src/shared/verify'

const at = new Date().toISOString()
const v: Verification = {
  id: 'ver-auto',
  skillId: 's1',
  skillName: 'landing-page',
  version: { id: 'v1', number: 1 },
  against: null,
  source: 'pasted',
  heldOut: true,
  learnedFrom: [],
  repeats: 1,
  settings: RunSettingsSchema.parse({ maxTurns: 10, permission: 'accept-edits' }),
  variations: [{ difficulty: 'normal', prompt: 'a page' }],
  arms: {},
  phase: 'created',
  explanations: {},
  grade: 'auto',
  autoGrade: { state: 'running', done: 1, total: 2, costUsd: 0.01, model: 'm', failed: [] },
  createdAt: at,
  updatedAt: at
}

describe('grading alone, stopped with the app', () => {
  it('is marked interrupted at the next start, its progress kept', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 't2s-auto-recover-'))
    const s = await openStore(dataDir)
    await s.verifications.put(v)
    await s.operations.add({ id: 'op-grade', kind: 'verify', subject: v.id, params: { step: 'grade' }, state: 'running', startedAt: at })
    await s.close()
    const service = await createService({
      configDir: await mkdtemp(join(tmpdir(), 't2s-auto-recover-c-')),
      dataDir,
      mode: 'web',
      version: 'test'
    })
    try {
      expect((await service.store.verifications.get(v.id))!.autoGrade).toEqual({
        ...v.autoGrade,
        state: 'interrupted',
        error: 'interrupted: the app stopped; resume grades the runs left'
      })
    } finally {
      await service.dispose()
    }
  })
})

/**
 * A verification's batch gets its skill installer when it starts, whoever starts it: a run retried from
 * the batch's page (the contract's `retryRuns`, not the verify service) still runs with its arm's skill
 * installed in a blind-named folder, and the skill is gone from the folder afterwards. A fake `claude`
 * notes what it finds in its folder: no model.
 */
import { randomUUID } from 'node:crypto'
import { chmod, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import { emptyProgress, RunSettingsSchema, type Batch, type Run } from '../../src/shared/runs'
import { plantSkill } from '../support/skill'
import { SKILL_NAME } from '../support/verify-script'
import { testVerification } from '../support/builders'

const now = () => new Date().toISOString()

describe("a verification's run retried from its batch's page", () => {
  let dir = ''
  let service: Service
  let fake = ''
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 't2s-vretry-'))
    fake = join(dir, 'noting-claude')
    await writeFile(fake, `#!/bin/sh\nls .claude/skills > seen.txt 2>&1\nexit 0\n`)
    await chmod(fake, 0o755)
    await mkdir(join(dir, 'claude'), { recursive: true })
    service = await createService({
      configDir: join(dir, 'claude'),
      dataDir: join(dir, 'data'),
      mode: 'web',
      version: 'test',
      env: { PATH: process.env.PATH }
    })
  })
  afterAll(async () => {
    await service?.dispose()
  })

  it('runs with its arm’s skill installed, in a blind folder, and the skill is taken out after', async () => {
    const skill = await plantSkill(service)
    const batchId = randomUUID()
    const runId = randomUUID()
    const settings = RunSettingsSchema.parse({ permission: 'accept-edits', claudePath: fake, allowedTools: ['Read'], timeoutMs: 60_000 })
    const v = testVerification({
      skillId: skill.skillId,
      versionId: skill.versionId,
      settings,
      batchId,
      arms: { [runId]: { arm: 'with', variation: 0, repeat: 1 } }
    })
    await service.store.verifications.put(v)
    const batch: Batch = { id: batchId, name: 'v', createdAt: now(), settings, runIds: [runId] }
    const run: Run = {
      id: runId,
      batchId,
      number: 1,
      prompt: 'a landing page',
      repeat: 1,
      state: 'failed',
      sessionId: randomUUID(),
      progress: emptyProgress(),
      files: [],
      screenshots: [],
      imported: false
    }
    await service.store.batches.add(batch, [run])

    await service.handlers.retryRuns({ batchId, runIds: [runId] })
    await service.operations.whenSettled('batch', batchId)
    const after = (await service.store.batches.run(runId))!.run!
    expect(after.workspace).toBeDefined()
    expect(basename(after.workspace!)).toMatch(/^blind-/)
    // the fake claude saw the skill in its folder; it is gone now, and not among the run's files
    expect((await readFile(join(after.workspace!, 'seen.txt'), 'utf8')).trim()).toBe(SKILL_NAME)
    expect(existsSync(join(after.workspace!, '.claude', 'skills', SKILL_NAME))).toBe(false)
    expect(after.files.map((f) => f.path)).toEqual(['seen.txt'])
  })
})

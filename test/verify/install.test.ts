/**
 * Security item 2(a) of issue 18: a task template is untrusted. A template holding `.claude ->
 * ../../../../../.claude` resolves, inside the data folder, to the user's own `~/.claude`: verify's
 * skill installer must never follow it (it used to delete the user's `~/.claude/skills/<name>/` and
 * write the generated skill there). The installer goes through no link on any segment; a template link
 * that points outside the template is refused when the task is saved and when a batch starts, naming
 * the link. Here "home" is a folder of the test's own, beside the data folder.
 */
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import { emptyProgress, type Batch, type Run } from '../../src/shared/runs'
import { plantSkill } from '../support/skill'
import { SKILL_NAME } from '../support/verify-script'
import { testVerification } from '../support/builders'

const now = () => new Date().toISOString()

describe("verify's skill installer and a template's links", () => {
  let dir = ''
  let dataDir = ''
  let home = ''
  let service: Service
  let skill: { skillId: string; versionId: string }
  const userFile = () => join(home, '.claude', 'skills', SKILL_NAME, 'mine.md')

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 't2s-install-'))
    dataDir = join(dir, 'data')
    home = join(dir, 'home')
    // the user's own skill of the same name, with a file of theirs in it
    await mkdir(join(home, '.claude', 'skills', SKILL_NAME), { recursive: true })
    await writeFile(userFile(), 'my own notes, not to be lost\n')
    await mkdir(join(dir, 'claude'), { recursive: true })
    service = await createService({ configDir: join(dir, 'claude'), dataDir, mode: 'web', version: 'test', env: {} })
    skill = await plantSkill(service)
  })
  afterAll(async () => {
    await service?.dispose()
  })

  /** A verification of the skill whose one run (with the skill) is `runId` of batch `batchId`, as makeBatch records it. */
  async function verificationWith(batchId: string, runId: string) {
    const v = testVerification({
      skillId: skill.skillId,
      versionId: skill.versionId,
      batchId,
      arms: { [runId]: { arm: 'with', variation: 0, repeat: 1 } }
    })
    await service.store.verifications.put(v)
    const batch: Batch = { id: batchId, name: 'v', createdAt: now(), settings: v.settings, runIds: [runId] }
    const run: Run = {
      id: runId,
      batchId,
      number: 1,
      prompt: 'a landing page',
      repeat: 1,
      state: 'queued',
      sessionId: randomUUID(),
      progress: emptyProgress(),
      files: [],
      screenshots: [],
      imported: false
    }
    return { batch, run }
  }

  for (const [what, link, at] of [
    ['.claude', join('..', '..', '..', '..', 'home', '.claude'), '.claude'],
    ['.claude/skills', join('..', '..', '..', '..', '..', 'home', '.claude', 'skills'), join('.claude', 'skills')]
  ] as const) {
    it(`never goes through a link the workspace holds at ${what}: the user's own skill folder is left as it was`, async () => {
      const batchId = randomUUID()
      const { batch, run } = await verificationWith(batchId, randomUUID())
      // the run's folder as a template with that link would leave it: <data>/workspaces/<batch>/<run>
      const workspace = join(dataDir, 'workspaces', batchId, 'run')
      await mkdir(join(workspace, at, '..'), { recursive: true })
      await symlink(link, join(workspace, at))
      expect(existsSync(userFile()), 'the link reaches the fake home').toBe(true)
      expect(existsSync(join(workspace, '.claude', 'skills', SKILL_NAME, 'mine.md')), 'the link reaches the fake home').toBe(true)

      await expect(service.verify.preparer(batch, run, workspace)).rejects.toThrow(/symbolic link/)
      // the user's file is still there, and nothing was written beside it
      expect(await readFile(userFile(), 'utf8')).toBe('my own notes, not to be lost\n')
      expect((await readdir(join(home, '.claude', 'skills', SKILL_NAME))).sort()).toEqual(['mine.md'])
    })
  }

  it('installs into a plain workspace, and what was installed is said by the verification (files and hashes)', async () => {
    const batchId = randomUUID()
    const { batch, run } = await verificationWith(batchId, randomUUID())
    const workspace = join(dataDir, 'workspaces', batchId, 'run')
    await mkdir(workspace, { recursive: true })
    const prepared = await service.verify.preparer(batch, run, workspace)
    const version = await service.handlers.getSkillVersion({ versionId: skill.versionId })
    expect(await readFile(join(workspace, '.claude', 'skills', SKILL_NAME, 'SKILL.md'), 'utf8')).toBe(version.skillMd)
    // and it is taken out again, with the folders it made
    await prepared!.cleanup!()
    expect(await readdir(workspace)).toEqual([])
  })

  /** A task whose template holds `.claude -> <outside>`, as the attack's template did. */
  async function linkedTemplate(name: string) {
    const template = join(dir, name)
    await mkdir(template, { recursive: true })
    await writeFile(join(template, 'README.md'), 'the template\n')
    return template
  }

  it('refuses a template with a link that points outside it when the task is saved, naming the link', async () => {
    const template = await linkedTemplate('template-saved')
    await symlink(join('..', '..', '..', '..', '..', '.claude'), join(template, '.claude'))
    const err = await service.handlers
      .saveTask({ name: 'Landing page', text: 'Build a landing page.', templateDir: template })
      .catch((e) => e)
    expect(err).toBeInstanceOf(Error)
    expect(err.code).toBe('invalid')
    expect(err.message).toContain('.claude -> ../../../../../.claude')
    expect(err.message).toMatch(/outside/)
    // an absolute link (into the template itself, or anywhere) is refused too: a run's copy would reach the original
    const abs = await linkedTemplate('template-absolute')
    await symlink(join(abs, 'README.md'), join(abs, 'readme-link'))
    await expect(service.handlers.saveTask({ name: 'Abs', text: 'x', templateDir: abs })).rejects.toThrow(/readme-link/)
    // a link inside the template is fine
    const inside = await linkedTemplate('template-inside')
    await mkdir(join(inside, 'docs'))
    await symlink(join('..', 'README.md'), join(inside, 'docs', 'readme.md'))
    await expect(service.handlers.saveTask({ name: 'Inside', text: 'x', templateDir: inside })).resolves.toMatchObject({ name: 'Inside' })
  })

  it('refuses to start a batch whose template got such a link after the task was saved, and runs nothing', async () => {
    const template = await linkedTemplate('template-later')
    const task = await service.handlers.saveTask({ name: 'Later', text: 'Build a landing page.', templateDir: template })
    await service.handlers.saveVariations({ taskId: task.id, variations: [{ difficulty: 'normal', prompt: 'a page' }] })
    const batch = await service.handlers.createBatch({
      taskId: task.id,
      settings: { claudePath: join(dir, 'no-such-claude'), permission: 'accept-edits' } as never
    })
    await symlink(join('..', 'home', '.claude'), join(template, '.claude'))
    await expect(service.handlers.startBatch({ batchId: batch.id })).rejects.toThrow(/\.claude -> \.\.\/home\/\.claude/)
    const got = await service.handlers.getBatch({ batchId: batch.id })
    expect(got.runs.map((r) => r.state)).toEqual(['queued'])
    expect(existsSync(join(dataDir, 'workspaces', batch.id))).toBe(false)
    expect(await readFile(userFile(), 'utf8')).toBe('my own notes, not to be lost\n')
  })
})

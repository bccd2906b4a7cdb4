/**
 * The best of several candidates in the browser, through the web mode (issue 22): three versions of a
 * skill (one the scripted agent does well with, one Claude Code never loads) are made candidates from
 * the skill's page on pasted variations; every run (each candidate and no skill) is graded blind in
 * the deck with the keyboard; the table shows the figures and suggests that version; Promote is
 * clicked on it.
 */
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { createService } from '../src/main/app/service'
import { candidatesScript, candidateVariations, plantCandidates } from '../test/support/candidates'
import { CLAUDE_BIN, claudeEnv } from '../test/support/claude-harness'
import { startModelServer } from '../test/support/model-server'
import { claudeWebEnv, expect, ROOT, startWeb, test } from './fixtures'
import { gradesOf, type Shown } from './learn'

test('make candidates from existing versions, grade blind, read the table, promote the suggested one', async ({ page }, info) => {
  test.setTimeout(400_000)
  const server = await startModelServer(candidatesScript())
  const dir = await mkdtemp(join(tmpdir(), 't2s-e2e-candidates-'))
  const config = join(dir, 'claude')
  const data = join(dir, 'data')
  await mkdir(config, { recursive: true })
  // three versions of one skill, planted straight in the store, learned from a batch run with accept-edits
  const service = await createService({
    configDir: config,
    dataDir: data,
    mode: 'web',
    version: 'test',
    env: claudeEnv(config, server.url)
  })
  const task = await service.handlers.saveTask({ name: 'Landing page', text: 'Build a landing page.' })
  await service.handlers.saveVariations({ taskId: task.id, variations: [{ difficulty: 'normal', prompt: 'a page' }] })
  const learned = await service.handlers.createBatch({
    taskId: task.id,
    settings: { concurrency: 3, maxTurns: 10, permission: 'accept-edits', claudePath: CLAUDE_BIN } as never
  })
  const { skillId } = await plantCandidates(service, { taskId: task.id })
  await service.store.skills.put({ ...(await service.store.skills.get(skillId))!, batchIds: [learned.id] })
  await service.dispose()
  const webEnv = claudeWebEnv(server.url, config, data)
  const web = await startWeb(webEnv)
  try {
    await page.goto(web.url)
    await page.getByRole('link', { name: 'Skills' }).click()
    await page.getByRole('link', { name: 'landing-page' }).first().click()
    await page.getByTestId('candidates-link').click()

    // the three versions, on six pasted variations, one run each per arm
    for (const n of [1, 2, 3]) await page.getByTestId(`pick-version-${n}`).check()
    await page.getByTestId('candidates-source').selectOption('pasted')
    await page.getByTestId('candidates-pasted').fill(
      candidateVariations(6)
        .map((v, i) => `${i + 1}. [normal] ${v.prompt}`)
        .join('\n')
    )
    await page.getByTestId('candidates-repeats').fill('1')
    await expect(page.getByTestId('estimate-runs')).toHaveText('24 runs: 6 variations × 1 repeat × 4 arms (3 candidates and no skill)')
    await expect(page.getByTestId('estimate-cap')).toHaveText('Cap: $25.00.')
    await page.getByTestId('make-candidates').click()

    await expect(page.getByTestId('candidates-page')).toBeVisible()
    await expect(page.getByTestId('verify-status')).toHaveAttribute('data-stage', 'grading', { timeout: 250_000 })
    await expect(page.getByTestId('verify-blind')).toContainText('The table comes once every run is graded (0 of 24 so far)')
    const verificationId = page.url().split('/candidates/')[1]

    // grade blind in the deck: the page each run made decides, as the person would
    await page.getByTestId('grade-blind').click()
    const deck = page.getByTestId('deck-run')
    await expect(deck).toBeVisible()
    // what each run made, as the CLI gives a blind verification's runs (their texts, not their folders)
    const shown = JSON.parse(
      (
        await promisify(execFile)(process.execPath, [join(ROOT, 'bin', 'trace2skill.mjs'), 'batch', verificationId, '--json'], {
          env: { ...process.env, ...webEnv }
        })
      ).stdout
    ) as { runs: Shown[] }
    expect(shown.runs).toHaveLength(24)
    const wanted = await gradesOf(shown.runs)
    for (let i = 0; i < 24; i++) {
      const n = Number(await deck.getAttribute('data-number'))
      await page.keyboard.press(wanted.get(n) === 'good' ? 'g' : 'b')
      await page.keyboard.press('Enter')
    }
    await expect(page.getByTestId('graded-count')).toHaveText('24 of 24 graded')
    await page.getByTestId('all-graded').click()

    // the table: version 2 passes every variation, the rest none; it is suggested, by the paired test
    const rows = page.getByTestId('candidate-row')
    await expect(rows).toHaveCount(4, { timeout: 20_000 })
    await expect(rows.nth(0)).toContainText('no skill')
    await expect(rows.nth(0).getByTestId('candidate-pass')).toHaveText('0% (0 of 6) · 95% CI 0–39%')
    await expect(rows.nth(2).getByTestId('candidate-pass')).toHaveText('100% (6 of 6) · 95% CI 61–100%')
    await expect(rows.nth(2).getByTestId('candidate-vs-none')).toHaveText('+100 percentage points · fixed 6, broke 0 · p = 0.031')
    await expect(rows.nth(3).getByTestId('candidate-trigger')).toHaveText('0 of 6 (0%)')
    await expect(rows.nth(2)).toHaveAttribute('data-suggested', 'true')
    await expect(page.getByTestId('candidates-why')).toHaveText(
      'Suggested: version 2. version 2 beats no skill (+100 points: fixed 6, broke 0, p = 0.031), and it is the only candidate that does.'
    )
    await expect(page.getByTestId('candidates-matrix')).toBeVisible()
    await page.screenshot({ path: info.outputPath('candidates-table.png'), fullPage: true })

    // promote it (promoteSkillVersion: the building part's request)
    await rows.nth(2).getByTestId('promote').click()
    await expect(page.getByTestId('promote-done')).toHaveText("Version 2 is now the skill's current version.")
    // the skill is now version 2's state, saved as a new version labelled so (nothing lost)
    const labels = await page.evaluate(async (id) => (await window.api.getSkill({ skillId: id })).versions.map((v) => v.label), skillId)
    expect(labels.at(-1)).toBe('promoted version 2')
  } finally {
    web.proc.kill()
    await server.close()
  }
})

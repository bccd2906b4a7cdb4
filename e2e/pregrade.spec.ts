/**
 * The grader as a person meets it, through `npm run web` with a scripted model (test/support/
 * grader-script.ts): on a batch they graded, build the rubric from their sentences, measure how far the
 * grader agrees with them, see the rubric on the task page with the batch it was measured on, then
 * pre-grade the rest of the deck and walk it: Enter confirms the grader's grade, f flips it; the one
 * the grader was unsure of is marked so, and "Accept the sure ones" offers the others.
 */
import { randomUUID } from 'node:crypto'
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RunSettingsSchema, type Run } from '../src/shared/runs'
import { graderScript } from '../test/support/grader-script'
import { startModelServer } from '../test/support/model-server'
import { expect, startWeb, test } from './fixtures'

// runs 1-5 and 11 made good pages, 6-10 and 12 bad ones; the person graded 1-10; the grader is wrong on run 2, unsure of run 12
const good = (n: number) => n <= 5 || n === 11
const N = 12

async function makeBatch(serverUrl: string) {
  const dir = await mkdtemp(join(tmpdir(), 't2s-e2e-pregrade-'))
  const data = join(dir, 'data')
  const taskId = randomUUID()
  const batchId = randomUUID()
  const now = new Date().toISOString()
  const runs: Run[] = Array.from({ length: N }, (_, i) => {
    const n = i + 1
    return {
      id: randomUUID(),
      batchId,
      number: n,
      difficulty: 'normal',
      prompt: `Build a landing page (variation ${n}).`,
      repeat: 1,
      state: 'done',
      sessionId: randomUUID(),
      startedAt: now,
      endedAt: now,
      exitCode: 0,
      progress: { turns: 3, toolCalls: 2, tokens: 1000, costUsd: 0.01, elapsedMs: 4000 },
      result: `Made the page of variation ${n}${good(n) ? ', one call to action' : ', no call to action'}.`,
      files: [],
      screenshots: [],
      imported: false,
      ...(n <= 10
        ? {
            feedback: { label: good(n) ? 'good' : 'bad', text: good(n) ? 'one clear call to action' : 'no call to action', updatedAt: now }
          }
        : {})
    } as Run
  })
  const store = {
    schema: 1,
    pins: {},
    archives: {},
    openedFolders: [],
    tasks: { [taskId]: { id: taskId, name: 'Landing page', text: 'Build a landing page.', createdAt: now, updatedAt: now } },
    variations: {},
    batches: {
      [batchId]: {
        id: batchId,
        taskId,
        name: 'Landing page #1',
        createdAt: now,
        settings: RunSettingsSchema.parse({}),
        runIds: runs.map((r) => r.id)
      }
    },
    runs: Object.fromEntries(runs.map((r) => [r.id, r])),
    settings: {},
    analyses: {},
    skills: {},
    skillVersions: {}
  }
  await mkdir(data, { recursive: true })
  await writeFile(join(data, 'store.json'), JSON.stringify(store, null, 2))
  const { url, proc } = await startWeb({
    CLAUDE_CONFIG_DIR: join(dir, 'claude'),
    TRACE2SKILL_DATA_DIR: data,
    ANTHROPIC_API_KEY: 'test-key',
    ANTHROPIC_BASE_URL: serverUrl
  })
  return { url, taskId, batchId, runs, stop: () => proc.kill('SIGTERM') }
}

test('build the rubric, see the agreement, review it on the task page, pre-grade the deck and confirm', async ({ page }, info) => {
  test.setTimeout(180_000)
  const server = await startModelServer(graderScript((n) => (good(n) ? 'good' : 'bad'), new Set([2]), new Set([12])))
  const m = await makeBatch(server.url)
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  const go = (hash: string) => page.evaluate((h) => (location.hash = h), hash)
  try {
    await page.goto(m.url)
    await go(`#/batch/${m.batchId}`)
    const panel = page.getByTestId('grader-panel')
    await panel.getByRole('button', { name: 'Build the rubric from 10 graded runs' }).click()
    await expect(panel.getByTestId('assertion')).toHaveText([/learned from runs 1,2,3,4,5,6,7,8,9,10/], { timeout: 30_000 })

    // how far to trust it: 9 of 10 (wrong on run 2); kappa (0.9 - 0.5) / (1 - 0.5)
    await panel.getByRole('button', { name: 'Measure the grader against your grades' }).click()
    await expect(panel.getByTestId('accuracy')).toHaveText('90%', { timeout: 60_000 })
    await expect(panel.getByTestId('kappa')).toHaveText('0.80')
    await expect(panel.getByTestId('confusion').getByRole('row')).toHaveText(['grader: goodgrader: bad', 'you: good41', 'you: bad05'])
    await expect(panel.getByTestId('disagreements')).toContainText('Run 2: you said good')
    await page.screenshot({ path: info.outputPath('agreement.png'), fullPage: true })

    // the rubric on the task page, where it is reviewed: an assertion added there, the batch it was measured on
    await go(`#/task/${m.taskId}`)
    const rubric = page.getByTestId('task-rubric')
    await expect(rubric.getByTestId('assertion')).toHaveCount(1)
    await expect(rubric.getByTestId('rubric-agreement')).toContainText("accuracy 90%, Cohen's kappa 0.80")
    await expect(rubric.getByTestId('rubric-agreement-batch')).toHaveText('Landing page #1')
    await rubric.getByRole('button', { name: 'Add an assertion' }).click()
    await rubric.getByLabel('Assertion').fill('At most one call-to-action button above the fold')
    await rubric.getByLabel('Assertion').press('Enter')
    await expect(rubric.getByTestId('assertion')).toHaveCount(2)
    await expect(rubric).toContainText('Version 2 of 2')
    await page.screenshot({ path: info.outputPath('task-rubric.png'), fullPage: true })

    // the deck: pre-grade the rest (runs 11 and 12), then walk it
    await rubric.getByTestId('rubric-agreement-batch').click()
    await go(`#/review/${m.batchId}/11`)
    await expect(page.getByTestId('deck-run')).toHaveAttribute('data-number', '11')
    await page.getByTestId('deck-pregrade').click()
    const mark = page.getByTestId('deck-pregrade-run').getByTestId('grader-mark')
    await expect(mark).toHaveText('grader: good — run 11 looks good', { timeout: 30_000 })
    await expect(mark).toHaveAttribute('data-pending', 'true')
    await expect(page.getByTestId('graded-count')).toHaveText('10 of 12 graded')
    // one sure pre-grade to accept at once, one unsure left to the person
    await expect(page.getByTestId('accept-sure')).toHaveText('Accept the sure ones (1)')
    await expect(page.getByTestId('deck-unsure-count')).toHaveText('1 unsure: yours to grade')
    await page.screenshot({ path: info.outputPath('deck-pregrade.png') })
    // Enter: confirmed, the person's now; on to run 12, which f flips (the grader said bad)
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('deck-run')).toHaveAttribute('data-number', '12')
    await expect(mark).toHaveText('grader: bad (unsure) — run 12 looks bad')
    await expect(page.getByTestId('deck-unsure')).toContainText('the screenshot of run 12 is cut above the fold')
    await expect(page.getByTestId('accept-sure')).toHaveCount(0)
    await page.screenshot({ path: info.outputPath('deck-unsure.png') })
    await page.keyboard.press('f')
    await page.keyboard.type('The call to action is there after all.')
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('graded-count')).toHaveText('12 of 12 graded')
    await expect(page.getByTestId('save-state')).not.toHaveText(/not saved/)
    await expect
      .poll(async () => {
        const view = await page.evaluate((batchId) => window.api.getBatch({ batchId }), m.batchId)
        return view.runs
          .filter((r) => r.number > 10)
          .sort((a, b) => a.number - b.number)
          .map((r) => [r.number, r.feedback?.label, r.feedback?.text, r.feedback?.by ?? 'person'])
      })
      .toEqual([
        [11, 'good', 'run 11 looks good', 'person'],
        [12, 'good', 'The call to action is there after all.', 'person']
      ])
    // nothing left to confirm
    await expect
      .poll(() => page.evaluate((batchId) => window.api.getPregrade({ batchId }), m.batchId).then((p) => Object.keys(p?.grades ?? {})))
      .toEqual([])
    expect(errors).toEqual([])
  } finally {
    m.stop()
    await server.close()
  }
})

/**
 * Step 2 in the browser: grade a batch with the keyboard only, edit a sentence and go back, reload
 * mid-sentence and find it there, filter the gallery, paste feedback with a bad line.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { CLAUDE_BIN, claudeEnv } from '../test/support/claude-harness'
import { startModelServer } from '../test/support/model-server'
import { prompt, scenarioScript } from '../test/support/scenarios'
import { expect, ROOT, startWeb, test } from './fixtures'

test('grade runs with the keyboard; nothing typed is lost', async ({ page }) => {
  test.setTimeout(180_000)
  const server = await startModelServer(scenarioScript())
  const dir = await mkdtemp(join(tmpdir(), 't2s-e2e-review-'))
  const config = join(dir, 'claude')
  const data = join(dir, 'data')
  await writeFile(join(dir, 'task.json'), JSON.stringify({ name: 'Landing page', text: 'Build a landing page.' }))
  const kinds = ['write-file', 'tool-errors', 'write-file', 'tool-errors', 'write-file']
  await writeFile(join(dir, 'variations.txt'), kinds.map((k, i) => `${i + 1}. [${i < 2 ? 'easy' : 'hard'}] ${prompt(k, `page ${i + 1}`)}`).join('\n'))
  const env = { ...process.env, ...claudeEnv(config, server.url), TRACE2SKILL_DATA_DIR: data, PATH: process.env.PATH }
  await promisify(execFile)(process.execPath, [join(ROOT, 'bin', 'trace2skill.mjs'), 'run', '--task', join(dir, 'task.json'), '--variations', join(dir, 'variations.txt'), '--concurrency', '3', '--claude', CLAUDE_BIN, '--json'], { env })
  await server.close()
  const { url, proc } = await startWeb({ CLAUDE_CONFIG_DIR: config, TRACE2SKILL_DATA_DIR: data })
  try {
    await page.goto(url)
    await page.getByTestId('nav-tasks').click()
    await page.getByText('Landing page #1').click()
    await page.getByTestId('open-review').click()
    const deck = page.getByTestId('deck-run')
    const count = page.getByTestId('graded-count')
    await expect(count).toHaveText('0 of 5 graded')
    await expect(deck).toHaveAttribute('data-number', '1')

    // g, a sentence, Enter: saved, and on to the next ungraded run
    const grades: [string, string][] = [
      ['g', 'clean hero, readable cards'],
      ['b', 'build broken, nothing to show'],
      ['g', 'nice layout'],
      ['b', 'no page at all'],
      ['g', 'good on mobile too']
    ]
    for (const [i, [key, sentence]] of grades.entries()) {
      await expect(deck).toHaveAttribute('data-number', String(i + 1))
      await page.keyboard.press(key)
      await expect(page.getByTestId('feedback-text')).toBeFocused()
      await page.keyboard.type(sentence)
      await page.keyboard.press('Enter')
      await expect(count).toHaveText(`${i + 1} of 5 graded`)
    }
    // all graded: the deck stays on the last run; back one with k, change its grade, edit the sentence
    await expect(deck).toHaveAttribute('data-number', '5')
    await page.keyboard.press('k')
    await expect(deck).toHaveAttribute('data-number', '4')
    await page.keyboard.press('g')
    await page.keyboard.press('End')
    await page.keyboard.type(' (on second look, fine)')
    await expect(page.getByTestId('save-state')).toHaveText('saved')
    // reload mid-sentence: it is all still there
    await page.keyboard.type(' half a sen')
    await expect(page.getByTestId('save-state')).toHaveText('saved')
    await page.reload()
    await expect(page.getByTestId('deck-run')).toHaveAttribute('data-number', '4')
    await expect(page.getByTestId('feedback-text')).toHaveValue('no page at all (on second look, fine) half a sen')

    // the gallery filters
    await page.getByRole('link', { name: 'Gallery' }).click()
    await expect(page.getByTestId('gallery-card')).toHaveCount(5)
    await page.getByTestId('filter-label').selectOption('bad')
    await expect(page.getByTestId('gallery-card')).toHaveCount(1)
    await page.getByTestId('filter-label').selectOption('good')
    await expect(page.getByTestId('gallery-card')).toHaveCount(4)

    // pasted feedback with a bad line: reported, nothing applied
    await page.getByRole('button', { name: 'Paste feedback' }).click()
    await page.getByTestId('feedback-import').fill('Run 1: bad - actually cluttered\nRun 9: good - no such run')
    await page.getByRole('button', { name: 'Apply' }).click()
    await expect(page.getByRole('alert')).toContainText('line 2: there is no Run 9 in this batch')
    await page.getByTestId('filter-label').selectOption('bad')
    await expect(page.getByTestId('gallery-card')).toHaveCount(1)
  } finally {
    proc.kill('SIGTERM')
  }
})

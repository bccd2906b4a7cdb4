/**
 * Step 2 in the browser: grade a batch of 20 real runs with the keyboard only, edit a sentence and go
 * back, reload mid-sentence and find it there, filter the gallery, paste feedback with a bad line,
 * see the signals, and compare a good run with a bad one.
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

test('grade 20 runs with the keyboard, then compare good with bad', async ({ page }, info) => {
  test.setTimeout(300_000)
  const server = await startModelServer(scenarioScript())
  const dir = await mkdtemp(join(tmpdir(), 't2s-e2e-review-'))
  const config = join(dir, 'claude')
  const data = join(dir, 'data')
  await writeFile(join(dir, 'task.json'), JSON.stringify({ name: 'Landing page', text: 'Build a landing page.' }))
  // 20 runs: clean pages (good), cluttered pages and failing builds (bad)
  const cycle = ['write-file', 'write-cluttered', 'tool-errors', 'write-file']
  const kinds = Array.from({ length: 20 }, (_, i) => cycle[i % cycle.length])
  await writeFile(
    join(dir, 'variations.txt'),
    kinds.map((k, i) => `${i + 1}. [${i < 10 ? 'easy' : 'hard'}] ${prompt(k, `page ${i + 1}`)}`).join('\n')
  )
  const env = { ...process.env, ...claudeEnv(config, server.url), TRACE2SKILL_DATA_DIR: data, PATH: process.env.PATH }
  await promisify(execFile)(
    process.execPath,
    [
      join(ROOT, 'bin', 'trace2skill.mjs'),
      'run',
      '--task',
      join(dir, 'task.json'),
      '--variations',
      join(dir, 'variations.txt'),
      '--concurrency',
      '3',
      '--claude',
      CLAUDE_BIN,
      '--json'
    ],
    { env }
  )
  await server.close()
  const { url, proc } = await startWeb({ CLAUDE_CONFIG_DIR: config, TRACE2SKILL_DATA_DIR: data })
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(`${e.message} ${e.stack?.split('\n').slice(0, 8).join(' | ')}`))
  try {
    await page.goto(url)
    await page.getByTestId('nav-tasks').click()
    await page.getByText('Landing page #1').click()
    await page.getByTestId('open-review').click()
    const deck = page.getByTestId('deck-run')
    const count = page.getByTestId('graded-count')
    await expect(count).toHaveText('0 of 20 graded')
    // blind mode hides which batch this is
    await expect(page.getByTestId('review-deck')).toContainText('Landing page #1')
    await page.getByTestId('blind').check()
    await expect(page.getByTestId('review-deck')).not.toContainText('Landing page #1')
    await expect(page.getByTestId('review-deck')).toContainText('Blind review')
    await page.getByTestId('blind').uncheck()
    await expect(deck).toHaveAttribute('data-number', '1')

    // g or b, a sentence, Enter: saved, and on to the next ungraded run
    const sentence = (k: string, n: number) =>
      k === 'write-file'
        ? `clean hero, readable cards (${n})`
        : k === 'write-cluttered'
          ? `too many cards, looks cluttered (${n})`
          : `build broken, nothing to show (${n})`
    for (const [i, kind] of kinds.entries()) {
      await expect(deck).toHaveAttribute('data-number', String(i + 1))
      await page.keyboard.press(kind === 'write-file' ? 'g' : 'b')
      await expect(page.getByTestId('feedback-text')).toBeFocused()
      await page.keyboard.type(sentence(kind, i + 1))
      await page.keyboard.press('Enter')
      await expect(count).toHaveText(`${i + 1} of 20 graded`)
    }
    // all graded: the deck stays on the last run; back two with k, change a grade, edit the sentence
    await expect(deck).toHaveAttribute('data-number', '20')
    await page.keyboard.press('k')
    await page.keyboard.press('k')
    await expect(deck).toHaveAttribute('data-number', '18')
    await expect(page.getByTestId('feedback-text')).toHaveValue(sentence('write-cluttered', 18))
    await page.keyboard.press('g')
    await page.keyboard.press('End')
    await page.keyboard.type(' (on second look, fine)')
    await expect(page.getByTestId('save-state')).toHaveText('saved')
    // reload mid-sentence: it is all still there
    await page.keyboard.type(' half a sen')
    await expect(page.getByTestId('save-state')).toHaveText('saved')
    await page.reload()
    await expect(page.getByTestId('deck-run')).toHaveAttribute('data-number', '18')
    await expect(page.getByTestId('feedback-text')).toHaveValue(`${sentence('write-cluttered', 18)} (on second look, fine) half a sen`)
    await expect(page.getByTestId('graded-count')).toHaveText('20 of 20 graded')
    // the run's own numbers, from its trace
    await expect(page.getByTestId('run-metrics')).toContainText('2 tool calls')
    // j forward, k back again: nothing changes by moving
    await page.keyboard.press('j')
    await expect(deck).toHaveAttribute('data-number', '19')
    await expect(page.getByTestId('run-metrics')).toContainText('3 tool errors (file-not-found, exit-code)')

    // the gallery filters: 10 clean pages + run 18 good, the other 9 bad
    await page.getByRole('link', { name: 'Gallery' }).click()
    await expect(page.getByTestId('gallery-card')).toHaveCount(20)
    await page.getByTestId('filter-label').selectOption('bad')
    await expect(page.getByTestId('gallery-card')).toHaveCount(9)
    await page.getByTestId('filter-label').selectOption('good')
    await expect(page.getByTestId('gallery-card')).toHaveCount(11)
    await page.getByLabel('Filter by difficulty').selectOption('hard')
    await expect(page.getByTestId('gallery-card')).toHaveCount(6)
    await page.getByLabel('Filter by difficulty').selectOption('all')

    // signals: only bad runs hit errors
    const signal = page.locator('[data-testid=signal][data-feature="file-not-found"]')
    await expect(signal).toContainText('5/9')
    await expect(signal).toContainText('0/11')

    // pasted feedback with a bad line: reported, nothing applied
    await page.getByRole('button', { name: 'Paste feedback' }).click()
    await page.getByTestId('feedback-import').fill('Run 1: bad - actually cluttered\nRun 99: good - no such run')
    await page.getByRole('button', { name: 'Apply' }).click()
    await expect(page.getByRole('alert')).toContainText('line 2: there is no Run 99 in this batch')
    await expect(page.getByTestId('gallery-card')).toHaveCount(11)

    // compare a good run (1) with a bad one (2), picked in the gallery
    await page.getByLabel('Pick run 1 to compare').check()
    await page.getByTestId('filter-label').selectOption('all')
    await page.getByLabel('Pick run 2 to compare').check()
    await page.getByTestId('compare-picked').click()
    await expect(page.getByTestId('compare')).toBeVisible()
    await expect(page.locator('[data-testid=side-by-side] img')).toHaveCount(2)
    // synchronised scroll (mobile pages are tall): scrolling one pane scrolls the other
    await page.getByRole('button', { name: 'Mobile', exact: true }).click()
    const panes = page.locator('[data-testid=side-by-side] .compare-pane')
    await panes.first().evaluate((el) => (el.scrollTop = 200))
    await expect.poll(() => panes.nth(1).evaluate((el) => el.scrollTop)).toBeGreaterThan(0)
    await page.getByRole('button', { name: 'Desktop', exact: true }).click()
    // metrics and aligned tool calls: run 2 started with a Bash call, run 1 read its page back; both wrote it
    await expect(page.getByTestId('compare-metrics')).toContainText('Tool calls')
    await expect(page.locator('[data-testid=aligned-tools] tr')).toHaveCount(3)
    await expect(page.locator('[data-testid=aligned-tools] tr')).toHaveText([/^—\s*1\. Bash$/, /^1\. Write\s*2\. Write$/, /^2\. Read\s*—$/])
    // the files, diffed: both wrote index.html, differently
    await expect(page.getByTestId('compare-files')).toContainText('index.html')
    await expect(page.locator('[data-testid=compare-files] .diff-view')).toContainText('Buy now!!!')
    await page.screenshot({ path: info.outputPath('compare-side-by-side.png'), fullPage: true })
    await info.attach('compare-side-by-side', { path: info.outputPath('compare-side-by-side.png'), contentType: 'image/png' })
    // overlay with a slider, and the pixel difference
    await page.getByTestId('view-overlay').click()
    await page.getByLabel('Overlay position').fill('30')
    await expect(page.locator('.overlay-top')).toHaveAttribute('style', /inset\(0(px)? 70%/)
    await page.getByTestId('view-difference').click()
    await expect(page.getByTestId('difference-stat')).toContainText(
      /changed regions? \(boxed\) · (under )?[\d.]+% of the pixels differ|No visible difference/
    )
    await page.screenshot({ path: info.outputPath('compare-difference.png'), fullPage: true })
    await info.attach('compare-difference', { path: info.outputPath('compare-difference.png'), contentType: 'image/png' })
    // the good group against the bad group
    await page.getByRole('link', { name: 'Good vs bad groups' }).click()
    await expect(page.getByTestId('compare-metrics')).toContainText('Good (11)')
    await expect(page.getByTestId('compare-metrics')).toContainText('Bad (9)')
    expect(pageErrors).toEqual([])
  } finally {
    if (pageErrors.length) console.error('page errors:', pageErrors)
    proc.kill('SIGTERM')
  }
})

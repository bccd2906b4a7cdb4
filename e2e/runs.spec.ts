/**
 * Step 1 in the browser: create a task, generate variations (scripted model through the real SDK),
 * start a batch of real `claude -p` runs, watch the progress bar, cancel one, see the screenshots.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { startModelServer } from '../test/support/model-server'
import { CLAUDE_BIN } from '../test/support/claude-harness'
import { prompt, scenarioScript } from '../test/support/scenarios'
import { expect, startWeb, test } from './fixtures'

test('create a task, generate variations, run them, cancel one, see screenshots', async ({ page }, info) => {
  test.setTimeout(180_000)
  const runs = scenarioScript()
  const server = await startModelServer((req) => {
    // The variation request (a forced tool call), then the claude runs' own requests.
    if (req.body?.tool_choice?.name === 'propose_variations') {
      return {
        toolUses: [
          {
            name: 'propose_variations',
            input: {
              variations: [
                { difficulty: 'easy', prompt: prompt('write-file', 'a landing page for a rocket company, single index.html') },
                { difficulty: 'normal', prompt: prompt('slow', 'a landing page that takes its time, with many steps') },
                { difficulty: 'hard', prompt: prompt('tool-errors', 'a landing page whose build is broken on purpose') }
              ]
            }
          }
        ]
      }
    }
    return runs(req)
  })
  const config = await mkdtemp(join(tmpdir(), 't2s-e2e-runs-claude-'))
  const data = await mkdtemp(join(tmpdir(), 't2s-e2e-runs-data-'))
  const { url, proc } = await startWeb({
    CLAUDE_CONFIG_DIR: config,
    TRACE2SKILL_DATA_DIR: data,
    ANTHROPIC_API_KEY: 'test-key',
    ANTHROPIC_BASE_URL: server.url,
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    PATH: `${dirname(CLAUDE_BIN)}:${process.env.PATH}`
  })
  try {
    await page.goto(url)
    await page.getByTestId('nav-tasks').click()
    await page.getByTestId('new-task-name').fill('Landing page')
    await page.getByTestId('new-task-text').fill('Build a landing page (index.html) for a small company.')
    await page.getByTestId('create-task').click()

    for (const [d, n] of [['easy', 1], ['normal', 1], ['hard', 1], ['adversarial', 0]] as const) await page.getByTestId(`mix-${d}`).fill(String(n))
    await page.getByTestId('generate-variations').click()
    await expect(page.getByTestId('variation-row')).toHaveCount(3)
    await expect(page.getByTestId('variation-row').first()).toHaveAttribute('data-difficulty', 'easy')

    await expect(page.getByTestId('preflight')).toContainText('Claude Code')
    await page.getByTestId('start-batch').click()
    const bar = page.getByTestId('batch-progress')
    await expect(bar).toBeVisible()
    await expect(page.getByTestId('run-row')).toHaveCount(3)
    // cancel the slow one while it runs
    const slow = page.locator('[data-testid=run-row][data-number="2"]')
    await expect(slow).toHaveAttribute('data-state', 'running', { timeout: 60_000 })
    await slow.getByTestId('cancel-run').click()
    await expect(slow).toHaveAttribute('data-state', 'cancelled', { timeout: 30_000 })
    await expect(bar).toHaveAttribute('data-finished', '3', { timeout: 90_000 })
    await expect(page.locator('[data-testid=run-row][data-number="1"]')).toHaveAttribute('data-state', 'done')
    const shots = page.locator('[data-testid=run-row][data-number="1"] [data-testid=screenshot] img')
    await expect(shots).toHaveCount(2)
    await expect(shots.first()).toHaveJSProperty('naturalWidth', 1280)
    await page.screenshot({ path: info.outputPath('batch.png') })
    await info.attach('batch', { path: info.outputPath('batch.png'), contentType: 'image/png' })
  } finally {
    proc.kill('SIGTERM')
    await server.close()
  }
})

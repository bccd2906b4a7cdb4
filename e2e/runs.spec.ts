/**
 * Step 1 in the browser: create a task, generate variations (scripted model through the real SDK),
 * start a batch of real `claude -p` runs (sandboxed, the default), watch the progress bar, cancel one,
 * see the screenshots.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { startModelServer } from '../test/support/model-server'
import { CLAUDE_BIN } from '../test/support/claude-harness'
import { prompt, scenarioScript } from '../test/support/scenarios'
import { expect, startWeb, startWebWithClaude, test } from './fixtures'

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
                { difficulty: 'hard', prompt: prompt('hostile-page', 'a landing page that tries to phone home') }
              ]
            }
          }
        ]
      }
    }
    return runs(req)
  })
  const { url, proc } = await startWebWithClaude(server.url, 'runs')
  try {
    await page.goto(url)
    await page.getByTestId('nav-tasks').click()
    await page.getByTestId('new-task-name').fill('Landing page')
    await page.getByTestId('new-task-text').fill('Build a landing page (index.html) for a small company.')
    await page.getByTestId('create-task').click()

    for (const [d, n] of [
      ['easy', 1],
      ['normal', 1],
      ['hard', 1],
      ['adversarial', 0]
    ] as const)
      await page.getByTestId(`mix-${d}`).fill(String(n))
    await page.getByTestId('generate-variations').click()
    await expect(page.getByTestId('variation-row')).toHaveCount(3)
    await expect(page.getByTestId('variation-row').first()).toHaveAttribute('data-difficulty', 'easy')

    await expect(page.getByTestId('preflight')).toContainText('Claude Code')
    // sandboxed by default where the sandbox works (bubblewrap and socat are installed here), and said so
    const presetLine = page.getByTestId('preset-line')
    await expect(presetLine).toBeVisible()
    await expect(presetLine).toContainText("Sandboxed: Bash and file edits write only inside each run's folder; network: none")
    await expect(presetLine).toContainText("Sandboxed by default: Claude Code's sandbox works here")
    await expect(page.getByTestId('preset-sandboxed')).toBeChecked()
    // an allowed host shows in the line; a bad one is named and blocks the start
    await page.getByTestId('allowed-domains').fill('https://example.com/')
    await expect(page.getByText('"https://example.com/" is not a host')).toBeVisible()
    await expect(page.getByTestId('start-batch')).toBeDisabled()
    await page.getByTestId('allowed-domains').fill('')
    await page.locator('.batch-settings').screenshot({ path: info.outputPath('batch-settings.png') })
    await page.getByTestId('start-batch').click()
    await expect(page.getByTestId('batch-preset')).toContainText('Permissions: Sandboxed')
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
    // the hostile page: cut at 16,384 px and said so; its ways out blocked and listed
    const hostile = page.locator('[data-testid=run-row][data-number="3"]')
    await expect(hostile).toHaveAttribute('data-state', 'done')
    await expect(hostile.getByTestId('shot-note').first()).toContainText(/page is 30,\d{3} px tall; the first 16,384 px are shown/)
    const blocked = hostile.getByTestId('shot-blocked').first()
    await expect(blocked).toContainText('attempts to reach the network blocked')
    await blocked.locator('summary').click()
    await expect(blocked).toContainText('webrtc stun:127.0.0.1:3478')
    await expect(blocked).toContainText('http://example.com/collect')
    await expect(hostile.locator('[data-testid=screenshot] img').first()).toHaveJSProperty('naturalHeight', 16384)
    await page.screenshot({ path: info.outputPath('batch.png') })
    await info.attach('batch', { path: info.outputPath('batch.png'), contentType: 'image/png' })
  } finally {
    proc.kill('SIGTERM')
    await server.close()
  }
})

test('where the sandbox cannot work, the default is Accept edits with the reason, and Sandboxed is refused', async ({ page }, info) => {
  test.setTimeout(60_000)
  const config = await mkdtemp(join(tmpdir(), 't2s-e2e-nosbx-claude-'))
  const data = await mkdtemp(join(tmpdir(), 't2s-e2e-nosbx-data-'))
  // a PATH with claude on it but neither bubblewrap nor socat
  const { url, proc } = await startWeb({
    CLAUDE_CONFIG_DIR: config,
    TRACE2SKILL_DATA_DIR: data,
    ANTHROPIC_API_KEY: 'test-key',
    PATH: dirname(CLAUDE_BIN)
  })
  try {
    await page.goto(url)
    await page.getByTestId('nav-tasks').click()
    await page.getByTestId('new-task-name').fill('No sandbox')
    await page.getByTestId('new-task-text').fill('Anything.')
    await page.getByTestId('create-task').click()
    await page.getByText('Paste a numbered list').click()
    await page.getByLabel('Numbered list').fill('1. [easy] Do one thing.')
    await page.getByText('Use these 1 (replaces the list)').click()
    await expect(page.getByTestId('variation-row')).toHaveCount(1)
    const presetLine = page.getByTestId('preset-line')
    await expect(presetLine).toContainText('Accept edits: no sandbox')
    await expect(presetLine).toContainText(
      'Accept edits by default, because the sandbox is not available: bubblewrap and socat are not installed: `sudo apt-get install bubblewrap socat`'
    )
    await expect(page.getByTestId('preset-accept-edits')).toBeChecked()
    // choosing Sandboxed anyway: refused, with the reason and an explicit way to Accept edits
    await page.getByTestId('preset-sandboxed').check()
    await expect(page.getByTestId('preset-unavailable')).toContainText(
      'Sandboxed is not available here: bubblewrap and socat are not installed'
    )
    await expect(page.getByTestId('start-batch')).toBeDisabled()
    await page.locator('.batch-settings').screenshot({ path: info.outputPath('no-sandbox.png') })
    await page.getByTestId('use-accept-edits').click()
    await expect(page.getByTestId('preset-accept-edits')).toBeChecked()
    await expect(presetLine).toContainText('Chosen by you.')
  } finally {
    proc.kill('SIGTERM')
  }
})

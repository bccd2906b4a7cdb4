/**
 * One truth for every number, in the browser: a small batch of real `claude -p` runs (one with a
 * sub-agent, one page writer, one cancelled mid-way); each run's turns and cost read on the batch
 * page, in the review deck, in the gallery, in the session browser and in the trace header are the
 * same strings; so is its duration on the batch page, in the deck, the gallery and compare (the run's
 * wall time), while the trace header names the span of its records "session time".
 */
import type { Page } from '@playwright/test'
import { startModelServer } from '../test/support/model-server'
import { prompt, scenarioScript } from '../test/support/scenarios'
import { expect, startWebWithClaude, test } from './fixtures'

const text = async (page: Page, selector: string) =>
  ((await page.locator(selector).first().textContent()) ?? '').replace(/\s+/g, ' ').trim()

test('a run shows the same turns and cost on the batch page, in the deck, the gallery, the session browser and the trace', async ({
  page
}, info) => {
  test.setTimeout(240_000)
  const server = await startModelServer(scenarioScript())
  const { url, proc } = await startWebWithClaude(server.url, 'numbers')
  try {
    await page.goto(url)
    await page.getByTestId('nav-tasks').click()
    await page.getByTestId('new-task-name').fill('Numbers')
    await page.getByTestId('new-task-text').fill('Build a landing page (index.html) for a small company.')
    await page.getByTestId('create-task').click()
    await page.getByText('Paste a numbered list').click()
    await page
      .getByLabel('Numbered list')
      .fill(
        [
          `1. [easy] ${prompt('subagent', 'survey first')}`,
          `2. [normal] ${prompt('write-file', 'one page')}`,
          `3. [hard] ${prompt('slow', 'many steps')}`
        ].join('\n')
      )
    await page.getByText('Use these 3 (replaces the list)').click()
    await expect(page.getByTestId('variation-row')).toHaveCount(3)
    await page.getByTestId('start-batch').click()
    const bar = page.getByTestId('batch-progress')
    await expect(page.getByTestId('run-row')).toHaveCount(3)
    // the slow one: while it runs, its tokens have a cost; then cancel it
    const slow = page.locator('[data-testid=run-row][data-number="3"]')
    await expect(slow).toHaveAttribute('data-state', 'running', { timeout: 90_000 })
    await expect(slow.getByTestId('run-turns')).not.toHaveText('0 turns', { timeout: 60_000 })
    await expect(slow.getByTestId('run-cost')).not.toHaveText('$0')
    await slow.getByTestId('cancel-run').click()
    await expect(slow).toHaveAttribute('data-state', 'cancelled', { timeout: 30_000 })
    await expect(bar).toHaveAttribute('data-finished', '3', { timeout: 120_000 })
    const batchId = decodeURIComponent(new URL(page.url()).hash.split('/')[2])
    await page.screenshot({ path: info.outputPath('batch.png') })

    for (const n of [1, 2, 3]) {
      const row = page.locator(`[data-testid=run-row][data-number="${n}"]`)
      const onBatch = {
        turns: await text(page, `[data-testid=run-row][data-number="${n}"] [data-testid=run-turns]`),
        cost: await text(page, `[data-testid=run-row][data-number="${n}"] [data-testid=run-cost]`)
      }
      const duration = await text(page, `[data-testid=run-row][data-number="${n}"] [data-testid=run-duration]`)
      expect(onBatch.cost, `run ${n}`).not.toBe('$0')
      await row.locator('.run-head').click()
      const href = (await row.getByText('Open the trace →').getAttribute('href'))!
      const [, projectId, , sessionId] = href
        .slice(href.indexOf('#/') + 2)
        .split('/')
        .map(decodeURIComponent)
      await row.locator('.run-head').click()

      await page.goto(`${url.split('#')[0]}#/review/${encodeURIComponent(batchId)}/${n}`)
      await expect(page.getByTestId('deck-run')).toHaveAttribute('data-number', String(n))
      await expect(page.getByTestId('metric-cost')).toBeVisible()
      const inDeck = { turns: await text(page, '[data-testid=metric-turns]'), cost: await text(page, '[data-testid=metric-cost]') }
      expect(await text(page, '[data-testid=metric-duration]'), `run ${n}: duration in the deck`).toBe(duration)
      if (n === 1) await page.screenshot({ path: info.outputPath('deck.png') })

      await page.goto(`${url.split('#')[0]}#/gallery/${encodeURIComponent(batchId)}`)
      const card = page.locator(`[data-testid=gallery-card][data-number="${n}"] [data-testid=card-numbers]`)
      await expect(card).toBeVisible()
      const [cardTurns, cardDuration, cardCost] = ((await card.textContent()) ?? '').split(' · ').map((x) => x.trim())
      expect(cardDuration, `run ${n}: duration in the gallery`).toBe(duration)

      await page.goto(`${url.split('#')[0]}#/compare/${encodeURIComponent(batchId)}/${n}/${n === 1 ? 2 : 1}`)
      const durationRow = page.getByTestId('compare-metrics').locator('tr', { has: page.locator('th', { hasText: /^Duration$/ }) })
      await expect(durationRow.locator('td').first()).toHaveText(duration)

      await page.goto(`${url.split('#')[0]}#/project/${encodeURIComponent(projectId)}`)
      const session = page.locator(`[data-testid=session-row][data-session-id="${sessionId}"]`)
      await expect(session).toBeVisible()
      const browserTurns = Number(await text(page, `[data-session-id="${sessionId}"] .col-turns`))
      const inBrowser = {
        turns: `${browserTurns} ${browserTurns === 1 ? 'turn' : 'turns'}`,
        cost: await text(page, `[data-session-id="${sessionId}"] .col-cost`)
      }
      if (n === 1) await page.screenshot({ path: info.outputPath('browser.png') })

      await page.goto(`${url.split('#')[0]}#/project/${encodeURIComponent(projectId)}/session/${encodeURIComponent(sessionId)}`)
      await expect(page.getByTestId('trace-cost')).toBeVisible()
      const inTrace = { turns: await text(page, '[data-testid=trace-turns]'), cost: await text(page, '[data-testid=trace-cost]') }
      // the span of the session's records: named for what it is, not a second "duration"
      await expect(page.getByTestId('trace-session-time')).toHaveText(/^\d+(m \d+)?s session time$/)

      expect(inDeck, `run ${n}: deck vs batch page`).toEqual(onBatch)
      expect({ turns: cardTurns, cost: cardCost }, `run ${n}: gallery vs batch page`).toEqual(onBatch)
      expect(inBrowser, `run ${n}: session browser vs batch page`).toEqual(onBatch)
      expect(inTrace, `run ${n}: trace header vs batch page`).toEqual(onBatch)
      // and each says whose figure its cost is, the same everywhere
      const source = await page.getByTestId('trace-cost').getAttribute('data-cost-source')
      expect(await page.getByTestId('trace-cost').getAttribute('title')).toContain(
        source === 'claude-code' ? "Claude Code's figure" : 'estimated from tokens'
      )

      await page.goto(`${url.split('#')[0]}#/batch/${encodeURIComponent(batchId)}`)
      await expect(page.getByTestId('run-row')).toHaveCount(3)
      expect(
        await page.locator(`[data-testid=run-row][data-number="${n}"] [data-testid=run-cost]`).getAttribute('data-cost-source'),
        `run ${n}: cost source`
      ).toBe(source)
    }
    // the sub-agent run: three turns of its own, its Agent call and the helper's Bash call
    await expect(page.locator('[data-testid=run-row][data-number="1"] [data-testid=run-turns]')).toHaveText('3 turns')
  } finally {
    proc.kill('SIGTERM')
    await server.close()
  }
})

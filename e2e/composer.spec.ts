/**
 * Steps 1, 3 and 4 in the browser, for what a person expects around the cost and the rules: the
 * batch estimate from earlier runs of the task, the cost estimate before Analyse, each analyst's
 * rules on the analysis page (live while it writes, then the accepted and the set-aside ones); and
 * the composer's saving (no empty versions, identical versions said so, times to the second),
 * deleted cards under Discarded and restorable, the guard tag of merged rules, and the exported
 * analysts pointing at the sessions folder really in use.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { analystScript, isAnalystRequest } from '../test/support/analyst-script'
import { startModelServer, type Reply } from '../test/support/model-server'
import { scenarioScript } from '../test/support/scenarios'
import { expect, LANDING_FEEDBACK, landingPagesBatch, test } from './fixtures'

const rule = (text: string, evidence: number[], reason = `runs ${evidence.join(', ')}`) => ({
  rule: text,
  evidence,
  priority: 'high' as const,
  reason,
  pointers: evidence.map((run) => ({ run, line: 5 }))
})
/** long reasons: each rule spans several streamed chunks, so the rules arrive one by one */
const slow = (text: string, evidence: number[]) =>
  rule(text, evidence, `${'The trace shows it plainly, step after step. '.repeat(8)}Runs ${evidence.join(', ')}.`)

const GUARD_WORDING = 'Before reading a path, verify it is inside the workspace'
const MERGED_WORDING = 'Keep every path you read inside the workspace'

test('estimates, rules where they are made, and a composer that saves only changes', async ({ page }, info) => {
  test.setTimeout(300_000)
  const runs = scenarioScript()
  const analysts = analystScript({
    error: {
      chunkDelayMs: 300,
      rules: [
        slow('Run the build before finishing', [2, 4, 6]),
        slow(GUARD_WORDING, [2, 4, 6]),
        slow('Write the page before styling it', [2, 4, 6])
      ]
    },
    success: {
      chunkDelayMs: 60,
      rules: [rule('Run the build before finishing.', [1, 3, 5]), rule('Cite a run that does not exist', [1, 99])]
    },
    // 2 of the 6 graded runs: an edge case (tiers scale with the graded runs: at 6, core 4+, guidance 3, edge cases 2)
    structure: { chunkDelayMs: 60, rules: [rule('Read back every file you write', [1, 3])] },
    edge: {
      chunkDelayMs: 60,
      rules: [rule(GUARD_WORDING, [2, 4]), rule('If the page has no title, add one', [3, 6]), rule('Use blue', [3])]
    }
  })
  // the merge model words the group of the error and edge rules about paths as a plain instruction
  const merge = async (req: Parameters<typeof analysts>[0]): Promise<Reply> => {
    const reply = await analysts(req)
    const input = reply.toolUses?.[0]?.input as { groups?: { wording: string }[] } | undefined
    for (const g of input?.groups ?? []) if (g.wording === GUARD_WORDING) g.wording = MERGED_WORDING
    return reply
  }
  const server = await startModelServer((req) =>
    req.body?.tool_choice?.name === 'merge_rules'
      ? merge(req)
      : isAnalystRequest(req.body) || req.body?.tool_choice?.name === 'check_support'
        ? analysts(req)
        : runs(req)
  )
  const { url, proc, config, project } = await landingPagesBatch(server.url, 'composer')
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  const shot = async (name: string) => {
    await page.screenshot({ path: info.outputPath(`${name}.png`), fullPage: true })
    await info.attach(name, { path: info.outputPath(`${name}.png`), contentType: 'image/png' })
  }
  try {
    await page.goto(url)

    // a new task with no runs yet: no estimate, and it says so (with the cap)
    await page.getByTestId('nav-tasks').click()
    await page.getByTestId('new-task-name').fill('Pricing page')
    await page.getByTestId('new-task-text').fill('Build a pricing page.')
    await page.getByTestId('create-task').click()
    await expect(page.getByTestId('batch-estimate')).toHaveText('No estimate yet: the first runs will tell. No spending cap.')
    await page.getByLabel('Spending cap per run ($)').fill('2')
    await expect(page.getByTestId('batch-estimate')).toHaveText(/^No estimate yet: the first runs will tell\. Cap: \$\d+\.\d\d in all\.$/)

    // the task that has run: the median of its finished runs, and what that is based on
    await page.getByTestId('nav-tasks').click()
    await page.getByTestId('task-row').filter({ hasText: 'Landing page' }).click()
    await expect(page.getByTestId('batch-estimate')).toHaveAttribute('data-basis', /history|other-models/)
    await expect(page.getByTestId('batch-estimate')).toContainText(
      /^About \$\d+\.\d\d for \d+ runs?: the median finished run of this task cost \$\d+\.\d\d \(\d+ runs?/
    )
    await shot('batch-estimate')

    // grade by pasting feedback
    await page.getByTestId('nav-tasks').click()
    await page.getByText('Landing page #1').click()
    await page.getByRole('link', { name: 'Gallery' }).click()
    await page.getByRole('button', { name: 'Paste feedback' }).click()
    await page.getByTestId('feedback-import').fill(LANDING_FEEDBACK)
    await page.getByRole('button', { name: 'Apply' }).click()
    await expect(page.getByText('Applied 6 grades.')).toBeVisible()
    await page.goBack()
    await page.getByTestId('open-analyze').click()

    // before Start: what it will cost, from the context the analysts will read, and for which model
    const estimate = page.getByTestId('analysis-estimate')
    await expect(estimate).toContainText(
      /^About \$\d+\.\d\d \([\d.]+k tokens of context, (?:[\d.]+k of them for \d+ screenshots?, )?model claude-sonnet-5-5; 3 rounds of looking closer expected, up to 6\)\. The first analyst writes the context to the prompt cache, the other three read it from there \(at claude-sonnet-5-5's cache prices\)/
    )
    const before = Number(await estimate.getAttribute('data-usd'))
    expect(before).toBeGreaterThan(0)
    expect(server.requests.filter((r) => isAnalystRequest(r.body) || r.body?.tool_choice?.name === 'merge_rules')).toHaveLength(0)
    // a dearer model costs more; an unknown one has no price, only tokens
    await page.getByLabel('Model', { exact: true }).fill('claude-opus-4-1')
    await expect(estimate).toContainText('model claude-opus-4-1')
    expect(Number(await estimate.getAttribute('data-usd'))).toBeGreaterThan(before)
    await page.getByLabel('Model', { exact: true }).fill('mystery-model')
    await expect(estimate).toContainText(
      /^No price estimate \([\d.]+k tokens of context, (?:[\d.]+k of them for \d+ screenshots?, )?model mystery-model; 3 rounds of looking closer expected, up to 6\)\. No price known for mystery-model/
    )
    await page.getByLabel('Model', { exact: true }).fill('claude-sonnet-5-5')
    await expect(estimate).toContainText('About $')
    await shot('analysis-estimate')

    // the analysts: each one's rules show on its line as it writes them, then the checked ones
    await page.getByTestId('start-analysis').click()
    const errorLine = page.locator('[data-testid=analyst-line][data-kind=error]')
    await expect(errorLine.getByTestId('analyst-rules')).toContainText(/Rules written so far \([12];/, { timeout: 30_000 })
    await expect(errorLine).toHaveAttribute('data-state', 'streaming')
    await errorLine.getByTestId('analyst-rules').locator('summary').click()
    await expect(errorLine.getByTestId('analyst-draft').first()).toHaveText(/^Run the build before finishing/)
    await expect(page.getByTestId('analysis')).toHaveAttribute('data-state', 'done', { timeout: 60_000 })
    await expect(errorLine.getByTestId('analyst-rules')).toContainText('Rules (3)')
    await expect(errorLine.getByTestId('analyst-rule')).toHaveCount(3)
    // the set-aside ones are there, with the reason
    const success = page.locator('[data-testid=analyst-line][data-kind=success]')
    await success.getByTestId('analyst-rules').locator('summary').click()
    await expect(success.getByTestId('analyst-rule')).toHaveText([/^Run the build before finishing\./])
    await expect(success.getByTestId('set-aside-rule')).toContainText('cites a run not in this analysis: 99')
    const edge = page.locator('[data-testid=analyst-line][data-kind=edge]')
    await edge.getByTestId('analyst-rules').locator('summary').click()
    await expect(edge.getByTestId('set-aside-rule')).toContainText(['Use blue'])
    await expect(edge.getByTestId('set-aside-rule')).toContainText('not a guard')
    // a badge opens the run
    await expect(edge.getByTestId('analyst-rule').first().locator('a.run-badge').first()).toHaveAttribute('href', /#\/review\/.+\/\d+$/)
    await shot('analyst-rules')

    // the composer
    await page.getByTestId('open-skill').click()
    await expect(page.getByTestId('skill')).toBeVisible()
    const byValue = async (text: string) => {
      const cards = page.getByTestId('rule-card')
      for (let i = 0; i < (await cards.count()); i++)
        if ((await cards.nth(i).getByTestId('rule-text').inputValue()) === text) return cards.nth(i)
      throw new Error(`no card "${text}"`)
    }
    // the merged rule from the error and edge analysts, worded as a plain instruction: no guard tag
    const merged = await byValue(MERGED_WORDING)
    await expect(merged.locator('.badge', { hasText: 'edge' })).toHaveCount(1)
    await expect(merged.locator('.badge', { hasText: 'guard' })).toHaveCount(0)
    // an edge rule worded as a guard keeps it
    await expect((await byValue('If the page has no title, add one')).locator('.badge', { hasText: 'guard' })).toHaveCount(1)

    // Ctrl+S with nothing changed: no version, and it says so
    const versions = page.getByTestId('versions')
    await expect(versions.locator('summary')).toContainText('Versions (1)')
    await page.keyboard.press('Control+s')
    await expect(page.getByTestId('save-info')).toHaveText('Nothing changed since version 1: no new version.')
    await expect(versions.locator('summary')).toContainText('Versions (1)')

    // delete a card: it goes under Discarded, marked removed; Undo brings it back; Restore too
    const readBack = await byValue('Read back every file you write')
    await expect(readBack).toHaveAttribute('data-tier', 'edge-case')
    await readBack.getByTestId('delete-rule').click()
    const discarded = page.getByTestId('tier-discarded')
    const removedCard = discarded.locator('[data-testid=rule-card][data-removed=true]')
    await expect(removedCard).toHaveCount(1)
    await expect(removedCard.getByTestId('rule-text')).toHaveValue('Read back every file you write')
    await expect(removedCard).toContainText('removed by you')
    await page.getByTestId('undo').click()
    await expect(removedCard).toHaveCount(0)
    expect(await (await byValue('Read back every file you write')).getAttribute('data-tier')).toBe('edge-case')
    await (await byValue('Read back every file you write')).getByTestId('delete-rule').click()
    await expect(removedCard).toHaveCount(1)
    // saved, it stays removed (a version), and a reload shows it under Discarded
    await page.getByTestId('save-skill').click()
    await expect(page.getByTestId('save-skill')).toHaveText('Saved')
    await expect(versions.locator('summary')).toContainText('Versions (2)')
    await page.reload()
    await expect(page.getByTestId('tier-discarded').locator('[data-testid=rule-card][data-removed=true]')).toHaveCount(1)
    await shot('removed-card')
    await page.getByTestId('tier-discarded').locator('[data-testid=rule-card][data-removed=true]').getByTestId('restore-rule').click()
    await expect(page.getByTestId('tier-discarded').locator('[data-testid=rule-card][data-removed=true]')).toHaveCount(0)
    expect(await (await byValue('Read back every file you write')).getAttribute('data-tier')).toBe('edge-case')
    await page.getByTestId('save-skill').click()
    await expect(versions.locator('summary')).toContainText('Versions (3)')

    // versions 1 and 3 are the same skill: the diff says identical; times are shown to the second
    await versions.locator('summary').click()
    const row = (n: number) => versions.locator('.version', { hasText: `Version ${n}` })
    await row(1).getByRole('checkbox').check()
    await row(3).getByRole('checkbox').check()
    await expect(page.getByTestId('version-diff')).toHaveText(
      'Version 1 and version 3 are identical (SKILL.md and references/edge-cases.md).'
    )
    await row(1).getByRole('checkbox').uncheck()
    await row(2).getByRole('checkbox').check()
    await expect(page.getByTestId('version-diff')).toHaveText('SKILL.md: identical in version 2 and version 3')
    // the edge cases file's diff: the line is an added one (drawn by the diff viewer, not a `+` in text)
    await expect(
      versions.locator('.diff-view').first().locator('.diff-code-insert', { hasText: '- Read back every file you write (runs 1, 3)' })
    ).toHaveCount(1)
    for (const t of await versions.getByTestId('version-time').allTextContents()) expect(t).toMatch(/\d{1,2}:\d{2}:\d{2}/)
    await shot('versions')

    // the exported analysts read the sessions where they really are ($CLAUDE_CONFIG_DIR here)
    await page.getByTestId('export-folder').fill(project)
    await page.getByTestId('export-preview').click()
    await page.getByTestId('export-write').click()
    await expect(page.getByTestId('export-result')).toContainText('Wrote')
    const agent = await readFile(join(project, '.claude/agents/edge-analyst.md'), 'utf8')
    expect(agent).toContain(`\`${config}/projects/\``)
    expect(agent).not.toContain('`~/.claude/projects/`')
    expect(pageErrors).toEqual([])
  } finally {
    proc.kill('SIGTERM')
    await server.close()
  }
})

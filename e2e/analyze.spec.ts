/**
 * Steps 3 and 4 in the browser: analyse a graded batch of real runs, watch the four analysts, edit a
 * rule, click an evidence badge and land on the run, export, and find the files on disk.
 */
import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { analystScript, isAnalystRequest } from '../test/support/analyst-script'
import { startModelServer } from '../test/support/model-server'
import { scenarioScript } from '../test/support/scenarios'
import { expect, LANDING_FEEDBACK, landingPagesBatch, test } from './fixtures'

const rule = (text: string, evidence: number[]) => ({
  rule: text,
  evidence,
  priority: 'high' as const,
  reason: `runs ${evidence.join(', ')}`,
  pointers: evidence.map((run) => ({ run, line: 5 }))
})

test('analyse a graded batch, edit a rule, follow a badge, export', async ({ page }, info) => {
  test.setTimeout(240_000)
  const runs = scenarioScript()
  const analysts = analystScript(
    {
      error: {
        chunkDelayMs: 150,
        rules: [rule('Check that the config file exists before reading it', [2, 4, 6]), rule('Run the build before finishing', [2, 4, 6])]
      },
      success: { chunkDelayMs: 100, rules: [rule('Run the build before finishing.', [1, 3, 5])] },
      structure: { chunkDelayMs: 100, rules: [rule('Read back every file you write', [1, 3, 5])] },
      edge: { chunkDelayMs: 100, rules: [rule('Before reading a path, verify it is inside the workspace', [2, 4])] }
    },
    { mergeDelayMs: 800 }
  )
  const server = await startModelServer((req) =>
    isAnalystRequest(req.body) || req.body?.tool_choice?.name === 'merge_rules' ? analysts(req) : runs(req)
  )
  const { url, proc, project } = await landingPagesBatch(server.url, 'analyze')
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  try {
    await page.goto(url)
    await page.getByTestId('nav-tasks').click()
    await page.getByText('Landing page #1').click()
    // grade by pasting feedback in the workflow's format
    await page.getByRole('link', { name: 'Gallery' }).click()
    await page.getByRole('button', { name: 'Paste feedback' }).click()
    await page.getByTestId('feedback-import').fill(LANDING_FEEDBACK)
    await page.getByRole('button', { name: 'Apply' }).click()
    await expect(page.getByText('Applied 6 grades.')).toBeVisible()

    // analyse: four progress lines, live
    await page.goBack()
    await page.getByTestId('open-analyze').click()
    await page.getByTestId('start-analysis').click()
    const lines = page.getByTestId('analyst-line')
    await expect(lines).toHaveCount(4)
    await expect(page.locator('[data-testid=analyst-line][data-state=streaming]').first()).toBeVisible()
    await expect(page.getByTestId('merge-line')).toHaveAttribute('data-state', 'running', { timeout: 30_000 })
    await expect(page.getByTestId('analysis')).toHaveAttribute('data-state', 'done', { timeout: 30_000 })
    for (const kind of ['error', 'success', 'structure', 'edge'])
      await expect(page.locator(`[data-testid=analyst-line][data-kind=${kind}]`)).toHaveAttribute('data-state', 'done')
    await page.screenshot({ path: info.outputPath('analysis.png'), fullPage: true })
    await info.attach('analysis', { path: info.outputPath('analysis.png'), contentType: 'image/png' })

    // the composer: "Run the build" merged from two analysts = 6 runs = guidance
    await page.getByTestId('open-skill').click()
    const guidance = page.getByTestId('tier-guidance')
    await expect(guidance.getByTestId('rule-text')).toHaveValue('Run the build before finishing')
    await expect(guidance.getByTestId('evidence-badge')).toHaveText(['1', '2', '3', '4', '5', '6'])
    // edit the rule; the preview follows; undo and redo; save as a version
    await guidance.getByTestId('rule-text').fill('Run the build and open the page before finishing')
    await expect(page.getByTestId('skill-preview').first()).toContainText('Run the build and open the page before finishing')
    await page.getByTestId('undo').click()
    await expect(guidance.getByTestId('rule-text')).toHaveValue('Run the build before finishing')
    await guidance.getByTestId('rule-text').fill('Run the build and open the page before finishing')
    // a bad name is flagged as you type
    await page.getByTestId('fm-name').fill('Landing Page')
    await expect(page.getByTestId('fm-problems')).toContainText('lowercase')
    await page.getByTestId('fm-name').fill('landing-page')
    await expect(page.getByTestId('fm-problems')).toHaveCount(0)
    await page.getByTestId('save-skill').click()
    await expect(page.getByTestId('save-skill')).toHaveText('Saved')
    await page.screenshot({ path: info.outputPath('composer.png'), fullPage: true })
    await info.attach('composer', { path: info.outputPath('composer.png'), contentType: 'image/png' })

    // export into a project folder: preview, then write, then the files are on disk
    await page.getByTestId('export-folder').fill(project)
    await page.getByTestId('export-preview').click()
    await expect(page.getByTestId('export-plan')).toContainText('.claude/skills/landing-page/SKILL.md')
    await page.getByTestId('export-write').click()
    await expect(page.getByTestId('export-result')).toContainText('Wrote 6 files')
    const skillMd = await readFile(join(project, '.claude/skills/landing-page/SKILL.md'), 'utf8')
    expect(skillMd).toMatch(/^---\nname: landing-page\n/)
    expect(skillMd).toContain('Run the build and open the page before finishing (runs 1, 2, 3, 4, 5, 6)')
    expect((await readdir(join(project, '.claude/agents'))).sort()).toEqual([
      'edge-analyst.md',
      'error-analyst.md',
      'structure-analyst.md',
      'success-analyst.md'
    ])
    expect(await readFile(join(project, '.claude/skills/landing-page/references/edge-cases.md'), 'utf8')).toContain('(runs 2, 4)')

    // a badge opens that run in the review deck, with the trace line the analyst pointed to
    await page.getByTestId('tier-edge-case').getByTestId('evidence-badge').first().click()
    await expect(page.getByTestId('deck-run')).toHaveAttribute('data-number', '2')
    await expect(page.getByTestId('feedback-text')).toHaveValue('no page at all')
    await expect(page.getByTestId('open-trace')).toContainText('line 5')
    expect(pageErrors).toEqual([])
  } finally {
    proc.kill('SIGTERM')
    await server.close()
  }
})

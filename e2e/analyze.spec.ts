/**
 * Steps 3 and 4 in the browser: analyse a graded batch of real runs, watch the four analysts (one
 * looks closer first), read what they read, edit a rule, click an evidence badge and land on the run
 * (at a trace line, at an output file), export, and find the files on disk.
 */
import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { count, fmtTokens, fmtWindow } from '../src/renderer/src/lib/format'
import { contextTokensOf, type Analysis } from '../src/shared/analysis'
import { analystScript, isAnalystRequest, kindOf } from '../test/support/analyst-script'
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
        // its answer, after it has looked closer (below), waits a little: its live line can be seen
        delayMs: 2500,
        rules: [rule('Check that the config file exists before reading it', [2, 4, 6]), rule('Run the build before finishing', [2, 4, 6])]
      },
      success: {
        chunkDelayMs: 100,
        // run 1: the analyst points to an output file, not a trace line
        rules: [
          {
            ...rule('Run the build before finishing.', [1, 3, 5]),
            pointers: [
              { run: 1, file: 'index.html' },
              { run: 3, line: 5 }
            ]
          }
        ]
      },
      structure: { chunkDelayMs: 100, rules: [rule('Read back every file you write', [1, 3, 5])] },
      edge: { chunkDelayMs: 100, rules: [rule('Before reading a path, verify it is inside the workspace', [2, 4])] }
    },
    { mergeDelayMs: 800 }
  )
  // the error analyst looks closer once (a range of run 2's trace, run 1's page) before it answers
  const lookCloser = (body: { messages?: unknown[] }) => kindOf(body) === 'error' && isAnalystRequest(body)
  const server = await startModelServer((req) =>
    lookCloser(req.body) && req.body.messages.length === 1
      ? {
          toolUses: [
            { name: 'read_trace', input: { run: 2, from_line: 1, to_line: 20 } },
            { name: 'read_output', input: { run: 1, path: 'index.html' } }
          ]
        }
      : isAnalystRequest(req.body) || req.body?.tool_choice?.name === 'merge_rules' || req.body?.tool_choice?.name === 'check_support'
        ? analysts(req)
        : runs(req)
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
    // the error analyst's live line: what it is looking at now, and the round
    const errorLine = page.locator('[data-testid=analyst-line][data-kind=error]')
    await expect(errorLine.getByTestId('analyst-looking')).toContainText('round 1 of 6', { timeout: 30_000 })
    await expect(errorLine.getByTestId('analyst-looking')).toContainText(/Looking at Run [12]'s/)
    await expect(page.getByTestId('merge-line')).toHaveAttribute('data-state', 'running', { timeout: 30_000 })
    await expect(page.getByTestId('analysis')).toHaveAttribute('data-state', 'done', { timeout: 30_000 })
    for (const kind of ['error', 'success', 'structure', 'edge'])
      await expect(page.locator(`[data-testid=analyst-line][data-kind=${kind}]`)).toHaveAttribute('data-state', 'done')
    // what the analysts read, in the analysis's own figures: six small runs fit whole
    const batchId = new URL(page.url()).hash.split('/')[2]
    const analysis = (await page.evaluate((id) => window.api.listAnalyses({ batchId: id }), batchId))[0] as Analysis
    const r = analysis.context.report!
    expect(r.cuts).toEqual([])
    const report = page.getByTestId('analysis').getByTestId('context-report')
    await expect(report).toContainText('What the analysts read')
    const use = report.getByTestId('report-use')
    await expect(use).toContainText(`${fmtTokens(contextTokensOf(r))} of ${fmtWindow(r.window)} tokens`)
    await expect(use).toContainText(
      `${fmtTokens(r.textTokens)} of text, ${fmtTokens(r.imageTokens)} of images (${count(r.images, 'screenshot')})`
    )
    await expect(use).toContainText(`${r.outputFiles} output file`)
    await expect(report.getByTestId('report-nothing-cut')).toHaveText(/^Nothing was cut/)
    // after it answered: what the error analyst looked at, collapsed
    const looks = errorLine.getByTestId('analyst-looks')
    await expect(looks.locator('summary')).toHaveText('Looked at (2) in 1 round of 6')
    await looks.locator('summary').click()
    await expect(looks.locator('li')).toHaveText(["Run 2's trace, lines 1-20", "Run 1's file index.html"])
    // each analyst's actual cost stays on its line
    await expect(page.getByTestId('analyst-cost')).toHaveCount(4)
    // the success analyst's badge for run 1 opens it at the file it pointed to
    const success = page.locator('[data-testid=analyst-line][data-kind=success]')
    await success.getByText(/^Rules \(1\)/).click()
    await expect(success.getByTestId('analyst-evidence').first()).toHaveAttribute('href', /#\/review\/[^/]+\/1\/file\/index\.html$/)
    await page.screenshot({ path: info.outputPath('analysis.png'), fullPage: true })
    await info.attach('analysis', { path: info.outputPath('analysis.png'), contentType: 'image/png' })

    // the composer: "Run the build" merged from two analysts = 6 runs = core (tiers scale with the 6
    // graded runs: core 4+, guidance 3, edge cases 2)
    await page.getByTestId('open-skill').click()
    const core = page.getByTestId('tier-core')
    await expect(core.getByTestId('rule-text')).toHaveValue('Run the build before finishing')
    await expect(core.getByTestId('evidence-badge')).toHaveText(['1', '2', '3', '4', '5', '6'])
    // edit the rule; the preview follows; undo and redo; save as a version
    await core.getByTestId('rule-text').fill('Run the build and open the page before finishing')
    await expect(page.getByTestId('skill-preview').first()).toContainText('Run the build and open the page before finishing')
    await page.getByTestId('undo').click()
    await expect(core.getByTestId('rule-text')).toHaveValue('Run the build before finishing')
    await core.getByTestId('rule-text').fill('Run the build and open the page before finishing')
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
    // and one that points to an output file opens the run with that file shown
    await page.goBack()
    await page.getByTestId('tier-core').getByTestId('evidence-badge').first().click()
    await expect(page.getByTestId('deck-run')).toHaveAttribute('data-number', '1')
    await expect(page.getByTestId('pointed-file')).toHaveAttribute('data-path', 'index.html')
    await expect(page.getByTestId('pointed-file')).toContainText('Acme Rockets')
    expect(pageErrors).toEqual([])
  } finally {
    proc.kill('SIGTERM')
    await server.close()
  }
})

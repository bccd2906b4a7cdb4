/**
 * Step 5 in the browser, through the web mode: a skill learned headless (run, grade, analyze with the
 * built CLI) is verified from its page on pasted variations; the runs of both arms are graded blind in
 * the deck with the keyboard (nothing there tells the arms apart); the report shows the figures; a
 * fixed pair opens side by side; the pairs are explained; and deepening from the verification makes the
 * next version.
 */
import { startModelServer } from '../test/support/model-server'
import { skilledPrompt, verifyScript } from '../test/support/verify-script'
import { expect, startWeb, test } from './fixtures'
import { gradesOf, learnSkill, rule, type Shown } from './learn'

test('verify a skill, grade blind, read the report, open a fixed pair, explain, deepen', async ({ page }, info) => {
  test.setTimeout(300_000)
  const server = await startModelServer(
    verifyScript({
      analysts: {
        error: { rules: [rule('Keep the page to three cards', [1, 2])] },
        success: { rules: [rule('Use a calm header', [1, 3])] }
      },
      explain: (body) => {
        const line = Number(/\[L(\d+)\] Write/.exec(JSON.stringify(body.messages))?.[1] ?? 0)
        return [{ rule_id: 'R1', verdict: 'followed', why: 'It wrote three calm cards.', lines: [line] }]
      }
    })
  )
  // learn a skill headless: three runs without it, graded from their pages, analysed
  const { cli, webEnv } = await learnSkill(server.url, 'verify')
  const web = await startWeb(webEnv)
  try {
    await page.goto(web.url)
    await page.getByRole('link', { name: 'Skills' }).click()
    await page.getByRole('link', { name: 'landing-page' }).first().click()
    await page.getByTestId('verify-link').click()

    // set it up: pasted variations (two the skill fixes, one it breaks), one run per arm each
    await page.getByTestId('source-pasted').check()
    await page
      .getByTestId('verify-paste')
      .fill(
        [skilledPrompt('fixed', 'a dentist'), skilledPrompt('fixed', 'a florist'), skilledPrompt('trap', 'a night club')]
          .map((p, i) => `${i + 1}. [${i === 2 ? 'adversarial' : 'normal'}] ${p}`)
          .join('\n')
      )
    await page.getByTestId('verify-repeats').fill('1')
    await expect(page.getByTestId('estimate-runs')).toContainText('6 runs: 3 variations × 1 repeat × 2 arms')
    await expect(page.getByTestId('estimate-cost')).toContainText(/^About \$/)
    await page.getByTestId('start-verification').click()

    // the runs, then grading blind
    await expect(page.getByTestId('verify-status')).toHaveAttribute('data-stage', 'grading', { timeout: 150_000 })
    const verificationId = page.url().split('/verification/')[1]
    // blind until the last grade: no report, and it says so
    await expect(page.getByTestId('verify-blind')).toContainText('The report comes once every run is graded (0 of 6 so far)')
    await expect(page.getByTestId('verify-report')).toHaveCount(0)
    await page.screenshot({ path: info.outputPath('verification-blind.png'), fullPage: true })
    const blind = JSON.parse(await cli(['batch', verificationId, '--json'])) as { runs: Shown[] }
    expect(blind.runs.every((r) => !r.workspace)).toBe(true)
    const wanted = await gradesOf(blind.runs)
    await page.getByTestId('grade-blind').click()
    const deck = page.getByTestId('deck-run')
    await expect(deck).toBeVisible()
    // nothing in the deck says which run had the skill
    await expect(page.getByTestId('blind')).toHaveCount(0)
    await expect(page.getByTestId('run-metrics')).toHaveCount(0)
    await expect(page.getByTestId('open-trace')).toHaveCount(0)
    await expect(page.getByText('Blind review')).toBeVisible()
    for (let i = 0; i < 6; i++) {
      const n = Number(await deck.getAttribute('data-number'))
      await page.keyboard.press(wanted.get(n) === 'good' ? 'g' : 'b')
      await page.keyboard.type(wanted.get(n) === 'good' ? 'clean' : 'cluttered')
      await page.keyboard.press('Enter')
    }
    await expect(page.getByTestId('graded-count')).toHaveText('6 of 6 graded')
    await page.getByTestId('all-graded').click()

    // the report: with the skill 2 of 3, without 1 of 3; two fixed, one broken
    await expect(page.getByTestId('verify-report')).toHaveAttribute('data-complete', 'true', { timeout: 20_000 })
    const arms = page.getByTestId('verify-arms')
    await expect(arms).toContainText('67% (2 of 3)')
    await expect(arms).toContainText('33% (1 of 3)')
    await expect(page.getByTestId('pair-counts')).toContainText(/Fixed by the skill: 2 · broken by it: 1/)
    await page.screenshot({ path: info.outputPath('verification-report.png'), fullPage: true })

    // a fixed pair, side by side
    const fixed = page.getByTestId('pair').first()
    await fixed.getByTestId('pair-compare').click()
    await expect(page.getByTestId('compare-head-a')).toBeVisible()
    await expect(page.getByTestId('compare-head-b')).toBeVisible()
    await page.goBack()

    // why: the rules the with-skill runs followed, with evidence
    await page.getByTestId('explain').click()
    await expect(page.getByTestId('explain-progress')).toContainText('3 explained', { timeout: 30_000 })
    await expect(page.getByTestId('verdict').first()).toContainText('It wrote three calm cards.')

    // the next version
    await page.getByTestId('deepen').click()
    await expect(page).toHaveURL(/#\/analyze\//)
    // the same skill, one version more, learned from the verification's runs
    const versions = async () => (JSON.parse(await cli(['skills', '--json'])) as { versions: number }[]).map((s) => s.versions)
    await expect.poll(versions, { timeout: 60_000 }).toEqual([2])
  } finally {
    web.proc.kill('SIGTERM')
    await server.close()
  }
})

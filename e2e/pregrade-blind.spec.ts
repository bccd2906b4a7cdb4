/**
 * A verification's blind deck pre-graded and confirmed, through `npm run web` with a scripted model: a
 * skill learned headless (run, grade, rubric, analyze with the built CLI), the task's rubric built from
 * that graded batch; a verification from the skill's page; once its runs have finished, the blind deck
 * offers "Pre-grade the rest", the grader grades every run (told nothing of its arm), the person confirms
 * each with Enter and flips one with f, and then the verification has its report, graded by the person.
 */
import { textOf, toolOf } from '../test/support/grader-script'
import { startModelServer, type Script } from '../test/support/model-server'
import { skilledPrompt, verifyScript } from '../test/support/verify-script'
import { expect, startWeb, test } from './fixtures'
import { gradesOf, learnSkill, rule, type Shown } from './learn'

/** The runs and the analysts (verifyScript), the rubric writer, and a grader that grades a page as the person would; every grader request kept. */
function script() {
  const runs = verifyScript({
    analysts: { error: { rules: [rule('Keep the page to three cards', [1, 2])] }, success: { rules: [rule('Use a calm header', [1, 3])] } }
  })
  const graded: string[] = []
  const s: Script = (req) => {
    const tool = toolOf(req.body)
    if (tool === 'write_rubric') {
      const from = [...textOf(req.body).matchAll(/Run (\d+): (good|bad)/g)].map((m) => Number(m[1]))
      return {
        toolUses: [{ name: 'write_rubric', input: { assertions: [{ text: 'No grid of loud deal cards', runs: from, from: 'bad' }] } }]
      }
    }
    if (tool !== 'grade_output') return runs(req)
    const text = textOf(req.body)
    graded.push(JSON.stringify(req.body))
    const keys = [...text.matchAll(/^\[(A\d+)\] /gm)].map((m) => m[1])
    const label = text.includes('Deal 1') ? 'bad' : 'good'
    return {
      toolUses: [
        {
          name: 'grade_output',
          input: {
            verdicts: keys.map((k) => ({
              assertion_id: k,
              verdict: label === 'good' ? 'pass' : 'fail',
              evidence: 'the cards on the page'
            })),
            label,
            reason: label === 'good' ? 'three clean cards' : 'a grid of loud deal cards'
          }
        }
      ]
    }
  }
  return { script: s, graded }
}

test('pre-grade a blind deck and confirm it', async ({ page }, info) => {
  test.setTimeout(300_000)
  const model = script()
  const server = await startModelServer(model.script)
  // learn a skill headless: three runs without it, graded from their pages; the task's rubric from them; analysed
  const { cli, webEnv } = await learnSkill(server.url, 'pregrade-blind', { rubric: true })
  const web = await startWeb(webEnv)
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  try {
    await page.goto(web.url)
    await page.getByRole('link', { name: 'Skills' }).click()
    await page.getByRole('link', { name: 'landing-page' }).first().click()
    await page.getByTestId('verify-link').click()
    // two variations the skill fixes, one run per arm each: four runs, graded by the person
    await page.getByTestId('source-pasted').check()
    await page
      .getByTestId('verify-paste')
      .fill([skilledPrompt('fixed', 'a dentist'), skilledPrompt('fixed', 'a florist')].map((p, i) => `${i + 1}. [normal] ${p}`).join('\n'))
    await page.getByTestId('verify-repeats').fill('1')
    await expect(page.getByTestId('estimate-runs')).toContainText('4 runs: 2 variations × 1 repeat × 2 arms')
    // the task has a rubric: the grader could grade it alone; the person grades it (the default), helped by the grader
    await expect(page.getByTestId('grade-auto')).toBeEnabled()
    await expect(page.getByTestId('grade-auto-rubric')).toContainText('Rubric version 1, 1 assertion')
    await expect(page.getByTestId('grade-person')).toBeChecked()
    await page.screenshot({ path: info.outputPath('setup.png'), fullPage: true })
    await page.getByTestId('start-verification').click()
    await expect(page.getByTestId('verify-status')).toHaveAttribute('data-stage', 'grading', { timeout: 150_000 })
    const verificationId = page.url().split('/verification/')[1]
    const blind = JSON.parse(await cli(['batch', verificationId, '--json'])) as { runs: Shown[] }
    const byPage = await gradesOf(blind.runs)
    expect([...byPage.values()].sort()).toEqual(['bad', 'bad', 'good', 'good'])

    // the blind deck: pre-grade the rest, with the task's rubric
    await page.getByTestId('grade-blind').click()
    const deck = page.getByTestId('deck-run')
    await expect(deck).toBeVisible()
    await expect(page.getByTestId('open-trace')).toHaveCount(0)
    await page.getByTestId('deck-pregrade').click()
    const mark = page.getByTestId('deck-pregrade-run').getByTestId('grader-mark')
    await expect(mark).toHaveAttribute('data-pending', 'true', { timeout: 30_000 })
    await expect(page.getByTestId('graded-count')).toHaveText('0 of 4 graded')
    await page.screenshot({ path: info.outputPath('blind-deck-pregrade.png') })
    // the grader was told what the person sees, nothing of the arm (the first mark shows while it still grades the rest)
    await expect.poll(() => model.graded.length, { timeout: 30_000 }).toBe(4)
    for (const body of model.graded) expect(body).not.toMatch(/with the skill|without the skill|landing-page\/SKILL\.md|"arm"/i)

    // walk it: Enter confirms, f flips the second; every run is the person's once they are through
    const wanted = new Map<number, string>()
    for (let i = 0; i < 4; i++) {
      const n = Number(await deck.getAttribute('data-number'))
      const said = byPage.get(n)!
      await expect(mark).toHaveText(said === 'good' ? 'grader: good — three clean cards' : 'grader: bad — a grid of loud deal cards')
      if (i === 1) {
        await page.keyboard.press('f')
        await page.keyboard.type('I see it the other way.')
        await page.keyboard.press('Enter')
        wanted.set(n, said === 'good' ? 'bad' : 'good')
      } else {
        await page.keyboard.press('Enter')
        wanted.set(n, said)
      }
      if (i < 3) await expect(deck).not.toHaveAttribute('data-number', String(n))
    }
    await expect(page.getByTestId('graded-count')).toHaveText('4 of 4 graded')
    await expect(page.getByTestId('save-state')).not.toHaveText(/not saved/)
    await page.getByTestId('all-graded').click()

    // the report: not blind any more, graded by the person (no grader headline), with their grades
    await expect(page.getByTestId('verify-report')).toHaveAttribute('data-complete', 'true', { timeout: 20_000 })
    await expect(page.getByTestId('verify-blind')).toHaveCount(0)
    await expect(page.getByTestId('grader-headline')).toHaveCount(0)
    await page.screenshot({ path: info.outputPath('report.png'), fullPage: true })
    const view = await page.evaluate((id) => window.api.getVerification({ verificationId: id }), verificationId)
    const after = await page.evaluate((batchId) => window.api.getBatch({ batchId }), view.verification.batchId!)
    expect(after.runs.map((r) => [r.number, r.feedback?.label, r.feedback?.by ?? 'person']).sort()).toEqual(
      [...wanted].map(([n, l]) => [n, l, 'person']).sort()
    )
    expect(errors).toEqual([])
  } finally {
    web.proc.kill('SIGTERM')
    await server.close()
  }
})

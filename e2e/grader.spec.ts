/**
 * Step 2 as a person who grades by eye sees it, on a small batch made in a second: the sessions
 * global-setup generated with the real `claude` are copied into run folders of a batch written to a
 * fresh store (no claude run here). Each test checks one thing the walkthrough found missing: the save
 * state of the run on screen, a failed run's reason, undo, the call to analyse, the keys help, how
 * values and placeholders look, the run folders in the project list, the session table's headers.
 */
import { randomUUID } from 'node:crypto'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { mkdtemp } from 'node:fs/promises'
import type { Page, TestInfo } from '@playwright/test'
import { RunSettingsSchema, type Run } from '../src/shared/runs'
import { expect, generated, startWeb, test, type Generated } from './fixtures'

const REASON = 'hit the turn limit (40 turns)'

interface Made {
  url: string
  batchId: string
  data: string
  runs: Run[]
  stop: () => void
}

/** Where global-setup left a session's file (and its sub-agents' folder). */
async function sessionFile(gen: Generated, sessionId: string): Promise<{ dir: string; file: string }> {
  const root = join(gen.configDir, 'projects')
  for (const d of await readdir(root)) {
    if ((await readdir(join(root, d))).includes(`${sessionId}.jsonl`))
      return { dir: join(root, d), file: join(root, d, `${sessionId}.jsonl`) }
  }
  throw new Error(`no session file for ${sessionId}`)
}

/** Copy a session under a new id into the folder Claude Code keeps for `cwd`, as if it had run there. */
async function copySession(
  gen: Generated,
  from: { sessionId: string; cwd: string },
  config: string,
  sessionId: string,
  cwd: string
): Promise<string> {
  const src = await sessionFile(gen, from.sessionId)
  const projectId = cwd.replace(/[^a-zA-Z0-9]/g, '-')
  const dest = join(config, 'projects', projectId)
  const rewrite = (text: string) => text.split(from.sessionId).join(sessionId).split(from.cwd).join(cwd)
  await mkdir(dest, { recursive: true })
  await writeFile(join(dest, `${sessionId}.jsonl`), rewrite(await readFile(src.file, 'utf8')))
  const subs = join(src.dir, from.sessionId, 'subagents')
  const names = await readdir(subs).catch(() => [] as string[])
  if (names.length) {
    await mkdir(join(dest, sessionId, 'subagents'), { recursive: true })
    for (const n of names) await writeFile(join(dest, sessionId, 'subagents', n), rewrite(await readFile(join(subs, n), 'utf8')))
  }
  return projectId
}

/**
 * A batch "Landing page #1" of the task "Landing page", with `n` finished runs in trace2skill's own
 * run folders (data/workspaces/<batch>/run-N-<session>); run 3 failed on the turn limit.
 */
async function makeBatch(n = 5): Promise<Made> {
  const gen = await generated()
  const dir = await mkdtemp(join(tmpdir(), 't2s-e2e-grader-'))
  const config = join(dir, 'claude')
  const data = join(dir, 'data')
  const taskId = randomUUID()
  const batchId = randomUUID()
  const now = new Date().toISOString()
  const good = gen.sessions.find((s) => s.scenario === 'write-file')!
  const bad = gen.sessions.find((s) => s.scenario === 'tool-errors')!
  const runs: Run[] = []
  for (let i = 1; i <= n; i++) {
    const sessionId = randomUUID()
    const workspace = join(data, 'workspaces', batchId, `run-${i}-${sessionId.slice(0, 8)}`)
    await mkdir(workspace, { recursive: true })
    const projectId = await copySession(gen, i % 2 ? good : bad, config, sessionId, workspace)
    runs.push({
      id: randomUUID(),
      batchId,
      number: i,
      difficulty: i <= 2 ? 'easy' : 'hard',
      prompt: `Build a landing page (variation ${i}).`,
      repeat: 1,
      state: i === 3 ? 'failed' : 'done',
      reason: i === 3 ? REASON : undefined,
      workspace,
      sessionId,
      projectId,
      startedAt: now,
      endedAt: now,
      exitCode: i === 3 ? 1 : 0,
      progress: { turns: 3, toolCalls: 2, tokens: 1000, costUsd: 0.01, elapsedMs: 4000 },
      result: `Made the page of variation ${i}.`,
      files: [],
      screenshots: [],
      imported: false
    })
  }
  const store = {
    schema: 1,
    pins: {},
    archives: {},
    openedFolders: [],
    tasks: { [taskId]: { id: taskId, name: 'Landing page', text: 'Build a landing page.', createdAt: now, updatedAt: now } },
    variations: {},
    batches: {
      [batchId]: {
        id: batchId,
        taskId,
        name: 'Landing page #1',
        createdAt: now,
        settings: RunSettingsSchema.parse({}),
        runIds: runs.map((r) => r.id)
      }
    },
    runs: Object.fromEntries(runs.map((r) => [r.id, r])),
    settings: {},
    analyses: {},
    skills: {},
    skillVersions: {}
  }
  await mkdir(data, { recursive: true })
  await writeFile(join(data, 'store.json'), JSON.stringify(store, null, 2))
  const { url, proc } = await startWeb({ CLAUDE_CONFIG_DIR: config, TRACE2SKILL_DATA_DIR: data })
  return { url, batchId, data, runs, stop: () => proc.kill('SIGTERM') }
}

/** A screenshot kept in test-results/ and attached to the report. */
async function keep(page: Page, info: TestInfo, name: string) {
  await page.screenshot({ path: info.outputPath(`${name}.png`) })
  await info.attach(name, { path: info.outputPath(`${name}.png`), contentType: 'image/png' })
}

/** Fails the test on any uncaught error in the page. */
function watchErrors(page: Page): string[] {
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  return errors
}

const openDeck = async (page: Page, m: Made, run?: number) => {
  await page.goto(m.url)
  await page.evaluate(([b, n]) => (location.hash = `#/review/${encodeURIComponent(b)}${n ? `/${n}` : ''}`), [m.batchId, run ?? 0] as const)
  await expect(page.getByTestId('review-deck')).toBeVisible()
}

test("the save state is the shown run's: Enter moves on to a run with nothing saved", async ({ page }) => {
  const m = await makeBatch(3)
  const errors = watchErrors(page)
  try {
    await openDeck(page, m)
    const deck = page.getByTestId('deck-run')
    const saveState = page.getByTestId('save-state')
    await expect(deck).toHaveAttribute('data-number', '1')
    await expect(saveState).toHaveText('')
    // grade run 1: saved; Enter shows run 2, still ungraded: nothing saved there
    await page.keyboard.press('g')
    await page.keyboard.type('clean page')
    await expect(saveState).toHaveText('saved')
    await page.keyboard.press('Enter')
    await expect(deck).toHaveAttribute('data-number', '2')
    await expect(page.getByTestId('graded-count')).toHaveText('1 of 3 graded')
    await expect(saveState).not.toHaveText('saved')
    await expect(saveState).toHaveText('')
    // back on run 1, its own state again; forward, run 2's
    await page.keyboard.press('k')
    await expect(deck).toHaveAttribute('data-number', '1')
    await expect(saveState).toHaveText('saved')
    await page.keyboard.press('j')
    await expect(saveState).toHaveText('')
    expect(errors).toEqual([])
  } finally {
    m.stop()
  }
})

test('Ctrl+Z undoes the last grade or sentence change (saved), Ctrl+Shift+Z redoes; not inside the sentence', async ({ page }) => {
  const m = await makeBatch(3)
  const errors = watchErrors(page)
  try {
    await openDeck(page, m)
    const deck = page.getByTestId('deck-run')
    const saveState = page.getByTestId('save-state')
    const count = page.getByTestId('graded-count')
    const text = page.getByTestId('feedback-text')
    await page.keyboard.press('g')
    await page.keyboard.type('clean page')
    await page.keyboard.press('Enter')
    await page.keyboard.press('b')
    await page.keyboard.type('broken build')
    await page.keyboard.press('Enter')
    await expect(count).toHaveText('2 of 3 graded')
    await expect(deck).toHaveAttribute('data-number', '3')
    // undo: the run changed last comes back on screen as it was (ungraded, no sentence), saved
    await page.keyboard.press('Control+z')
    await expect(deck).toHaveAttribute('data-number', '2')
    await expect(count).toHaveText('1 of 3 graded')
    await expect(text).toHaveValue('')
    await expect(page.getByTestId('grade-bad')).not.toHaveClass(/\bon\b/)
    await expect(saveState).toHaveText('saved')
    await page.keyboard.press('Control+z')
    await expect(deck).toHaveAttribute('data-number', '1')
    await expect(count).toHaveText('0 of 3 graded')
    await expect(text).toHaveValue('')
    await expect(saveState).toHaveText('saved')
    // redo, twice: both grades back
    await page.keyboard.press('Control+Shift+z')
    await expect(deck).toHaveAttribute('data-number', '1')
    await expect(text).toHaveValue('clean page')
    await expect(page.getByTestId('grade-good')).toHaveClass(/\bon\b/)
    await page.keyboard.press('Control+Shift+z')
    await expect(deck).toHaveAttribute('data-number', '2')
    await expect(text).toHaveValue('broken build')
    await expect(count).toHaveText('2 of 3 graded')
    // what undo did is stored: after a reload, run 1 is graded again and run 2 is too
    await page.keyboard.press('Control+z')
    await expect(count).toHaveText('1 of 3 graded')
    await expect(saveState).toHaveText('saved')
    await page.reload()
    await expect(page.getByTestId('deck-run')).toHaveAttribute('data-number', '2')
    await expect(count).toHaveText('1 of 3 graded')
    await expect(text).toHaveValue('')
    // a grade changed on a graded run: undo gives back the old label and the old sentence at once
    await page.keyboard.press('k')
    await expect(deck).toHaveAttribute('data-number', '1')
    await page.keyboard.press('b')
    await page.keyboard.press('End')
    await page.keyboard.type(', but the footer is broken')
    await page.keyboard.press('Escape')
    await expect(page.getByTestId('grade-bad')).toHaveClass(/\bon\b/)
    await page.keyboard.press('Control+z')
    await expect(page.getByTestId('grade-good')).toHaveClass(/\bon\b/)
    await expect(text).toHaveValue('clean page')
    await expect(saveState).toHaveText('saved')
    // inside the sentence, Ctrl+Z is the field's own text undo, never a grade undo
    await text.focus()
    await page.keyboard.press('End')
    await page.keyboard.type(' x')
    await page.keyboard.press('Control+z')
    await expect(page.getByTestId('grade-good')).toHaveClass(/\bon\b/)
    await expect(count).toHaveText('1 of 3 graded')
    await expect(text).toBeFocused()
    expect(errors).toEqual([])
  } finally {
    m.stop()
  }
})

test('after the last grade, the deck offers the analysis, focused: Enter opens it', async ({ page }, info) => {
  const m = await makeBatch(3)
  const errors = watchErrors(page)
  try {
    await openDeck(page, m)
    const cta = page.getByTestId('all-graded')
    for (let i = 1; i <= 3; i++) {
      await expect(cta).toHaveCount(0)
      await page.keyboard.press(i % 2 ? 'g' : 'b')
      await page.keyboard.type(`sentence ${i}`)
      await page.keyboard.press('Enter')
    }
    await expect(page.getByTestId('graded-count')).toHaveText('3 of 3 graded')
    await expect(cta).toBeVisible()
    await expect(cta).toHaveText('All 3 graded. Analyse →')
    await expect(cta).toBeFocused()
    await keep(page, info, 'deck-all-graded')
    await page.keyboard.press('Enter')
    await expect(page).toHaveURL(new RegExp(`#/analyze/${m.batchId}`))
    // back in the deck it is still offered, and the deck's keys still work around it
    await page.goBack()
    await expect(cta).toBeVisible()
    await page.keyboard.press('k')
    await expect(page.getByTestId('deck-run')).toHaveAttribute('data-number', '2')
    expect(errors).toEqual([])
  } finally {
    m.stop()
  }
})

test('a failed run says why: in the deck, the gallery and compare', async ({ page }) => {
  const m = await makeBatch(4)
  const errors = watchErrors(page)
  try {
    await openDeck(page, m, 3)
    await expect(page.getByTestId('deck-run')).toHaveAttribute('data-number', '3')
    await expect(page.getByTestId('deck-run').getByTestId('run-reason')).toHaveText(REASON)
    await page.keyboard.press('j')
    await expect(page.getByTestId('deck-run')).toHaveAttribute('data-number', '4')
    await expect(page.getByTestId('run-reason')).toHaveCount(0)
    await page.evaluate((b) => (location.hash = `#/gallery/${encodeURIComponent(b)}`), m.batchId)
    await expect(page.getByTestId('gallery-card')).toHaveCount(4)
    await expect(page.locator('[data-testid=gallery-card][data-number="3"]')).toContainText(REASON)
    await expect(page.locator('[data-testid=gallery-card][data-number="1"] [data-testid=run-reason]')).toHaveCount(0)
    await page.evaluate((b) => (location.hash = `#/compare/${encodeURIComponent(b)}/1/3`), m.batchId)
    await expect(page.getByTestId('compare')).toBeVisible()
    await expect(page.getByTestId('compare-head-b')).toContainText('failed')
    await expect(page.getByTestId('compare-head-b')).toContainText(REASON)
    await expect(page.getByTestId('compare-head-a')).not.toContainText('failed')
    expect(errors).toEqual([])
  } finally {
    m.stop()
  }
})

test('the keys help: a backdrop, a close button, Esc, and focus in and back (deck and app)', async ({ page }, info) => {
  const m = await makeBatch(2)
  const errors = watchErrors(page)
  try {
    await openDeck(page, m)
    const dialog = page.getByRole('dialog', { name: 'Review keys' })
    // opened from the keyboard: focus goes into it; Esc closes it and focus comes back
    await page.getByTestId('blind').focus()
    await page.keyboard.press('?')
    await expect(dialog).toBeVisible()
    await expect(dialog.getByRole('button', { name: 'Close' })).toBeFocused()
    await keep(page, info, 'deck-help')
    const backdrop = page.getByTestId('help-backdrop')
    await expect(backdrop).toBeVisible()
    expect(await backdrop.evaluate((el) => getComputedStyle(el).backgroundColor)).not.toMatch(/^rgba\(0, 0, 0, 0\)$|transparent/)
    // the help lists undo
    await expect(dialog).toContainText('Ctrl+Z')
    await expect(dialog).toContainText('Ctrl+Shift+Z')
    // Tab stays inside
    await page.keyboard.press('Tab')
    await expect(dialog.locator(':focus')).toHaveCount(1)
    await page.keyboard.press('Escape')
    await expect(dialog).toHaveCount(0)
    await expect(page.getByTestId('blind')).toBeFocused()
    // the close button closes it, and so does a click on the backdrop (not on the help itself)
    await page.getByRole('button', { name: '? Keys' }).click()
    await expect(dialog).toBeVisible()
    await dialog.getByRole('button', { name: 'Close' }).click()
    await expect(dialog).toHaveCount(0)
    await expect(page.getByRole('button', { name: '? Keys' })).toBeFocused()
    await page.keyboard.press('?')
    await dialog.locator('h2').click()
    await expect(dialog).toBeVisible()
    await backdrop.click({ position: { x: 5, y: 5 } })
    await expect(dialog).toHaveCount(0)
    // keys typed while the help is open do not grade the run behind it
    await page.keyboard.press('?')
    await page.keyboard.press('g')
    await expect(page.getByTestId('graded-count')).toHaveText('0 of 2 graded')
    await page.keyboard.press('Escape')

    // the app's own help (outside the deck) works the same way
    await page.evaluate(() => (location.hash = '#/tasks'))
    await page.getByTestId('nav-tasks').focus()
    await page.keyboard.press('?')
    const appHelp = page.getByRole('dialog', { name: 'Keyboard shortcuts' })
    await expect(appHelp).toBeVisible()
    await expect(appHelp.getByRole('button', { name: 'Close' })).toBeFocused()
    await expect(page.getByTestId('help-backdrop')).toBeVisible()
    await page.keyboard.press('Escape')
    await expect(appHelp).toHaveCount(0)
    await expect(page.getByTestId('nav-tasks')).toBeFocused()
    await page.keyboard.press('?')
    await page.getByTestId('help-backdrop').click({ position: { x: 5, y: 5 } })
    await expect(appHelp).toHaveCount(0)
    expect(errors).toEqual([])
  } finally {
    m.stop()
  }
})

/** Every text field, select and text area on the page: how its value and its placeholder look. */
async function fieldLooks(page: Page) {
  return page.evaluate(() => {
    const text = getComputedStyle(document.body).color
    return [...document.querySelectorAll<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>('input, textarea, select')]
      .filter(
        (el) =>
          !(el instanceof HTMLInputElement && ['checkbox', 'radio', 'range', 'button', 'submit'].includes(el.type)) &&
          el.offsetParent !== null
      )
      .map((el) => {
        const s = getComputedStyle(el)
        const p = getComputedStyle(el, '::placeholder')
        return {
          field: el.getAttribute('aria-label') ?? el.getAttribute('placeholder') ?? el.outerHTML.slice(0, 60),
          text,
          color: s.color,
          weight: s.fontWeight,
          style: s.fontStyle,
          placeholder: 'placeholder' in el && el.placeholder ? { color: p.color, style: p.fontStyle } : null
        }
      })
  })
}

test('values look like values, placeholders like placeholders, on every page with fields', async ({ page }, info) => {
  const m = await makeBatch(2)
  const errors = watchErrors(page)
  try {
    await page.goto(m.url)
    const seen: Awaited<ReturnType<typeof fieldLooks>> = []
    const check = async () => {
      const looks = await fieldLooks(page)
      expect(looks.length).toBeGreaterThan(0)
      // the value: in the text colour, normal weight, upright (also inside a grey, bold label)
      expect(looks.filter((f) => f.color !== f.text || f.weight !== '400' || f.style !== 'normal')).toEqual([])
      // the placeholder: italic, and never in the value's colour
      expect(looks.filter((f) => f.placeholder && (f.placeholder.style !== 'italic' || f.placeholder.color === f.color))).toEqual([])
      seen.push(...looks)
    }
    // the task page: fields inside labels (the labels are grey and bold; the values must not be)
    await page.getByTestId('nav-tasks').click()
    await check()
    await page.getByText('Landing page', { exact: true }).first().click()
    await expect(page.locator('.batch-settings')).toBeVisible()
    await check()
    await page.locator('.batch-settings').scrollIntoViewIfNeeded()
    await keep(page, info, 'fields')
    // the deck, the gallery (selects, the paste box), a session list
    await page.evaluate((b) => (location.hash = `#/review/${encodeURIComponent(b)}`), m.batchId)
    await expect(page.getByTestId('deck-run')).toBeVisible()
    await page.keyboard.press('g')
    await page.keyboard.type('clean page')
    await page.keyboard.press('Escape')
    await check()
    await page.evaluate((b) => (location.hash = `#/gallery/${encodeURIComponent(b)}`), m.batchId)
    await page.getByRole('button', { name: 'Paste feedback' }).click()
    await expect(page.getByTestId('feedback-import')).toBeVisible()
    await check()
    await page.evaluate((b) => (location.hash = `#/analyze/${encodeURIComponent(b)}`), m.batchId)
    await expect(page.getByTestId('analyze-via')).toBeVisible()
    await check()
    expect(seen.some((f) => f.field === 'Feedback sentence')).toBe(true)
    expect(seen.some((f) => f.placeholder)).toBe(true)
    expect(errors).toEqual([])
  } finally {
    m.stop()
  }
})

test('run folders are grouped under their batch, named by task, batch and run', async ({ page }, info) => {
  const m = await makeBatch(3)
  const errors = watchErrors(page)
  try {
    await page.goto(m.url)
    // none of the run folders is in the list of the person's projects
    const toggle = page.getByTestId('toggle-run-projects')
    await expect(toggle).toHaveText('Show 3 run folders made by trace2skill')
    await expect(page.getByTestId('project-row')).toHaveCount(0)
    await toggle.click()
    const group = page.getByTestId('run-group')
    await expect(group).toHaveCount(1)
    await expect(group.getByTestId('run-group-name')).toHaveText('Landing page · Landing page #1')
    await expect(group.getByTestId('run-folder-row')).toHaveText([/^Run 1 \(done\)/, /^Run 2 \(done\)/, /^Run 3 \(failed\)/])
    // no opaque folder names in sight
    await expect(page.locator('.projects')).not.toContainText(/run-\d+-[0-9a-f]{8}/)
    // a row opens that run's sessions
    await group.getByTestId('run-folder-row').nth(1).click()
    await expect(page.getByTestId('session-row')).toHaveCount(1)
    await expect(page.getByTestId('session-row')).toHaveAttribute('data-session-id', m.runs[1].sessionId)
    await expect(group.getByTestId('run-folder-row').nth(1)).toHaveAttribute('aria-current', 'page')
    await keep(page, info, 'run-folders')
    await toggle.click()
    await expect(page.getByTestId('run-group')).toHaveCount(0)
    expect(errors).toEqual([])
  } finally {
    m.stop()
  }
})

test('session table headers fit at 1360 and at 1100 wide', async ({ page }, info) => {
  const m = await makeBatch(1)
  const errors = watchErrors(page)
  try {
    await page.goto(m.url)
    await page.evaluate((p) => (location.hash = `#/project/${encodeURIComponent(p)}`), m.runs[0].projectId!)
    await expect(page.getByTestId('session-row')).toHaveCount(1)
    const headers = page.locator('.tr.th [role=columnheader]')
    const cut = () =>
      headers.evaluateAll((els) => {
        const table = document.querySelector('.table')!.getBoundingClientRect()
        return els
          .filter((el) => el.scrollWidth > el.clientWidth + 0.5 || el.getBoundingClientRect().right > table.right + 0.5)
          .map((el) => `${el.textContent} (${el.scrollWidth} > ${el.clientWidth})`)
      })
    for (const width of [1360, 1100]) {
      await page.setViewportSize({ width, height: 860 })
      expect(await cut(), `at ${width}`).toEqual([])
      // sorted by any column, with its arrow, the header still fits
      const sortable = page.locator('.tr.th button[role=columnheader]:visible')
      expect(await sortable.count()).toBeGreaterThanOrEqual(9)
      for (let i = 0; i < (await sortable.count()); i++) {
        await sortable.nth(i).click()
        expect(await cut(), `at ${width}, sorted by column ${i + 1}`).toEqual([])
      }
      // a short label says in full what it means when hovered
      await expect(page.locator('.tr.th [role=columnheader][title]')).not.toHaveCount(0)
      await keep(page, info, `sessions-${width}`)
    }
    expect(errors).toEqual([])
  } finally {
    m.stop()
  }
})

/**
 * A person's path through the foundation: pick a project, search its sessions, open a trace, expand
 * a failing tool call, open a sub-agent. Real sessions from the real claude CLI; the web mode.
 */
import { expect, test } from './fixtures'

test('pick a project, search, open a trace, expand a failing call, open a sub-agent', async ({ page, app }, info) => {
  const errors = app.gen.sessions.find((s) => s.scenario === 'tool-errors')!
  const sub = app.gen.sessions.find((s) => s.scenario === 'subagent')!
  expect(errors.cwd).toBe(sub.cwd)

  await page.goto(app.url)
  const project = page.getByTestId('project-row').filter({ hasText: errors.cwd })
  await expect(page.getByTestId('project-row')).toHaveCount(2)
  await expect(project).toContainText('2 sessions')
  await project.click()

  await expect(page.getByTestId('session-row')).toHaveCount(2)
  // full-text search finds the run whose build failed
  await page.keyboard.press('/')
  await expect(page.getByTestId('session-search')).toBeFocused()
  await page.keyboard.type('exit code 3')
  const hit = page.getByTestId('search-hit')
  await expect(hit).toHaveCount(1)
  await expect(hit).toContainText('SCENARIO:tool-errors')
  await hit.click()

  const trace = page.getByTestId('trace-view')
  await expect(trace).toBeVisible()
  const failing = trace.locator('[data-testid=tool-call][data-error=true]')
  await expect(failing).toHaveCount(2 + 1)
  const bash = failing.filter({ hasText: 'exit 3' })
  await bash.getByTestId('tool-call-toggle').click()
  await expect(bash.getByTestId('tool-result')).toContainText('Exit code 3')
  await expect(bash.getByTestId('tool-call-toggle')).toHaveAttribute('aria-expanded', 'true')

  // back to the list (keyboard), open the sub-agent run
  await page.keyboard.press('Backspace')
  await expect(page.getByTestId('session-row')).toHaveCount(2)
  await page.getByTestId('session-row').filter({ hasText: 'SCENARIO:subagent' }).click()
  const agentCall = page.locator('[data-testid=tool-call][data-tool-name=Agent]')
  await expect(agentCall).toHaveCount(1)
  await agentCall.getByTestId('subagent-toggle').click()
  await expect(page.getByTestId('subagent-transcript')).toContainText('Survey the workspace')
  const nested = page.locator('.row.nested [data-testid=tool-call][data-tool-name=Bash]')
  await nested.getByTestId('tool-call-toggle').click()
  await expect(nested.getByTestId('tool-result')).toContainText('helper was here')

  await page.screenshot({ path: info.outputPath('subagent-trace.png'), fullPage: false })
  await info.attach('subagent-trace', { path: info.outputPath('subagent-trace.png'), contentType: 'image/png' })

  // past sessions to grade: tick both (one by mouse, one by keyboard) and add them to a batch
  await page.keyboard.press('Backspace')
  await expect(page.getByTestId('session-row')).toHaveCount(2)
  await page.getByTestId('pick-session').first().check()
  await page.getByTestId('session-row').nth(1).hover()
  await page.keyboard.press('x')
  await page.getByTestId('import-picked').click()
  await expect(page.getByTestId('run-row')).toHaveCount(2)
  await expect(page.getByTestId('run-row').first()).toHaveAttribute('data-state', 'done')
})

test('a reload keeps the place, and the token is required', async ({ page, app }) => {
  await page.goto(app.url)
  await page.getByTestId('project-row').first().click()
  await expect(page.getByTestId('session-row').first()).toBeVisible()
  const at = page.url()
  await page.reload()
  await expect(page).toHaveURL(at)
  await expect(page.getByTestId('session-row').first()).toBeVisible()
  // the address bar lost the token, the reload still works (the tab keeps it), and the API needs it
  expect(at).not.toContain('token=')
  const bare = new URL(app.url)
  const res = await page.request.post(`${bare.origin}/api/listProjects`, { data: {} })
  expect(res.status()).toBe(401)
})

test('open any folder: a typed path in web mode, with a clear error for a wrong one', async ({ page, app }) => {
  await page.goto(app.url)
  await page.getByTestId('open-folder').click()
  const input = page.getByLabel('Folder path')
  await input.fill('/definitely/not/a/folder')
  await input.press('Enter')
  await expect(page.getByRole('alert')).toContainText('not a folder: /definitely/not/a/folder')
  const long = app.gen.sessions.find((s) => s.scenario === 'long')!
  await input.fill(long.cwd)
  await input.press('Enter')
  await expect(page.getByTestId('session-row')).toHaveCount(2)
})

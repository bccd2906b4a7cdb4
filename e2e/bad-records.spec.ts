/**
 * One bad record never blanks the app: a session line with an invalid time shows as such, a record
 * the viewer cannot draw shows as "could not be shown" while the rest of the trace renders, a view
 * that breaks shows its error while the navigation keeps working, and a reload on a broken address
 * still shows the app.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { expect, startWeb, test } from './fixtures'

const SESSION = '0badt1me-0000-4000-8000-000000000001'

/** A hand-written session whose lines carry every kind of bad `timestamp`. */
async function badTimesConfig(): Promise<string> {
  const config = await mkdtemp(join(tmpdir(), 't2s-e2e-badtime-'))
  const dir = join(config, 'projects', '-home-dev-badtimes')
  await mkdir(dir, { recursive: true })
  const base = { sessionId: SESSION, cwd: '/home/dev/badtimes', version: '2.1.330', isSidechain: false, userType: 'external' }
  const usage = { input_tokens: 10, output_tokens: 5 }
  const lines = [
    {
      ...base,
      type: 'user',
      uuid: 'u1',
      parentUuid: null,
      timestamp: 'not a date',
      message: { role: 'user', content: 'SCENARIO:bad-times fix the build' }
    },
    {
      ...base,
      type: 'assistant',
      uuid: 'a1',
      parentUuid: 'u1',
      timestamp: 1e20,
      message: { id: 'msg_1', model: 'claude-sonnet-4-5', role: 'assistant', content: [{ type: 'text', text: 'FIRST ANSWER' }], usage }
    },
    {
      ...base,
      type: 'assistant',
      uuid: 'a2',
      parentUuid: 'a1',
      timestamp: '+275760-09-13T00:00:00.001Z',
      message: {
        id: 'msg_2',
        model: 'claude-sonnet-4-5',
        role: 'assistant',
        content: [{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'make build' } }],
        usage
      }
    },
    {
      ...base,
      type: 'user',
      uuid: 'u2',
      parentUuid: 'a2',
      message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'built fine', is_error: false }] }
    },
    {
      ...base,
      type: 'assistant',
      uuid: 'a3',
      parentUuid: 'u2',
      timestamp: '2026-01-01T00:01:00.000Z',
      message: { id: 'msg_3', model: 'claude-sonnet-4-5', role: 'assistant', content: [{ type: 'text', text: 'LAST ANSWER' }], usage }
    }
  ]
  await writeFile(join(dir, `${SESSION}.jsonl`), lines.map((l) => JSON.stringify(l)).join('\n') + '\n')
  return config
}

async function serve(page: Page) {
  const config = await badTimesConfig()
  const data = await mkdtemp(join(tmpdir(), 't2s-e2e-badtimedata-'))
  const web = await startWeb({ CLAUDE_CONFIG_DIR: config, TRACE2SKILL_DATA_DIR: data })
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(`${e.message} ${e.stack?.split('\n').slice(0, 4).join(' | ')}`))
  return { ...web, pageErrors }
}

test('a session with bad timestamps: the browser, the trace, a reload on its address, and navigation all work', async ({ page }, info) => {
  const { url, proc, pageErrors } = await serve(page)
  try {
    await page.goto(url)
    await page.getByTestId('project-row').filter({ hasText: '/home/dev/badtimes' }).click()
    const row = page.getByTestId('session-row')
    await expect(row).toHaveCount(1)
    await expect(row).toContainText('SCENARIO:bad-times')
    await row.click()

    const trace = page.getByTestId('trace-view')
    await expect(trace).toContainText('FIRST ANSWER')
    await expect(trace).toContainText('LAST ANSWER')
    await expect(trace.locator('[data-testid=tool-call][data-tool-name=Bash]')).toContainText('make build')
    // the good time shows; the bad ones show no time (dropped when read) or say they are invalid
    await expect(trace.locator('.time', { hasText: '00:01:00' })).toHaveCount(1)
    await expect(trace.getByTestId('bad-record')).toHaveCount(0)
    await page.screenshot({ path: info.outputPath('bad-times.png') })

    const at = page.url()
    expect(at).toContain(`/session/${SESSION}`)
    await page.reload()
    await expect(page).toHaveURL(at)
    await expect(page.getByTestId('trace-view')).toContainText('LAST ANSWER')

    await page.getByTestId('nav-tasks').click()
    await expect(page.getByTestId('nav-tasks')).toHaveClass(/active/)
    await page.goBack()
    await expect(page.getByTestId('trace-view')).toContainText('LAST ANSWER')
    expect(pageErrors).toEqual([])
  } finally {
    proc.kill('SIGTERM')
  }
})

test('a record the viewer cannot draw shows as such; a broken view keeps the navigation; a bad address is harmless', async ({
  page
}, info) => {
  const { url, proc, pageErrors } = await serve(page)
  // Records as no parser of ours would make them (a newer or broken server): the row and the view must hold.
  let breakView = false
  await page.route('**/api/getTrace', async (route) => {
    const res = await route.fetch()
    const body = await res.json()
    if (!body.value) return route.fulfill({ response: res })
    const events = body.value.events as { kind: string; text?: string; images?: unknown; ts?: unknown; name?: string }[]
    // a user record without its images list
    const first = events.find((e) => e.kind === 'assistant' && e.text === 'FIRST ANSWER')!
    first.images = null
    first.kind = 'user'
    // times that are not dates (the parser drops them; the viewer must not trust that)
    events.find((e) => e.kind === 'tool_call' && e.name === 'Bash')!.ts = 'not a date'
    events.find((e) => e.kind === 'assistant' && e.text === 'LAST ANSWER')!.ts = '+275760-09-13T00:00:00.001Z'
    if (breakView) body.value.warnings = null
    await route.fulfill({ response: res, json: body })
  })
  try {
    await page.goto(url)
    await page.getByTestId('project-row').filter({ hasText: '/home/dev/badtimes' }).click()
    await page.getByTestId('session-row').click()
    const trace = page.getByTestId('trace-view')
    await expect(trace).toContainText('LAST ANSWER')
    const bad = trace.getByTestId('bad-record')
    await expect(bad).toHaveCount(1)
    await expect(bad).toContainText('This record could not be shown:')
    await expect(bad).toContainText('line 2')
    await expect(trace.locator('[data-testid=tool-call][data-tool-name=Bash]')).toContainText('make build')
    const badTimes = trace.locator('.time.bad-time')
    await expect(badTimes).toHaveCount(2)
    await expect(badTimes.first()).toHaveText('invalid time')
    await expect(badTimes.first()).toHaveAttribute('title', /not a date/)
    await page.screenshot({ path: info.outputPath('bad-record.png') })

    // the whole view breaks: its error shows, the sidebar works, and leaving resets it
    breakView = true
    await page.reload()
    const broken = page.getByTestId('bad-view')
    await expect(broken).toContainText('This page could not be shown:')
    await expect(page.getByTestId('project-row')).toHaveCount(1)
    await page.screenshot({ path: info.outputPath('bad-view.png') })
    await page.getByTestId('nav-skills').click()
    await expect(broken).toHaveCount(0)
    await expect(page.getByTestId('nav-skills')).toHaveClass(/active/)
    breakView = false
    await page.goBack()
    await expect(page.getByTestId('trace-view')).toContainText('LAST ANSWER')

    // an address with a malformed %-escape
    await page.goto(`${new URL(url).origin}/#/project/%E0%A4%A/session/%zz`)
    await expect(page.getByTestId('project-row')).toHaveCount(1)
    await page.getByTestId('project-row').click()
    await expect(page.getByTestId('session-row')).toHaveCount(1)
    expect(pageErrors).toEqual([])
  } finally {
    proc.kill('SIGTERM')
  }
})

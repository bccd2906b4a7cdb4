/**
 * A 20,000-line session stays responsive: the timeline is virtualized (only what is on screen is in
 * the page) and its end is one scroll away.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, startWeb, test } from './fixtures'

test('a 20,000-line session scrolls, with a small DOM', async ({ page }) => {
  const config = await mkdtemp(join(tmpdir(), 't2s-e2e-big-'))
  const dir = join(config, 'projects', '-home-dev-big')
  await mkdir(dir, { recursive: true })
  const lines: string[] = []
  const t0 = Date.UTC(2026, 0, 1)
  const ts = (i: number) => new Date(t0 + i * 1000).toISOString()
  lines.push(
    JSON.stringify({
      type: 'user',
      message: { role: 'user', content: 'A very long session' },
      cwd: '/home/dev/big',
      timestamp: ts(0),
      uuid: 'u0'
    })
  )
  for (let i = 1; lines.length < 20_000; i++) {
    const id = `toolu_${i}`
    lines.push(
      JSON.stringify({
        type: 'assistant',
        message: {
          id: `msg_${i}`,
          model: 'claude-sonnet-4-5',
          role: 'assistant',
          content: [{ type: 'tool_use', id, name: 'Bash', input: { command: `echo ${i}` } }],
          usage: { input_tokens: 10, output_tokens: 5 }
        },
        timestamp: ts(i)
      })
    )
    lines.push(
      JSON.stringify({
        type: 'user',
        message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: `line ${i}`, is_error: i === 9_999 }] },
        timestamp: ts(i)
      })
    )
  }
  lines.push(
    JSON.stringify({
      type: 'assistant',
      message: { id: 'msg_last', model: 'claude-sonnet-4-5', role: 'assistant', content: [{ type: 'text', text: 'THE VERY END' }] },
      timestamp: ts(99_999)
    })
  )
  await writeFile(join(dir, 'big-session.jsonl'), lines.join('\n') + '\n')
  const data = await mkdtemp(join(tmpdir(), 't2s-e2e-bigdata-'))
  const { url, proc } = await startWeb({ CLAUDE_CONFIG_DIR: config, TRACE2SKILL_DATA_DIR: data })
  try {
    await page.goto(url)
    await page.getByTestId('project-row').click()
    await page.getByTestId('session-row').click()
    await expect(page.getByTestId('trace-view')).toContainText('10000 tool calls')
    expect(await page.getByTestId('tool-call').count()).toBeLessThan(100)
    // the one failing call is found with the keyboard
    await page.keyboard.press('e')
    await expect(page.locator('[data-testid=tool-call][data-error=true]')).toContainText('echo 9999')
    // the end is reachable
    await page.locator('.timeline').evaluate((el) => el.scrollTo(0, el.scrollHeight))
    await expect(page.getByText('THE VERY END')).toBeVisible()
    expect(await page.getByTestId('tool-call').count()).toBeLessThan(100)
  } finally {
    proc.kill('SIGTERM')
  }
})

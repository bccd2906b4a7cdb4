/**
 * A skill learned headless with the built CLI, as the verification specs start from: three runs of the
 * real `claude` against the scripted model (two the skill would fix, one good), graded from their pages,
 * optionally the task's rubric built from them, then analysed. Gives the CLI, the folders, and the
 * environment the web mode is started with.
 */
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { CLAUDE_BIN, claudeEnv } from '../test/support/claude-harness'
import { gradeOfPage, skilledPrompt } from '../test/support/verify-script'
import { claudeWebEnv, ROOT } from './fixtures'

/** An analyst's rule as the scripted analysts answer it. */
export const rule = (text: string, evidence: number[]) => ({
  rule: text,
  evidence,
  priority: 'high' as const,
  reason: `runs ${evidence.join(', ')}`
})

/** A run as `trace2skill batch --json` gives it: a blind verification's has its text files instead of its folder. */
export type Shown = { number: number; workspace?: string; texts?: Record<string, string> }

/** The page a run made (a blind run's from its texts) and the grade the person would give it. */
export const gradeOfRun = async (r: Shown) =>
  gradeOfPage(r.texts?.['index.html'] ?? (await readFile(join(r.workspace!, 'index.html'), 'utf8')))
/** Each run's grade by its page, by run number. */
export const gradesOf = async (runs: Shown[]) => new Map(await Promise.all(runs.map(async (r) => [r.number, await gradeOfRun(r)] as const)))

export async function learnSkill(serverUrl: string, name: string, opts: { rubric?: boolean } = {}) {
  const dir = await mkdtemp(join(tmpdir(), `t2s-e2e-${name}-`))
  const config = join(dir, 'claude')
  const data = join(dir, 'data')
  await mkdir(config, { recursive: true })
  const env = { ...process.env, ...claudeEnv(config, serverUrl), TRACE2SKILL_DATA_DIR: data, CHROMIUM_PATH: '/nonexistent' }
  const cli = async (args: string[]) =>
    (await promisify(execFile)(process.execPath, [join(ROOT, 'bin', 'trace2skill.mjs'), ...args], { env })).stdout
  await writeFile(join(dir, 'task.json'), JSON.stringify({ name: 'Landing page', text: 'Build a landing page.' }))
  await writeFile(
    join(dir, 'variations.txt'),
    [skilledPrompt('fixed', 'learned: a bakery'), skilledPrompt('fixed', 'learned: a gym'), skilledPrompt('good', 'learned: a library')]
      .map((p, i) => `${i + 1}. [normal] ${p}`)
      .join('\n')
  )
  const run = ['run', '--task', join(dir, 'task.json'), '--variations', join(dir, 'variations.txt'), '--preset', 'accept-edits']
  const ran = JSON.parse(await cli([...run, '--max-turns', '10', '--claude', CLAUDE_BIN, '--json'])) as { batchId: string; runs: Shown[] }
  const grades = await gradesOf(ran.runs)
  await writeFile(join(dir, 'feedback.txt'), [...grades].map(([n, g]) => `Run ${n}: ${g} - by its page`).join('\n'))
  await cli(['grade', ran.batchId, '--file', join(dir, 'feedback.txt')])
  if (opts.rubric) await cli(['rubric', ran.batchId])
  await cli(['analyze', ran.batchId])
  const webEnv = claudeWebEnv(serverUrl, config, data)
  return { dir, cli, batchId: ran.batchId, webEnv }
}

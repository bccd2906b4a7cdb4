/* eslint-disable @typescript-eslint/no-explicit-any -- the scripted API's request bodies are untyped JSON */
/**
 * Does the skill load? (issue 23) in the browser, through the web mode: a skill whose description
 * ("Makes marketing websites.") rarely makes Claude Code load it, learned from a batch of six landing
 * page variations, with three near-miss variations of the task. Its triggers page shows the default
 * set (the batch's prompts, the near misses); the person adds one near miss and saves the set;
 * measures it (one run per query, the real `claude -p` stopped at the decision): 1 of 6 should-trigger
 * prompts load it, no near miss does; optimises it (one round), and the proposed description, better
 * on the held-out split, is picked and saved as a new version, which the composer then shows.
 *
 * The scripted model: a Claude Code run (its user agent is claude-cli) loads the skill under test when
 * its description shares at least two words with the prompt (test/support/trigger-words.ts, the rule
 * the measuring part's own script keeps), else answers; any other request (the app's model calls: the
 * proposer of descriptions) is answered with BETTER, in whatever tool the request offers.
 */
import { mkdir, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createService } from '../src/main/app/service'
import { CLAUDE_BIN, claudeEnv } from '../test/support/claude-harness'
import { startModelServer, type Reply, type Script } from '../test/support/model-server'
import { plantSkill } from '../test/support/skill'
import { promptOf } from '../test/support/trigger-script'
import { loads } from '../test/support/trigger-words'
import { listedSkills, SKILL_NAME } from '../test/support/verify-script'
import { claudeWebEnv, expect, startWeb, test } from './fixtures'

/** The version's own description: it shares two words with one of the six prompts only. */
const WEAK = 'Makes marketing websites.'
/** What the proposer writes: two words or more with every landing page prompt, fewer with every near miss. */
const BETTER = 'Build a landing page: a one screen marketing page for a business.'
const SHOULD = [
  'Build a landing page for a bakery',
  'Landing page for a dentist, one screen',
  'Marketing websites: a landing page for a gym',
  'A landing page for Acme Bank',
  'A florist wants a landing page',
  'One landing page for a yoga studio'
]
const NEAR_MISSES = [
  'Fix the typo in the README of the landing repo',
  'Translate the bakery menu to French',
  'Review the analytics numbers of the gym website'
]
/** Added on the page. */
const ADDED = 'Write marketing emails for the dentist'

/** A value for a tool's input, from its JSON schema: the description where one is asked for. */
function fill(schema: any, key = ''): unknown {
  if (schema?.type === 'array') return [fill(schema.items, key)]
  if (schema?.type === 'object' || schema?.properties)
    return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, s]) => [k, fill(s, k)]))
  if (schema?.type === 'number' || schema?.type === 'integer') return 1
  if (schema?.type === 'boolean') return true
  if (Array.isArray(schema?.enum)) return schema.enum[0]
  return /desc/i.test(key) ? BETTER : 'It names what every failed prompt asks for: a landing page.'
}

function triggersScript(): Script {
  return (req): Reply => {
    const { body } = req
    if (String(req.headers['user-agent'] ?? '').startsWith('claude-cli')) {
      const messages = body?.messages ?? []
      // after the decision (should the run not be stopped at once): done
      if (messages.some((m: any) => m.role === 'assistant')) return { text: 'Done.' }
      const skill = listedSkills(body).find((s) => s.name === SKILL_NAME)
      if (skill && loads(skill.description, promptOf(body)))
        return { text: 'A skill covers this.', toolUses: [{ name: 'Skill', input: { skill: SKILL_NAME } }] }
      return { text: 'Here is my answer, without any skill.' }
    }
    const tool = (body?.tools ?? [])[0]
    return tool ? { toolUses: [{ name: tool.name, input: fill(tool.input_schema) }] } : { text: BETTER }
  }
}

test('a skill that rarely loads: review its queries, measure, optimise, save the pick as a version', async ({ page }, info) => {
  test.setTimeout(400_000)
  const server = await startModelServer(triggersScript())
  const dir = await mkdtemp(join(tmpdir(), 't2s-e2e-triggers-'))
  const config = join(dir, 'claude')
  const data = join(dir, 'data')
  await mkdir(config, { recursive: true })
  const service = await createService({
    configDir: config,
    dataDir: data,
    mode: 'web',
    version: 'test',
    env: claudeEnv(config, server.url)
  })
  const task = await service.handlers.saveTask({ name: 'Landing page', text: 'Build a landing page.' })
  await service.handlers.saveVariations({
    taskId: task.id,
    variations: [
      ...SHOULD.map((prompt) => ({ difficulty: 'normal' as const, prompt })),
      ...NEAR_MISSES.map((prompt) => ({ difficulty: 'normal' as const, prompt, nearMiss: true }))
    ]
  })
  const batch = await service.handlers.createBatch({
    taskId: task.id,
    settings: { concurrency: 3, maxTurns: 10, permission: 'accept-edits', claudePath: CLAUDE_BIN } as never
  })
  const { skillId } = await plantSkill(service, { taskId: task.id })
  const skill = (await service.store.skills.get(skillId))!
  await service.handlers.saveSkill({ skillId, patch: { frontMatter: { ...skill.frontMatter, description: WEAK } } })
  await service.store.skills.put({ ...(await service.store.skills.get(skillId))!, batchIds: [batch.id] })
  await service.dispose()
  const web = await startWeb(claudeWebEnv(server.url, config, data))
  try {
    await page.goto(web.url)
    await page.getByRole('link', { name: 'Skills' }).click()
    await page.getByRole('link', { name: SKILL_NAME }).first().click()
    await page.getByTestId('triggers-link').click()
    await expect(page.getByTestId('triggers-page')).toBeVisible()

    // the default set: the batch's prompts should load it, the near-miss variations should not
    const should = page.getByTestId('should-list').getByTestId('query-prompt')
    const shouldNot = page.getByTestId('should-not-list').getByTestId('query-prompt')
    await expect(should).toHaveText(SHOULD)
    await expect(shouldNot).toHaveText(NEAR_MISSES)
    await expect(page.getByTestId('no-rivals')).toBeVisible()

    // one more near miss, then the set saved (reviewed)
    await page.getByTestId('add-query-text').fill(ADDED)
    await page.getByTestId('add-should-not').check()
    await page.getByTestId('add-query').click()
    await expect(page.getByTestId('queries-unsaved')).toBeVisible()
    await page.getByTestId('save-queries').click()
    await expect(page.getByTestId('save-queries')).toHaveText('Saved')
    await expect(page.getByTestId('queries-reviewed')).toContainText('Your set, saved')
    await expect(shouldNot).toHaveText([...NEAR_MISSES, ADDED])

    // measure: one run per query, the estimate first
    await page.getByTestId('triggers-repeats').fill('1')
    await expect(page.getByTestId('measure-estimate-decisions')).toContainText('10 decisions (10 queries × 1 repeat')
    await page.getByTestId('measure').click()
    const result = page.getByTestId('measure-result')
    await expect(result).toHaveAttribute('data-state', 'done', { timeout: 200_000 })
    // by hand (the word rule): only "Marketing websites: a landing page for a gym" shares two words with WEAK
    await expect(result.getByTestId('measure-recall')).toHaveText('Recall: 1 of 6 should-trigger prompts loaded it (17%)')
    await expect(result.getByTestId('measure-false')).toHaveText('False triggers: 0 of 4 near misses loaded it (0%)')
    await expect(result.getByTestId('measured-description')).toHaveText(`Description measured: ${WEAK}`)
    await expect(result.getByTestId('query-rate')).toHaveText([
      '0 of 1',
      '0 of 1',
      '1 of 1',
      '0 of 1',
      '0 of 1',
      '0 of 1',
      '0 of 1',
      '0 of 1',
      '0 of 1',
      '0 of 1'
    ])
    await page.screenshot({ path: info.outputPath('triggers-measured.png'), fullPage: true })

    // optimise: one round; the proposed description loads every landing page prompt and no near miss
    await page.getByTestId('optimise-rounds').fill('1')
    await page.getByTestId('optimise').click()
    const optimisation = page.getByTestId('optimisation').first()
    await expect(optimisation).toHaveAttribute('data-state', 'done', { timeout: 300_000 })
    const rows = optimisation.getByTestId('round-row')
    await expect(rows).toHaveCount(2)
    await expect(rows.nth(1)).toHaveAttribute('data-picked', 'true')
    await expect(rows.nth(1).getByTestId('round-description')).toHaveText(BETTER)
    await expect(rows.nth(1).getByTestId('round-test-recall')).toContainText('100%')
    await expect(rows.nth(1).getByTestId('round-test-false')).toContainText('0%')
    await expect(rows.nth(0).getByTestId('round-test-recall')).not.toContainText('100%')
    await expect(optimisation.getByTestId('best-why')).toContainText('Picked: round 1.')
    await page.screenshot({ path: info.outputPath('triggers-optimised.png'), fullPage: true })

    // saved as a new version, which the composer shows
    await optimisation.getByTestId('save-optimised').click()
    await expect(optimisation.getByTestId('optimise-saved')).toHaveText(/^Saved as version \d+\. Open it in the composer →$/)
    await optimisation.getByTestId('open-composer').click()
    await expect(page.getByTestId('fm-description')).toHaveValue(BETTER)
  } finally {
    web.proc.kill()
    await server.close()
  }
})

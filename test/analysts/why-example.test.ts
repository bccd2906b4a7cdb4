/* eslint-disable @typescript-eslint/no-explicit-any -- the scripted API's request bodies are untyped JSON */
/**
 * A rule's why and example come from the runs. On the planted batch (test/support/planted.ts: run 2
 * crams nine yellow Deal cards into its page, runs 1 and 5 write three plain cards, run 3's dev server
 * dies on a taken port), the scripted analysts propose rules with a why and a wrong/right example; after
 * the merge each snippet is checked against the files and commands of the runs it cites: a quoted line
 * of a run's file stays (and is a real line of that file on disk), a made-up one, or one from a run the
 * example does not cite, is dropped with a note on the rule and a warning on the analysis. The merge is
 * asked for the group's why; SKILL.md and the edge cases file show the why and the example.
 */
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import type { Analysis } from '../../src/shared/analysis'
import type { SkillView } from '../../src/shared/contract'
import type { ProposedRule } from '../../src/shared/skills'
import { analystScript, firstMessageText } from '../support/analyst-script'
import { startModelServer, type ModelServer } from '../support/model-server'
import { addPlanted, plantedFiles, type PlantedBatch } from '../support/planted'

const DEAL = '<div class="card" style="background:#ffe36e">Deal 1</div>'
const PLAIN = '<div class="card">Feature 1</div>\n<div class="card">Feature 2</div>'
const MADE_UP = '<div class="card deal">Deal 99 of 99</div>'

const rules: Record<string, ProposedRule> = {
  cards: {
    rule: 'Keep the page to three plain cards',
    evidence: [1, 2, 5],
    priority: 'high',
    reason: 'run 2 crammed nine cards under the fold',
    why: 'Run 2 crammed nine yellow Deal cards under the fold and was graded cluttered; runs 1 and 5 kept three and read easily.',
    example: { wrong: DEAL, right: PLAIN, runs: [1, 2] }
  },
  port: {
    rule: 'Check the port is free before starting the dev server',
    evidence: [3, 4],
    priority: 'medium',
    reason: 'run 3 died on EADDRINUSE',
    why: 'Run 3 died on EADDRINUSE halfway through and never finished the page.',
    // the wrong is run 3's real command; the right was never run by any run
    example: { wrong: 'npm run dev', right: 'npx kill-port 5173 && npm run dev', runs: [3] }
  },
  invented: {
    rule: 'Name every card after a deal',
    evidence: [2, 6],
    priority: 'low',
    reason: 'made up',
    // a made-up line, and a real command of run 3, which this example does not cite
    example: { wrong: MADE_UP, right: 'npm run dev', runs: [2, 6] }
  }
}

describe('a rule with its why and an example from the runs', () => {
  let server: ModelServer
  let service: Service
  let planted: PlantedBatch
  let analysis: Analysis
  let view: SkillView

  beforeAll(async () => {
    server = await startModelServer(
      analystScript({
        success: { rules: [rules.cards] },
        error: { rules: [rules.port, rules.invented] }
      })
    )
    const configDir = await mkdtemp(join(tmpdir(), 't2s-why-claude-'))
    const dataDir = await mkdtemp(join(tmpdir(), 't2s-why-data-'))
    planted = await plantedFiles(configDir, dataDir)
    service = await createService({
      configDir,
      dataDir,
      mode: 'web',
      version: 'test',
      env: { ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: server.url }
    })
    await addPlanted(service, planted)
    analysis = await service.handlers.startAnalysis({ batchId: planted.batchId })
    await service.analysisIdle(analysis.id)
    analysis = await service.handlers.getAnalysis({ analysisId: analysis.id })
    view = await service.handlers.getSkill({ skillId: analysis.skillId! })
  }, 120_000)
  afterAll(async () => {
    await service?.dispose()
    await server?.close()
  })

  const ruleOf = (text: string) => view.skill.rules.find((r) => r.text === text)!
  const fileOf = async (run: number, path: string) => {
    const r = planted.runs.find((x) => x.number === run)!
    return (await readFile(join(r.workspace!, path), 'utf8')).split('\n')
  }

  it('asks the analysts for a why and an example, and the merge for the group’s why', () => {
    const analyst = server.requests.find((r) => r.body?.tools?.some((t: any) => t.name === 'propose_rules'))!
    const item = analyst.body.tools.find((t: any) => t.name === 'propose_rules').input_schema.properties.rules.items
    expect(Object.keys(item.properties)).toEqual(expect.arrayContaining(['why', 'example']))
    expect(JSON.stringify(analyst.body.messages)).toMatch(/Give WHY: one short sentence drawn from what happened in the runs/)
    const merge = server.requests.find((r) => /Answer only by calling merge_rules/.test(firstMessageText(r.body)))!
    const prompt = firstMessageText(merge.body)
    expect(prompt).toContain(`  why: ${rules.cards.why}`)
    expect(prompt).toMatch(/and its why: one short sentence/)
    expect(merge.body.tools[0].input_schema.properties.groups.items.properties.why.type).toBe('string')
  })

  it('keeps the why, and an example whose snippets are real lines of the cited runs’ files', async () => {
    const cards = ruleOf(rules.cards.rule)
    expect(cards.why).toBe(rules.cards.why)
    expect(cards.example).toEqual({ wrong: DEAL, right: PLAIN, runs: [1, 2], batchId: planted.batchId })
    expect(cards.exampleNote).toBeUndefined()
    // the quoted snippets are real lines of those runs' files, as written on disk
    expect(await fileOf(2, 'index.html')).toContain(DEAL)
    const page1 = await fileOf(1, 'index.html')
    expect(page1).toContain('<div class="card">Feature 2</div>')
    expect(page1.some((l) => l.endsWith('<div class="card">Feature 1</div>'))).toBe(true)
  })

  it('drops a snippet not found in the runs it cites, saying so on the rule and in the warnings', () => {
    const port = ruleOf(rules.port.rule)
    // the wrong is run 3's real command; the made-up right is gone
    expect(port.example).toEqual({ wrong: 'npm run dev', runs: [3], batchId: planted.batchId })
    expect(port.exampleNote).toBe('Example: the right snippet was not found in the files or commands of run 3; dropped.')
    const invented = ruleOf(rules.invented.rule)
    expect(invented.example).toBeUndefined()
    expect(invented.exampleNote).toBe(
      'Example: the wrong snippet was not found in the files or commands of runs 2, 6; the right snippet was not found in the files or commands of runs 2, 6; dropped.'
    )
    expect(analysis.warnings.filter((w) => /snippet was not found/.test(w))).toHaveLength(2)
    expect(JSON.stringify(view)).not.toContain(MADE_UP)
  })

  it('SKILL.md and the edge cases show the rule, its why and its example', () => {
    const all = `${view.skillMd}\n${view.edgeCasesMd}`
    expect(all).toContain(`- Keep the page to three plain cards. ${rules.cards.why} (runs 1, 2, 5)`)
    expect(all).toContain(['  Example (runs 1, 2). Instead of:', '  ```', `  ${DEAL}`, '  ```', '  write:', '  ```'].join('\n'))
    expect(all).toContain(['  Example (run 3). Avoid:', '  ```', '  npm run dev', '  ```'].join('\n'))
    expect(all).not.toContain('kill-port')
    expect(view.problems).toEqual([])
  })
})

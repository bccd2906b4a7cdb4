/* eslint-disable @typescript-eslint/no-explicit-any -- the scripted API's request bodies are untyped JSON */
/**
 * The same depth through "My Claude Code login": the planted batch (test/support/planted.ts) analysed
 * through the REAL `claude -p`. Each analyst reads the same shared context (text and the screenshots
 * as images), then looks closer in its read-only evidence folder with Read and Grep; what it reads
 * there carries the planted facts, a read outside the folder is refused, and the folder is gone
 * once the analysts have ended.
 */
import { mkdtemp, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import type { Analysis } from '../../src/shared/analysis'
import { analystScript, firstMessageText, isClaudeStructured, kindOf } from '../support/analyst-script'
import { CLAUDE_BIN, claudeEnv } from '../support/claude-harness'
import { startModelServer, type ModelServer } from '../support/model-server'
import { addPlanted, FACTS, plantedFiles } from '../support/planted'

const cwdOf = (body: any) => /Primary working directory: ([^\s"\\]+)/.exec(JSON.stringify(body))?.[1] ?? ''
const rule = (text: string, evidence: number[]) => ({ rule: text, evidence, priority: 'high', reason: `runs ${evidence.join(', ')}` })

describe('claude -p analysts with the evidence folder', () => {
  let server: ModelServer
  let service: Service
  let analysis: Analysis
  let dataDir: string

  beforeAll(async () => {
    const merge = analystScript({})
    server = await startModelServer((req) => {
      const body = req.body
      const kind = isClaudeStructured(body) ? kindOf(body) : null
      if (!kind) return merge(req)
      const round = body.messages.filter((m: any) => m.role === 'assistant').length
      const answer = (rules: unknown[]) => ({ toolUses: [{ name: 'StructuredOutput', input: { rules } }] })
      if (kind !== 'error') return answer([rule(`Keep it simple (${kind})`, kind === 'edge' ? [2] : [1, 5])])
      const cwd = cwdOf(body)
      const plan = [
        [{ name: 'Read', input: { file_path: `${cwd}/runs/02/outputs/index.html` } }],
        [{ name: 'Grep', input: { pattern: 'PLANTED-SUBAGENT', path: `${cwd}/runs`, glob: '*.txt', output_mode: 'content' } }],
        [
          { name: 'Read', input: { file_path: `${cwd}/runs/06/screenshots/desktop.png` } },
          { name: 'Read', input: { file_path: '/etc/hostname' } }
        ]
      ]
      if (round < plan.length) return { toolUses: plan[round] }
      return answer([rule('Check the port is free before starting the dev server', [3, 4])])
    })
    const configDir = await mkdtemp(join(tmpdir(), 't2s-evclaude-config-'))
    dataDir = await mkdtemp(join(tmpdir(), 't2s-evclaude-data-'))
    const planted = await plantedFiles(configDir, dataDir)
    const claudeConfig = await mkdtemp(join(tmpdir(), 't2s-evclaude-claude-'))
    service = await createService({ configDir, dataDir, mode: 'web', version: 'test', env: claudeEnv(claudeConfig, server.url) })
    await addPlanted(service, planted)
    analysis = await service.handlers.startAnalysis({ batchId: planted.batchId, via: 'claude-cli', claudePath: CLAUDE_BIN })
    await service.analysisIdle(analysis.id)
    analysis = await service.handlers.getAnalysis({ analysisId: analysis.id })
  }, 240_000)
  afterAll(async () => {
    await service?.dispose()
    await server?.close()
  })

  const analystRequests = (kind?: string) =>
    server.requests.filter((r) => isClaudeStructured(r.body) && kindOf(r.body) && (!kind || kindOf(r.body) === kind))

  it('gives each analyst the same shared context as the API path: every fact and the screenshots as PNG images', () => {
    expect(analysis.state).toBe('done')
    const firsts = ['error', 'success', 'structure', 'edge'].map((k) => analystRequests(k)[0])
    for (const r of firsts) {
      const text = firstMessageText(r.body)
      for (const fact of Object.values(FACTS)) expect(text).toContain(fact)
      const images = r.body.messages[0].content.filter((b: any) => b.type === 'image')
      expect(images).toHaveLength(6)
      expect(Buffer.from(images[0].source.data, 'base64').subarray(1, 4).toString()).toBe('PNG')
    }
    // only the file tools (and the answer) are offered
    const tools = firsts[0].body.tools.map((t: any) => t.name)
    expect(tools).toEqual(expect.arrayContaining(['Glob', 'Grep', 'Read', 'StructuredOutput']))
    for (const t of ['Bash', 'Write', 'Edit', 'WebFetch']) expect(tools).not.toContain(t)
  })

  it('looks closer in the folder: the file, the sub-agent and the screenshot come back; outside is refused', () => {
    const last = analystRequests('error').pop()!.body
    const results = last.messages
      .flatMap((m: any) => (Array.isArray(m.content) ? m.content : []))
      .filter((b: any) => b.type === 'tool_result')
    const text = JSON.stringify(results)
    expect(text).toContain(FACTS.deepFile)
    expect(text).toContain(FACTS.subagent)
    expect(results.some((r: any) => Array.isArray(r.content) && r.content.some((c: any) => c.type === 'image'))).toBe(true)
    const outside = results.find((r: any) => r.is_error && JSON.stringify(r.content).includes('/etc/hostname'))
    expect(outside).toBeTruthy()
    const error = analysis.analysts.find((a) => a.kind === 'error')!
    expect(error).toMatchObject({ state: 'done', rounds: 3 })
    expect(error.looks).toContain('Read runs/02/outputs/index.html')
    expect(error.looks?.some((l) => l.startsWith('Grep "PLANTED-SUBAGENT" in runs/'))).toBe(true)
  })

  it('removes the evidence folder when the analysts have ended', async () => {
    const left = await readdir(join(dataDir, 'evidence')).catch(() => [])
    expect(left).toEqual([])
  })
})

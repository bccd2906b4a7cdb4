import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { generateSessions, type GeneratedSession } from './support/claude-harness'

describe('the real claude CLI against the scripted model server', () => {
  let configDir: string
  let made: { workspaces: string[]; sessions: GeneratedSession[] }
  const fileOf = (s: GeneratedSession) => {
    for (const p of readdirSync(join(configDir, 'projects'))) {
      const f = join(configDir, 'projects', p, `${s.sessionId}.jsonl`)
      if (existsSync(f)) return f
    }
    throw new Error(`no session file for ${s.scenario}`)
  }
  const lines = (f: string) =>
    readFileSync(f, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
  const by = (name: string) => made.sessions.find((s) => s.scenario === name)!

  beforeAll(async () => {
    configDir = await mkdtemp(join(tmpdir(), 't2s-claude-'))
    made = await generateSessions(configDir)
  }, 240_000)

  it('writes sessions for two projects', () => {
    expect(made.sessions).toHaveLength(4)
    expect(readdirSync(join(configDir, 'projects'))).toHaveLength(2)
  })

  it('the write-file run wrote a real page', () => {
    const page = readFileSync(join(by('write-file').cwd, 'index.html'), 'utf8')
    expect(page).toContain('<h1>Acme Rockets</h1>')
  })

  it('the tool-errors run recorded failing tool results', () => {
    const errs = lines(fileOf(by('tool-errors')))
      .flatMap((r) => (r.type === 'user' && Array.isArray(r.message?.content) ? r.message.content : []))
      .filter((b) => b.type === 'tool_result' && b.is_error === true)
    expect(errs.length).toBeGreaterThanOrEqual(2)
  })

  it('the long run made more than 25 tool calls', () => {
    const uses = lines(fileOf(by('long')))
      .filter((r) => r.type === 'assistant')
      .flatMap((r) => r.message.content)
      .filter((b) => b.type === 'tool_use')
    expect(uses.length).toBeGreaterThan(25)
  })

  it('the subagent run has a sub-agent transcript', () => {
    const f = fileOf(by('subagent'))
    const dir = join(f.slice(0, -'.jsonl'.length), 'subagents')
    const agents = readdirSync(dir).filter((n) => n.startsWith('agent-') && n.endsWith('.jsonl'))
    expect(agents.length).toBeGreaterThanOrEqual(1)
    expect(lines(join(dir, agents[0])).length).toBeGreaterThan(0)
  })
})

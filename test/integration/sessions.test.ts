/**
 * Discovery, indexing, the CLI, the watcher and the archive over session files written by the real
 * Claude Code CLI against the scripted model server.
 */
import { appendFile, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import type { EventPayload } from '../../src/shared/contract'
import type { SessionSummary, TraceEvent } from '../../src/shared/trace'
import { generateSessions, runClaude, type GeneratedSession } from '../support/claude-harness'
import { cli } from '../support/cli'
import { startModelServer } from '../support/model-server'
import { prompt, scenarioScript } from '../support/scenarios'

const waitFor = async <T>(fn: () => T | undefined | Promise<T | undefined>, ms = 15_000): Promise<T> => {
  const until = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (v !== undefined) return v
    if (Date.now() > until) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe('sessions written by the real claude CLI', () => {
  let configDir: string
  let dataDir: string
  let made: { workspaces: string[]; sessions: GeneratedSession[] }
  let service: Service
  const by = (name: string) => made.sessions.find((s) => s.scenario === name)!
  const env = () => ({ CLAUDE_CONFIG_DIR: configDir, TRACE2SKILL_DATA_DIR: dataDir })

  beforeAll(async () => {
    configDir = await mkdtemp(join(tmpdir(), 't2s-int-claude-'))
    dataDir = await mkdtemp(join(tmpdir(), 't2s-int-data-'))
    made = await generateSessions(configDir)
    service = await createService({ configDir, dataDir, mode: 'web', version: 'test' })
  }, 240_000)
  afterAll(() => service?.dispose())

  const sessionsOf = async (cwd: string): Promise<SessionSummary[]> => {
    const project = (await service.handlers.listProjects({})).find((p) => p.cwd === cwd)!
    return service.handlers.listSessions({ projectId: project.id })
  }

  it('finds both projects by their real working directory', async () => {
    const projects = await service.handlers.listProjects({})
    expect(projects.map((p) => p.cwd).sort()).toEqual([...made.workspaces].sort())
    for (const p of projects) {
      expect(p.sessions).toBe(2)
      expect(p.bytes).toBeGreaterThan(0)
      expect(p.lastActivity).toBeTruthy()
    }
  })

  it('summarises each session from what the files contain', async () => {
    const all = [...(await sessionsOf(made.workspaces[0])), ...(await sessionsOf(made.workspaces[1]))]
    const s = (name: string) => all.find((x) => x.sessionId === by(name).sessionId)!
    expect(s('write-file').firstPrompt).toContain('SCENARIO:write-file')
    expect(s('write-file').toolCalls).toBe(2)
    expect(s('write-file').toolErrors).toBe(0)
    expect(s('tool-errors').toolErrors).toBeGreaterThanOrEqual(2)
    expect(s('long').toolCalls).toBeGreaterThan(25)
    expect(s('subagent').subagents).toBe(1)
    // the Agent call plus the sub-agent's own Bash call
    expect(s('subagent').toolCalls).toBe(2)
    // turns: the model's responses (src/shared/numbers.ts); the one prompt each was given
    expect(s('write-file').turns).toBe(3)
    expect(s('subagent').turns).toBe(3)
    for (const x of all) {
      expect(x.prompts).toBe(1)
      expect(x.costSource).toBe('claude-code')
      expect(x.models.length).toBeGreaterThan(0)
      expect(x.usage.input).toBeGreaterThan(0)
      expect(x.durationMs).toBeGreaterThanOrEqual(0)
      expect(x.start! <= x.end!).toBe(true)
    }
  })

  it('nests the sub-agent transcript under the Agent call that started it', async () => {
    const trace = await service.handlers.getTrace({ sessionId: by('subagent').sessionId })
    const call = trace.events.find((e) => e.kind === 'tool_call' && (e.name === 'Agent' || e.name === 'Task')) as Extract<
      TraceEvent,
      { kind: 'tool_call' }
    >
    expect(call.subagentId).toBeTruthy()
    const sub = trace.subagents.find((s) => s.agentId === call.subagentId)!
    expect(sub.parentToolUseId).toBe(call.id)
    expect(sub.description).toBe('Survey the workspace')
    const bash = sub.events.find((e) => e.kind === 'tool_call' && e.name === 'Bash') as Extract<TraceEvent, { kind: 'tool_call' }>
    expect(bash.result?.text).toContain('helper was here')
    // sub-agent lines never leak into the main timeline
    expect(trace.events.some((e) => e.kind === 'tool_call' && e.name === 'Bash')).toBe(false)
  })

  it('pairs failing tool calls with their error results', async () => {
    const trace = await service.handlers.getTrace({ sessionId: by('tool-errors').sessionId })
    const failed = trace.events.filter((e) => e.kind === 'tool_call' && e.result?.isError)
    expect(failed.length).toBeGreaterThanOrEqual(2)
    expect(trace.events.filter((e) => e.kind === 'unknown')).toEqual([])
  })

  it('searches the full text of a project', async () => {
    const project = (await service.handlers.listProjects({})).find((p) => p.cwd === by('write-file').cwd)!
    const hits = await service.handlers.searchSessions({ projectId: project.id, query: 'acme rockets' })
    expect(hits.map((h) => h.sessionId)).toEqual([by('write-file').sessionId])
    expect(hits[0].snippets[0].text.toLowerCase()).toContain('acme rockets')
    expect(await service.handlers.searchSessions({ projectId: project.id, query: 'zebra-unicorn-404' })).toEqual([])
  })

  describe('CLI', () => {
    it('projects --json', async () => {
      const r = await cli(['projects', '--json'], env())
      expect(r.code).toBe(0)
      expect(
        JSON.parse(r.stdout)
          .map((p: { cwd: string }) => p.cwd)
          .sort()
      ).toEqual([...made.workspaces].sort())
    })

    it('sessions <working dir> --json', async () => {
      const r = await cli(['sessions', by('long').cwd, '--json'], env())
      expect(r.code).toBe(0)
      const ids = JSON.parse(r.stdout).map((s: { sessionId: string }) => s.sessionId)
      expect(ids.sort()).toEqual(
        made.sessions
          .filter((s) => s.cwd === by('long').cwd)
          .map((s) => s.sessionId)
          .sort()
      )
    })

    it('trace <session-id> --json includes the sub-agent', async () => {
      const r = await cli(['trace', by('subagent').sessionId, '--json'], env())
      expect(r.code).toBe(0)
      const t = JSON.parse(r.stdout)
      expect(t.sessionId).toBe(by('subagent').sessionId)
      expect(t.subagents).toHaveLength(1)
    })

    it('index --json prints totals, and a warm re-index reads nothing', async () => {
      const freshData = await mkdtemp(join(tmpdir(), 't2s-int-data2-'))
      const cold = await cli(['index', '--json'], { ...env(), TRACE2SKILL_DATA_DIR: freshData })
      expect(cold.code).toBe(0)
      const t = JSON.parse(cold.stdout)
      expect(t.projects).toBe(2)
      expect(t.sessions).toBe(4)
      expect(t.toolErrors).toBeGreaterThanOrEqual(2)
      expect(t.toolCalls).toBeGreaterThan(29)
      expect(t.tokens).toBeGreaterThan(0)
      expect(t.bytesRead).toBeGreaterThan(0)
      const warm = JSON.parse((await cli(['index', '--json'], { ...env(), TRACE2SKILL_DATA_DIR: freshData })).stdout)
      expect(warm.bytesRead).toBe(0)
      expect({ ...warm, seconds: 0, bytesRead: 0 }).toEqual({ ...t, seconds: 0, bytesRead: 0 })
    })

    it('bad arguments exit non-zero with a one-line reason', async () => {
      for (const args of [['frobnicate'], ['sessions'], ['trace', 'a', 'b'], ['web', '--port', 'many'], ['projects', '--nope']]) {
        const r = await cli(args, env())
        expect(r.code, args.join(' ')).toBe(2)
        expect(r.stderr.trim().split('\n')).toHaveLength(1)
        expect(r.stdout).toBe('')
      }
      const missing = await cli(['trace', 'no-such-session'], env())
      expect(missing.code).toBe(1)
      expect(missing.stderr).toMatch(/session not found: no-such-session/)
    })
  })

  it('picks up new sessions and appends to live sessions (watcher)', async () => {
    const live = await createService({
      configDir,
      dataDir: await mkdtemp(join(tmpdir(), 't2s-int-live-')),
      mode: 'web',
      version: 'test',
      watch: true
    })
    try {
      await live.ready
      const events: EventPayload<'sessionsChanged'>[] = []
      live.hub.subscribe((event, payload) => {
        if (event === 'sessionsChanged') events.push(payload as EventPayload<'sessionsChanged'>)
      })
      const server = await startModelServer(scenarioScript())
      const r = await runClaude({ configDir, cwd: by('write-file').cwd, prompt: prompt('write-file', 'again'), serverUrl: server.url })
      await server.close()
      expect(r.code).toBe(0)
      const ev = await waitFor(() => events.find((e) => e.sessionIds.includes(r.sessionId)))
      const project = (await live.handlers.listProjects({})).find((p) => p.cwd === by('write-file').cwd)!
      expect(ev.projectId).toBe(project.id)
      expect(project.sessions).toBe(3)

      // Append to a live session: the watcher reports it and only the new bytes are read. First let the
      // watcher finish with the new session (on a busy machine its last writes are still being read).
      const target = (await live.handlers.listSessions({ projectId: project.id })).find((s) => s.sessionId === by('long').sessionId)!
      for (let last = -1; last !== live.index.bytesRead;) {
        last = live.index.bytesRead
        await new Promise((r) => setTimeout(r, 700))
      }
      events.length = 0
      const before = live.index.bytesRead
      const line =
        JSON.stringify({
          type: 'user',
          message: { role: 'user', content: 'one more thing' },
          timestamp: new Date().toISOString(),
          sessionId: target.sessionId,
          uuid: 'appended-1'
        }) + '\n'
      await appendFile(target.file, line)
      await waitFor(() => events.find((e) => e.sessionIds.includes(target.sessionId)))
      const after = (await live.handlers.listSessions({ projectId: project.id })).find((s) => s.sessionId === target.sessionId)!
      expect(after.lines).toBe(target.lines + 1)
      expect(after.prompts).toBe(target.prompts! + 1)
      expect(live.index.bytesRead - before).toBe(Buffer.byteLength(line))
    } finally {
      await live.dispose()
    }
  }, 120_000)

  it('a pinned session stays readable after Claude Code deletes it', async () => {
    const s = by('subagent')
    const pinned = await service.handlers.pinSession({ sessionId: s.sessionId, pinned: true })
    expect(pinned.pinned).toBe(true)
    expect(pinned.archived).toBe(true)
    const original = await service.handlers.getTrace({ sessionId: s.sessionId })
    await rm(pinned.file)
    await rm(pinned.file.replace(/\.jsonl$/, ''), { recursive: true })
    const listed = (await sessionsOf(s.cwd)).find((x) => x.sessionId === s.sessionId)!
    expect(listed.missing).toBe(true)
    expect(listed.archived).toBe(true)
    expect(listed.firstPrompt).toContain('SCENARIO:subagent')
    const restored = await service.handlers.getTrace({ sessionId: s.sessionId })
    expect(restored.fromArchive).toBe(true)
    expect(restored.events.length).toBe(original.events.length)
    expect(restored.subagents[0].events.length).toBe(original.subagents[0].events.length)
    // and the store on disk has it (read by a second, read-only process: the first still holds the folder)
    const again = await createService({ configDir, dataDir, mode: 'web', version: 'test', readOnly: true })
    expect((await again.handlers.getTrace({ sessionId: s.sessionId })).fromArchive).toBe(true)
    await again.dispose()
  })
})

describe('faults around discovery', () => {
  it('an unreadable project entry and a corrupt store do not stop the app', async () => {
    const configDir = await mkdtemp(join(tmpdir(), 't2s-fault-claude-'))
    const dataDir = await mkdtemp(join(tmpdir(), 't2s-fault-data-'))
    const good = join(configDir, 'projects', '-good')
    await mkdir(good, { recursive: true })
    await writeFile(
      join(good, 's1.jsonl'),
      JSON.stringify({ type: 'user', message: { role: 'user', content: 'hi' }, cwd: '/work/good', timestamp: '2026-01-01T00:00:00Z' }) +
        '\n'
    )
    // a directory named like a session, and a project that is a dangling link
    await mkdir(join(good, 'not-a-file.jsonl'))
    await symlink(join(configDir, 'nowhere'), join(configDir, 'projects', '-dangling'))
    await writeFile(join(dataDir, 'store.json'), '{ this is not json')
    const service = await createService({ configDir, dataDir, mode: 'web', version: 'test' })
    try {
      const info = await service.handlers.getAppInfo({})
      expect(info.notices.some((n) => /store could not be read/.test(n.message))).toBe(true)
      const projects = await service.handlers.listProjects({})
      expect(projects.map((p) => p.cwd)).toContain('/work/good')
      const sessions = await service.handlers.listSessions({ projectId: '-good' })
      expect(sessions.map((s) => s.sessionId)).toEqual(['s1'])
      await expect(service.handlers.listSessions({ projectId: '../../etc' })).rejects.toThrow(/not a project id/)
      await expect(
        service.handlers.getImage({ ref: { file: '/etc/passwd', offset: 0, length: 10, index: 0, mediaType: 'image/png', bytes: 1 } })
      ).rejects.toThrow(/refused/)
      // the moved-aside store keeps its bytes
      const st = await stat(dataDir)
      expect(st.isDirectory()).toBe(true)
      const aside = (await import('node:fs/promises')).readdir(dataDir)
      const name = (await aside).find((f) => f.includes('.corrupt-'))!
      expect(await readFile(join(dataDir, name), 'utf8')).toBe('{ this is not json')
    } finally {
      await service.dispose()
    }
  })
})

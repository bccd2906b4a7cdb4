/**
 * The project list shows projects with sessions: a folder Claude Code has just made for a run that is
 * starting (no session in it yet, or an empty session file) is not a project, and does not flicker
 * into the list as "-tmp-…-run-59-… 0 sessions".
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'

describe('projects without sessions', () => {
  let service: Service
  let configDir = ''
  beforeAll(async () => {
    configDir = await mkdtemp(join(tmpdir(), 't2s-ghost-claude-'))
    const projects = join(configDir, 'projects')
    // a real project: one session with a working directory
    await mkdir(join(projects, '-home-me-site'), { recursive: true })
    const sid = '11111111-1111-4111-8111-111111111111'
    await writeFile(
      join(projects, '-home-me-site', `${sid}.jsonl`),
      JSON.stringify({
        type: 'user',
        sessionId: sid,
        uuid: 'u1',
        cwd: '/home/me/site',
        timestamp: '2026-01-01T00:00:00.000Z',
        message: { role: 'user', content: 'Build a page' }
      }) + '\n'
    )
    // a run starting: its folder made, its session file not written yet
    await mkdir(join(projects, '-tmp-data-workspaces-b1-run-59-abcdef12'))
    await mkdir(join(projects, '-tmp-data-workspaces-b1-run-60-abcdef13'))
    await writeFile(join(projects, '-tmp-data-workspaces-b1-run-60-abcdef13', '22222222-2222-4222-8222-222222222222.jsonl'), '')
    service = await createService({
      configDir,
      dataDir: await mkdtemp(join(tmpdir(), 't2s-ghost-data-')),
      mode: 'web',
      version: 'test',
      env: {}
    })
  })
  afterAll(() => service?.dispose())

  it('lists only folders that hold a session', async () => {
    const projects = await service.handlers.listProjects({})
    expect(projects.map((p) => [p.cwd, p.sessions])).toEqual([['/home/me/site', 1]])
  })
})

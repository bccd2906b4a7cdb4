/**
 * Several trace2skill processes on one data folder (the built CLI, as a user runs it): the web mode
 * holds the folder; a CLI writer goes through it, a second web mode is refused and changes nothing; many read-only commands at once
 * all work and write nothing; every write of the writer survives.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, cli } from '../support/cli'
import { fixtureSessions } from '../support/fixture-sessions'
import { changed, readIndex, snapshot } from '../support/store-files'

/** `trace2skill web` as a user starts it; resolves with its URL and token once it listens. */
async function startWeb(env: Record<string, string>): Promise<{ proc: ChildProcess; base: string; token: string; stderr: () => string }> {
  const proc = spawn(process.execPath, [BIN, 'web', '--port', '0'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let err = ''
  proc.stderr!.on('data', (c) => (err += c))
  const url = await new Promise<string>((ok, fail) => {
    let out = ''
    proc.stdout!.on('data', (c) => {
      out += c
      const m = out.match(/(http:\/\/127\.0\.0\.1:\d+)\/\?token=(\S+)/)
      if (m) ok(`${m[1]} ${m[2]}`)
    })
    proc.on('exit', (code) => fail(new Error(`web exited ${code}: ${err}`)))
  })
  const [base, token] = url.split(' ')
  return { proc, base, token, stderr: () => err }
}

const stop = (proc: ChildProcess) =>
  new Promise<number | null>((ok) => {
    proc.once('exit', (code) => ok(code))
    proc.kill('SIGTERM')
  })

describe('one data folder, several processes', () => {
  let configDir: string
  let dataDir: string
  let ids: string[]
  const env = () => ({ CLAUDE_CONFIG_DIR: configDir, TRACE2SKILL_DATA_DIR: dataDir })

  beforeAll(async () => {
    configDir = await mkdtemp(join(tmpdir(), 't2s-dd-claude-'))
    dataDir = await mkdtemp(join(tmpdir(), 't2s-dd-data-'))
    ids = await fixtureSessions(configDir, 3)
  })

  let web: Awaited<ReturnType<typeof startWeb>> | null = null
  afterAll(async () => {
    if (web && web.proc.exitCode === null) await stop(web.proc)
  })

  const api = async (name: string, input: unknown) => {
    const res = await fetch(`${web!.base}/api/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-trace2skill-token': web!.token },
      body: JSON.stringify(input)
    })
    const body = await res.json()
    if (!res.ok) throw new Error(body.error)
    return body.value
  }
  const tasksOnDisk = async () =>
    Object.values((await readIndex(dataDir)).tasks)
      .map((t) => t.name)
      .sort()

  it('the web mode and the CLI: a CLI writer goes through it, a second web mode is refused, read-only commands work at once, nothing is lost', async () => {
    web = await startWeb(env())
    await api('saveTask', { name: 'from the web, first', text: 'do a thing' })
    expect(await tasksOnDisk()).toEqual(['from the web, first'])

    // A CLI writer while the web mode holds the folder goes through it (test/cli/through-app.test.ts):
    // here one that the web mode turns down (no claude at that path) before it saves anything.
    const before = await snapshot(dataDir)
    const task = join(configDir, 'task.json')
    await writeFile(task, JSON.stringify({ name: 'from the cli', text: 'do another thing' }))
    const vars = join(configDir, 'vars.txt')
    await writeFile(vars, '1. [easy] say hi\n')
    const through = await cli(
      ['run', '--task', task, '--variations', vars, '--preset', 'accept-edits', '--claude', join(configDir, 'no-claude')],
      env()
    )
    expect(through.code).toBe(1)
    expect(through.stderr).toContain(`the data folder is held by \`trace2skill web\` (pid ${web.proc.pid}): going through it`)
    expect(through.stderr).toMatch(/^trace2skill: .*no-claude.*--claude PATH/m)
    expect(changed(before, await snapshot(dataDir))).toEqual([])

    // Many read-only commands at once, beside the writer: all succeed and none writes the store.
    const project = '-tmp-landing'
    const commands = [
      ...ids.map((id) => ['trace', id, '--json']),
      ...ids.map((id) => ['trace', id, '--json']),
      ['projects', '--json'],
      ['projects', '--json'],
      ['sessions', project, '--json'],
      ['sessions', project, '--json'],
      ['index', '--json'],
      ['index', '--json']
    ]
    const results = await Promise.all(commands.map((c) => cli(c, env())))
    for (const [i, r] of results.entries()) {
      expect(r.stderr, commands[i].join(' ')).not.toMatch(/ENOENT|EEXIST|rename|in use by/)
      expect(r.code, `${commands[i].join(' ')}: ${r.stderr}`).toBe(0)
    }
    expect(JSON.parse(results[0].stdout).sessionId).toBe(ids[0])
    expect(changed(before, await snapshot(dataDir))).toEqual([])
    expect((await readdir(dataDir)).filter((f) => f.endsWith('.tmp'))).toEqual([])

    // A second web mode on the same folder is refused too (and exits).
    const second = await cli(['web', '--port', '0'], env())
    expect(second.code).toBe(1)
    expect(second.stderr).toContain('is in use by `trace2skill web`')

    // The writer goes on writing; everything it wrote is there after it stops.
    await api('saveTask', { name: 'from the web, second', text: 'and more' })
    expect(await stop(web.proc)).toBe(0)
    expect(await tasksOnDisk()).toEqual(['from the web, first', 'from the web, second'])

    // Once it has stopped, the folder is free for the next writer, which sees all of it.
    web = await startWeb(env())
    const tasks = (await api('listTasks', {})) as { name: string }[]
    expect(tasks.map((t) => t.name).sort()).toEqual(['from the web, first', 'from the web, second'])
    await api('saveTask', { name: 'from the second web', text: 'x' })
    expect(await stop(web.proc)).toBe(0)
    expect(await tasksOnDisk()).toEqual(['from the second web', 'from the web, first', 'from the web, second'])
  }, 120_000)
})

/**
 * What a run of the real `claude -p` gets from this machine: the app's settings only (not the user's
 * hooks, allow rules and MCP servers unless the batch opts in; never a template's project settings), a
 * minimal environment, its own temporary folder, no reads of well-known secrets, the config folder's
 * login and sessions or the app's data folder, and nothing left running after it ends.
 */
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import { runCli } from '../../src/main/cli/cli'
import type { Run, RunSettings } from '../../src/shared/runs'
import { CLAUDE_BIN, claudeEnv, REPO } from '../support/claude-harness'
import { startModelServer, type ModelServer, type Reply } from '../support/model-server'
import { prompt, scenarioScript } from '../support/scenarios'

const arg = (text: string, name: string) => text.match(new RegExp(`${name}=(\\S+)`))?.[1] ?? '/nonexistent'
const bash = (command: string): Reply => ({ toolUses: [{ name: 'Bash', input: { command, description: 'step' } }] })
const steps = (list: Reply[]) => (step: number) => list[Math.min(step, list.length - 1)]

/** is a pid alive (signal 0) */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}
const waitFor = async <T>(fn: () => T | undefined | Promise<T | undefined>, ms = 60_000): Promise<T | undefined> => {
  const until = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (v !== undefined || Date.now() > until) return v
    await new Promise((r) => setTimeout(r, 100))
  }
}

const SCENARIOS = {
  /** Bash in the workspace (a PostToolUse hook's trigger), then a Write outside it (only an allow rule lets it through). */
  'user-settings': ({ step, text }: { step: number; text: string }) =>
    steps([
      bash('echo inside > inside.txt'),
      { toolUses: [{ name: 'Write', input: { file_path: `${arg(text, 'OUT')}/allowed-by-user-rule.txt`, content: 'escaped\n' } }] },
      { text: 'done' }
    ])(step),
  /** The environment, then the secrets: by Bash, the Read tool and Grep; a plain file outside as the control. */
  snoop: ({ step, text }: { step: number; text: string }) => {
    const [home, cfg, data] = [arg(text, 'HOME'), arg(text, 'CFG'), arg(text, 'DATA')]
    return steps([
      bash(
        [
          'env > env.txt',
          `cat ${home}/.ssh/id_rsa`,
          `cat ${home}/.aws/credentials`,
          `cat ${cfg}/.credentials.json`,
          `cat ${cfg}/projects/-other/other.jsonl`,
          `cat ${data}/store/index.json`,
          `cat ${home}/notes.txt`,
          'echo rc=$?'
        ].join('; ')
      ),
      { toolUses: [{ name: 'Read', input: { file_path: `${home}/.ssh/id_rsa` } }] },
      { toolUses: [{ name: 'Read', input: { file_path: `${cfg}/.credentials.json` } }] },
      { toolUses: [{ name: 'Grep', input: { pattern: 'MARKER', path: `${cfg}/projects`, output_mode: 'content' } }] },
      { toolUses: [{ name: 'Read', input: { file_path: `${data}/store/index.json` } }] },
      { toolUses: [{ name: 'Read', input: { file_path: `${home}/notes.txt` } }] },
      { text: 'done' }
    ])(step)
  },
  /** A background process in a session of its own (it leaves the run's process group), its pid written down. */
  detach: ({ step }: { step: number }) =>
    steps([bash('setsid sleep 600 > /dev/null 2>&1 < /dev/null & echo $! > pid.txt; cat pid.txt'), { text: 'left one running' }])(step),
  /** A run that goes on for long enough to be killed in the middle. */
  linger: ({ step }: { step: number }) => (step >= 200 ? { text: 'done' } : { delayMs: 500, ...bash(`echo tick ${step}`) })
}

describe('a run gets the app settings, not the user’s or the template’s (real claude -p)', () => {
  let server: ModelServer
  let service: Service
  let configDir: string
  let marks: string
  let out: string
  let template: string
  beforeAll(async () => {
    server = await startModelServer(scenarioScript({ scenarios: SCENARIOS }))
    const root = await mkdtemp(join(tmpdir(), 't2s-iso-settings-'))
    configDir = join(root, 'claude-config')
    marks = join(root, 'marks')
    out = join(root, 'outside')
    template = join(root, 'template')
    for (const d of [configDir, marks, out, join(template, '.claude', 'skills', 'template-skill')]) await mkdir(d, { recursive: true })
    const hook = (name: string) => ({ hooks: [{ type: 'command', command: `echo ran >> ${marks}/${name}` }] })
    // the user's own Claude Code settings: a lint hook after every tool, a broad allow rule, an MCP server
    await writeFile(
      join(configDir, 'settings.json'),
      JSON.stringify({
        permissions: { allow: ['Write', 'Edit', 'WebFetch'] },
        hooks: { PostToolUse: [{ matcher: '', ...hook('user-post-tool-use') }], SessionStart: [hook('user-session-start')] }
      })
    )
    await writeFile(
      join(configDir, '.claude.json'),
      JSON.stringify({ mcpServers: { mine: { command: 'sh', args: ['-c', `echo ran >> ${marks}/user-mcp; exit 1`] } } })
    )
    // a template that carries project settings: hooks at session start and before every tool, an MCP server
    await writeFile(
      join(template, '.claude', 'settings.json'),
      JSON.stringify({
        permissions: { allow: ['Write'] },
        hooks: { SessionStart: [hook('template-session-start')], PreToolUse: [{ matcher: '', ...hook('template-pre-tool-use') }] }
      })
    )
    await writeFile(join(template, '.claude', 'settings.local.json'), JSON.stringify({ hooks: { SessionStart: [hook('template-local')] } }))
    await writeFile(
      join(template, '.mcp.json'),
      JSON.stringify({ mcpServers: { theirs: { command: 'sh', args: ['-c', `echo ran >> ${marks}/template-mcp; exit 1`] } } })
    )
    await writeFile(
      join(template, '.claude', 'skills', 'template-skill', 'SKILL.md'),
      '---\nname: template-skill\ndescription: A skill the template brings along.\n---\nUse it.\n'
    )
    await writeFile(join(template, 'CLAUDE.md'), 'TEMPLATE-MEMORY-MARKER: the project notes.\n')
    // a CLAUDE.md above the data folder (as ~/CLAUDE.md is above ~/.config/trace2skill)
    await writeFile(join(root, 'CLAUDE.md'), 'OUTER-MEMORY-MARKER: my personal notes.\n')
    const dataDir = join(root, 'data')
    service = await createService({ configDir, dataDir, mode: 'web', version: 'test', env: claudeEnv(configDir, server.url) })
  })
  afterAll(async () => {
    await service?.dispose()
    await server?.close()
  })

  const settings = (over: Partial<RunSettings>): RunSettings => ({
    concurrency: 1,
    maxTurns: 8,
    claudePath: CLAUDE_BIN,
    timeoutMs: 120_000,
    permission: 'sandboxed',
    allowedTools: ['Read', 'Write', 'Edit', 'Bash'],
    repeats: 1,
    ...over
  })
  const runOnce = async (taskId: string, s: RunSettings) => {
    const batch = await service.handlers.createBatch({ taskId, settings: s })
    await service.handlers.startBatch({ batchId: batch.id })
    await service.runner.idle(batch.id)
    const got = await service.handlers.getBatch({ batchId: batch.id })
    return { batch: got.batch, run: got.runs[0] as Run }
  }

  it('the user’s hooks, allow rules and MCP servers do not reach a run; the batch’s opt-in brings them back', async () => {
    const task = await service.handlers.saveTask({ name: 'User settings', text: 'Write a file.' })
    await service.handlers.saveVariations({
      taskId: task.id,
      variations: [{ difficulty: 'normal', prompt: prompt('user-settings', `OUT=${out}`) }]
    })

    const plain = await runOnce(task.id, settings({}))
    expect(plain.run.state, plain.run.reason).toBe('done')
    expect(plain.run.files.map((f) => f.path)).toEqual(['inside.txt'])
    // no hook ran, no MCP server started, the allow rule did not let the Write out
    expect(await readdir(marks)).toEqual([])
    expect(await readdir(out)).toEqual([])
    const trace = await service.handlers.getTrace({ sessionId: plain.run.sessionId })
    expect(JSON.stringify(trace.events)).toMatch(/requested permissions to write/)
    expect(plain.batch.settings.useMyClaudeSettings ?? false).toBe(false)

    // the control: with the opt-in, the same run picks up the user's settings
    const mine = await runOnce(task.id, settings({ useMyClaudeSettings: true }))
    expect(mine.run.state, mine.run.reason).toBe('done')
    expect(mine.batch.settings.useMyClaudeSettings).toBe(true)
    expect((await readdir(marks)).sort()).toEqual(['user-mcp', 'user-post-tool-use', 'user-session-start'])
    expect(await readdir(out)).toEqual(['allowed-by-user-rule.txt'])
  }, 180_000)

  it('a template’s project settings never load; its skills and CLAUDE.md still do, and what .claude/ holds is said before the run', async () => {
    const task = await service.handlers.saveTask({ name: 'Template', text: 'Write a file.', templateDir: template })
    await service.handlers.saveVariations({
      taskId: task.id,
      variations: [{ difficulty: 'normal', prompt: prompt('user-settings', `OUT=${out}/t`) }]
    })
    await mkdir(join(out, 't'))

    // before any run: the task's template and what of it will not load
    const seen = await service.handlers.inspectTemplate({ taskId: task.id })
    expect(seen?.entries.map((e) => [e.path, e.loaded])).toEqual([
      ['.claude/settings.json', false],
      ['.claude/settings.local.json', false],
      ['.claude/skills/template-skill', true],
      ['.mcp.json', false],
      ['CLAUDE.md', true]
    ])
    expect(seen?.entries[0].detail).toBe('hooks: SessionStart, PreToolUse; allow rules: Write')
    expect(seen?.entries[3].detail).toBe('MCP servers: theirs')

    const before = server.requests.length
    for (const useMyClaudeSettings of [false, true]) {
      const { run } = await runOnce(task.id, settings({ useMyClaudeSettings }))
      expect(run.state, run.reason).toBe('done')
      // the template's settings files are not in the run's folder, and their absence is not an output of the run
      expect(existsSync(join(run.workspace!, '.claude', 'settings.json'))).toBe(false)
      expect(run.files.map((f) => f.path)).toEqual(['inside.txt'])
      // no hook of the template ran; its allow rule let nothing out (with the opt-in, the user's own rule does)
      expect((await readdir(marks)).filter((n) => n.startsWith('template-'))).toEqual([])
      if (!useMyClaudeSettings) expect(await readdir(join(out, 't'))).toEqual([])
    }
    // the template's skill and its CLAUDE.md still reach the model (verification installs its skill there too)
    const asked = JSON.stringify(server.requests.slice(before).map((r) => r.body))
    expect(asked).toContain('template-skill')
    expect(asked).toContain('TEMPLATE-MEMORY-MARKER')
    // and nothing from the folders above the run's
    expect(asked).not.toContain('OUTER-MEMORY-MARKER')
  }, 180_000)

  it('the CLI says what the template’s .claude/ holds and that its settings will not load', async () => {
    const dir = await mkdtemp(join(tmpdir(), 't2s-iso-cli-'))
    await writeFile(join(dir, 'task.json'), JSON.stringify({ name: 'CLI', text: 'Do it.', templateDir: template }))
    await writeFile(join(dir, 'variations.txt'), `1. ${prompt('user-settings', `OUT=${out}/cli`)}\n`)
    await mkdir(join(out, 'cli'))
    const err: string[] = []
    const code = await runCli(
      ['run', '--task', join(dir, 'task.json'), '--variations', join(dir, 'variations.txt'), '--claude', CLAUDE_BIN, '--json'],
      {
        out: () => {},
        err: (t) => err.push(t),
        env: { ...claudeEnv(configDir, server.url), TRACE2SKILL_DATA_DIR: join(dir, 'data'), CHROMIUM_PATH: '/nonexistent' }
      }
    )
    expect(code, err.join('\n')).toBe(0)
    const text = err.join('\n')
    expect(text).toContain(
      `template ${template}:\n  .claude/settings.json (hooks: SessionStart, PreToolUse; allow rules: Write): not loaded`
    )
    expect(text).toMatch(/^ {2}\.claude\/skills\/template-skill: loaded$/m)
    expect(text).toMatch(/your own Claude Code settings \(hooks, allow rules, MCP servers\) are not used/)
  }, 120_000)
})

describe('the login still works without the user’s settings (real claude -p)', () => {
  it('an apiKeyHelper in the user’s settings authenticates the run; their hooks still do not run', async () => {
    const server = await startModelServer(scenarioScript({ scenarios: SCENARIOS }))
    const root = await mkdtemp(join(tmpdir(), 't2s-iso-login-'))
    const configDir = join(root, 'claude-config')
    const marks = join(root, 'marks')
    for (const d of [configDir, marks]) await mkdir(d, { recursive: true })
    await writeFile(
      join(configDir, 'settings.json'),
      JSON.stringify({
        apiKeyHelper: 'echo key-from-helper',
        hooks: { SessionStart: [{ hooks: [{ type: 'command', command: `echo ran >> ${marks}/hook` }] }] }
      })
    )
    const env = claudeEnv(configDir, server.url)
    delete env.ANTHROPIC_API_KEY
    const service = await createService({ configDir, dataDir: join(root, 'data'), mode: 'web', version: 'test', env })
    try {
      const task = await service.handlers.saveTask({ name: 'Login', text: 'Say hello.' })
      await service.handlers.saveVariations({
        taskId: task.id,
        variations: [{ difficulty: 'easy', prompt: prompt('user-settings', `OUT=${root}`) }]
      })
      const batch = await service.handlers.createBatch({
        taskId: task.id,
        settings: {
          concurrency: 1,
          maxTurns: 6,
          claudePath: CLAUDE_BIN,
          timeoutMs: 120_000,
          permission: 'sandboxed',
          allowedTools: ['Bash'],
          repeats: 1
        }
      })
      await service.handlers.startBatch({ batchId: batch.id })
      await service.runner.idle(batch.id)
      const [run] = (await service.handlers.getBatch({ batchId: batch.id })).runs as Run[]
      expect(run.state, run.reason).toBe('done')
      const keys = server.requests.filter((r) => r.path.startsWith('/v1/messages')).map((r) => r.headers['x-api-key'])
      expect(keys.length).toBeGreaterThan(0)
      expect(new Set(keys)).toEqual(new Set(['key-from-helper']))
      expect(await readdir(marks)).toEqual([])
    } finally {
      await service.dispose()
      await server.close()
    }
  }, 120_000)
})

describe('a run’s environment, reads and temporary folder (real claude -p)', () => {
  let server: ModelServer
  let service: Service
  let configDir: string
  let dataDir: string
  let home: string
  const SECRETS = ['SSH-KEY-MARKER', 'AWS-KEY-MARKER', 'OAUTH-TOKEN-MARKER', 'OTHER-SESSION-MARKER', 'OTHER-BATCH-PROMPT-MARKER']
  beforeAll(async () => {
    server = await startModelServer(scenarioScript({ scenarios: SCENARIOS }))
    const root = await mkdtemp(join(tmpdir(), 't2s-iso-env-'))
    configDir = join(root, 'claude-config')
    dataDir = join(root, 'data')
    home = join(root, 'home')
    for (const d of [join(home, '.ssh'), join(home, '.aws'), join(configDir, 'projects', '-other')]) await mkdir(d, { recursive: true })
    await writeFile(join(home, '.ssh', 'id_rsa'), 'SSH-KEY-MARKER\n')
    await writeFile(join(home, '.aws', 'credentials'), 'AWS-KEY-MARKER\n')
    await writeFile(join(home, 'notes.txt'), 'PLAIN-NOTE-MARKER\n')
    await writeFile(join(configDir, '.credentials.json'), '{"token":"OAUTH-TOKEN-MARKER"}\n')
    await writeFile(join(configDir, 'projects', '-other', 'other.jsonl'), '{"text":"OTHER-SESSION-MARKER"}\n')
    service = await createService({
      configDir,
      dataDir,
      mode: 'web',
      version: 'test',
      env: claudeEnv(configDir, server.url, { HOME: home, T2S_APP_SECRET: 'APP-SECRET-MARKER' })
    })
    // another task's prompt, in the app's data folder
    const other = await service.handlers.saveTask({ name: 'Other', text: 'Other work.' })
    await service.handlers.saveVariations({ taskId: other.id, variations: [{ difficulty: 'easy', prompt: 'OTHER-BATCH-PROMPT-MARKER' }] })
  })
  afterAll(async () => {
    await service?.dispose()
    await server?.close()
  })

  const settings = (over: Partial<RunSettings>): RunSettings => ({
    concurrency: 2,
    maxTurns: 10,
    claudePath: CLAUDE_BIN,
    timeoutMs: 120_000,
    permission: 'sandboxed',
    allowedTools: ['Read', 'Write', 'Edit', 'Bash', 'Grep', 'Glob'],
    repeats: 1,
    ...over
  })

  it('no secret of the app’s environment, no secret file, no other session or batch reaches a run; each run has its own TMPDIR', async () => {
    // the control: the files the run is denied are there, and readable by anyone else
    expect(readFileSync(join(dataDir, 'store', 'index.json'), 'utf8')).toContain('OTHER-BATCH-PROMPT-MARKER')
    const task = await service.handlers.saveTask({ name: 'Snoop', text: 'Look around.' })
    const words = `HOME=${home} CFG=${configDir} DATA=${dataDir}`
    await service.handlers.saveVariations({
      taskId: task.id,
      variations: [
        { difficulty: 'adversarial', prompt: prompt('snoop', `one ${words}`) },
        { difficulty: 'adversarial', prompt: prompt('snoop', `two ${words}`) }
      ]
    })
    const batch = await service.handlers.createBatch({ taskId: task.id, settings: settings({}) })
    await service.handlers.startBatch({ batchId: batch.id })
    await service.runner.idle(batch.id)
    const runs = (await service.handlers.getBatch({ batchId: batch.id })).runs as Run[]
    const tmpdirs: string[] = []
    for (const run of runs) {
      expect(run.state, run.reason).toBe('done')
      const trace = await service.handlers.getTrace({ sessionId: run.sessionId })
      const results = trace.events.filter((e) => e.kind === 'tool_call').map((e) => JSON.stringify(e.result ?? ''))
      // nothing secret came back, by Bash, Read or Grep; the plain file came back by Bash and by Read
      for (const s of SECRETS) expect(results.join('\n')).not.toContain(s)
      expect(results[0]).toContain('PLAIN-NOTE-MARKER')
      expect(results[5]).toContain('PLAIN-NOTE-MARKER')
      expect(results[1]).toMatch(/denied/)
      expect(results[2]).toMatch(/denied/)
      expect(results[3]).toMatch(/denied/)
      expect(results[4]).toMatch(/denied/)
      // the environment: what claude needs, not the app's secret
      const env = await readFile(join(run.workspace!, 'env.txt'), 'utf8')
      expect(env).not.toContain('APP-SECRET-MARKER')
      expect(env).toMatch(/^PATH=/m)
      expect(env).toMatch(new RegExp(`^HOME=${home}$`, 'm'))
      const tmp = env.match(/^TMPDIR=(.*)$/m)?.[1] ?? ''
      tmpdirs.push(tmp)
      // its own temporary folder: not the one every Claude session shares, not in its workspace, gone after the run
      expect(tmp).not.toBe('')
      expect(tmp.startsWith(run.workspace!)).toBe(false)
      expect(tmp.startsWith(join(tmpdir(), 'claude-'))).toBe(false)
      expect(existsSync(tmp)).toBe(false)
      expect(run.files.map((f) => f.path)).toEqual(['env.txt'])
    }
    expect(new Set(tmpdirs).size).toBe(2)
  }, 180_000)

  it('Accept edits: the Read tool is denied the same secrets (Bash is not confined there)', async () => {
    const task = await service.handlers.saveTask({ name: 'Snoop AE', text: 'Look around.' })
    await service.handlers.saveVariations({
      taskId: task.id,
      variations: [{ difficulty: 'adversarial', prompt: prompt('snoop', `ae HOME=${home} CFG=${configDir} DATA=${dataDir}`) }]
    })
    const batch = await service.handlers.createBatch({ taskId: task.id, settings: settings({ permission: 'accept-edits' }) })
    await service.handlers.startBatch({ batchId: batch.id })
    await service.runner.idle(batch.id)
    const [run] = (await service.handlers.getBatch({ batchId: batch.id })).runs as Run[]
    expect(run.state, run.reason).toBe('done')
    const trace = await service.handlers.getTrace({ sessionId: run.sessionId })
    const results = trace.events.filter((e) => e.kind === 'tool_call').map((e) => JSON.stringify(e.result ?? ''))
    for (const i of [1, 2, 3, 4]) for (const s of SECRETS) expect(results[i]).not.toContain(s)
    expect(results[5]).toContain('PLAIN-NOTE-MARKER')
    expect(await readFile(join(run.workspace!, 'env.txt'), 'utf8')).not.toContain('APP-SECRET-MARKER')
  }, 120_000)

  it('Accept edits: a process the run started in a session of its own (setsid) is ended with the run', async () => {
    const task = await service.handlers.saveTask({ name: 'Detach', text: 'Leave something running.' })
    await service.handlers.saveVariations({ taskId: task.id, variations: [{ difficulty: 'adversarial', prompt: prompt('detach') }] })
    const batch = await service.handlers.createBatch({ taskId: task.id, settings: settings({ permission: 'accept-edits' }) })
    await service.handlers.startBatch({ batchId: batch.id })
    await service.runner.idle(batch.id)
    const [run] = (await service.handlers.getBatch({ batchId: batch.id })).runs as Run[]
    expect(run.state, run.reason).toBe('done')
    const pid = Number((await readFile(join(run.workspace!, 'pid.txt'), 'utf8')).trim())
    expect(pid).toBeGreaterThan(1)
    try {
      expect(await waitFor(() => (alive(pid) ? undefined : true), 10_000)).toBe(true)
    } finally {
      if (alive(pid)) process.kill(pid, 'SIGKILL')
    }
  }, 120_000)

  it('the app killed mid-run: its claude does not go on without it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 't2s-iso-orphan-'))
    await writeFile(join(dir, 'task.json'), JSON.stringify({ name: 'Orphan', text: 'Go on.' }))
    await writeFile(join(dir, 'variations.txt'), `1. ${prompt('linger')}\n`)
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(REPO, 'src', 'main', 'cli', 'index.ts'),
        'run',
        '--task',
        join(dir, 'task.json'),
        '--variations',
        join(dir, 'variations.txt'),
        '--claude',
        CLAUDE_BIN,
        '--preset',
        'accept-edits'
      ],
      {
        cwd: REPO,
        env: { ...claudeEnv(configDir, server.url), TRACE2SKILL_DATA_DIR: join(dir, 'data'), CHROMIUM_PATH: '/nonexistent' },
        stdio: 'ignore'
      }
    )
    try {
      // the run's claude, found by its marker in the environment of every process it starts
      const found = await waitFor(async () => {
        for (const pid of await readdir('/proc').catch(() => [])) {
          if (!/^\d+$/.test(pid)) continue
          const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
          // claude itself (argv[0]), not what started it
          if (/claude(\.exe)?$/.test(cmd.split('\0')[0]) && cmd.includes('SCENARIO:linger')) {
            const ticks = server.requests.filter((r) => JSON.stringify(r.body).includes('tick 1')).length
            if (ticks) return Number(pid)
          }
        }
        return undefined
      }, 90_000)
      expect(found).toBeGreaterThan(1)
      child.kill('SIGKILL')
      await new Promise((r) => child.on('close', r))
      expect(await waitFor(() => (alive(found!) ? undefined : true), 20_000)).toBe(true)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  }, 180_000)
})

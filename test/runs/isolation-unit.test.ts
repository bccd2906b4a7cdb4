/**
 * The parts of a run's isolation that need no claude: its environment, what it may not read, the
 * arguments and settings that make its settings the app's, the template's settings files taken out of
 * its folder, and what a template's .claude/ holds.
 */
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { claudeArgs, runSettings } from '../../src/main/agents/claude-code/args'
import { isolateRun, outerMemoryFiles, readDenials, readRules, runIsolation } from '../../src/main/agents/claude-code/isolation'
import { loginSettings, runEnvironment } from '../../src/main/agents/claude-code/env'
import { inspectTemplate, removeProjectSettings, templateLines } from '../../src/main/agents/claude-code/template'
import { RUN_MARKER } from '../../src/main/base/processes'
import { RunSettingsSchema } from '../../src/shared/runs'

const argAfter = (args: string[], flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined)

describe('a run’s environment', () => {
  const app = {
    PATH: '/usr/bin',
    HOME: '/home/me',
    LANG: 'en_US.UTF-8',
    LC_ALL: 'en_US.UTF-8',
    TERM: 'xterm',
    HTTPS_PROXY: 'http://proxy:3128',
    no_proxy: 'localhost',
    ANTHROPIC_API_KEY: 'sk-ant-x',
    ANTHROPIC_BASE_URL: 'http://127.0.0.1:9',
    CLAUDE_CODE_USE_BEDROCK: '0',
    AWS_SECRET_ACCESS_KEY: 'aws-secret',
    GITHUB_TOKEN: 'ghp_secret',
    DATABASE_URL: 'postgres://secret',
    SSH_AUTH_SOCK: '/tmp/ssh-agent.sock',
    NODE_OPTIONS: '--require /tmp/evil.js',
    TRACE2SKILL_DATA_DIR: '/home/me/.config/trace2skill',
    CLAUDE_CONFIG_DIR: '/elsewhere',
    TMPDIR: '/tmp',
    CLAUDE_CODE_SUBPROCESS_ENV_SCRUB: '1'
  }
  it('keeps what claude needs and nothing else; sets its config folder, TMPDIR and marker', () => {
    const env = runEnvironment(app, {
      configDir: '/home/me/.claude',
      tmpDir: '/tmp/trace2skill-1000/run-x',
      marker: 'sid',
      platform: 'linux'
    })
    expect(env).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/me',
      LANG: 'en_US.UTF-8',
      LC_ALL: 'en_US.UTF-8',
      TERM: 'xterm',
      HTTPS_PROXY: 'http://proxy:3128',
      no_proxy: 'localhost',
      ANTHROPIC_API_KEY: 'sk-ant-x',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:9',
      CLAUDE_CODE_USE_BEDROCK: '0',
      CLAUDE_CONFIG_DIR: '/home/me/.claude',
      TMPDIR: '/tmp/trace2skill-1000/run-x',
      [RUN_MARKER]: 'sid'
    })
  })
  it('Bedrock and Vertex get their cloud’s variables only when claude is told to use them', () => {
    expect(
      runEnvironment({ ...app, CLAUDE_CODE_USE_BEDROCK: '1' }, { configDir: '/c', tmpDir: '/t', marker: 'm' }).AWS_SECRET_ACCESS_KEY
    ).toBe('aws-secret')
    const vertex = runEnvironment(
      { CLAUDE_CODE_USE_VERTEX: 'true', CLOUD_ML_REGION: 'us-east5', GOOGLE_APPLICATION_CREDENTIALS: '/k.json', AWS_REGION: 'x' },
      { configDir: '/c', tmpDir: '/t', marker: 'm' }
    )
    expect(vertex).toMatchObject({ CLOUD_ML_REGION: 'us-east5', GOOGLE_APPLICATION_CREDENTIALS: '/k.json' })
    expect(vertex.AWS_REGION).toBeUndefined()
  })
  it('Windows: names in any case, TMP and TEMP too, one spelling of each', () => {
    const env = runEnvironment(
      { Path: 'C:\\Windows', SystemRoot: 'C:\\Windows', USERPROFILE: 'C:\\Users\\me', Temp: 'C:\\Temp', Secret: 'x' },
      { configDir: 'C:\\Users\\me\\.claude', tmpDir: 'C:\\t\\run', marker: 'm', platform: 'win32' }
    )
    expect(env).toEqual({
      Path: 'C:\\Windows',
      SystemRoot: 'C:\\Windows',
      USERPROFILE: 'C:\\Users\\me',
      CLAUDE_CONFIG_DIR: 'C:\\Users\\me\\.claude',
      TMPDIR: 'C:\\t\\run',
      TMP: 'C:\\t\\run',
      TEMP: 'C:\\t\\run',
      [RUN_MARKER]: 'm'
    })
  })
})

describe('what a run may not read', () => {
  it('secret places at home, the config folder and the data folder, but its own workspace and temporary folder', async () => {
    const root = await mkdtemp(join(tmpdir(), 't2s-deny-'))
    const [home, config, data, tmpRoot] = ['home', 'home/.claude', 'home/.config/trace2skill', 'tmp'].map((p) => join(root, p))
    const workspace = join(data, 'workspaces', 'b1', 'run-1')
    for (const d of [
      workspace,
      join(data, 'workspaces', 'b1', 'run-2'),
      join(data, 'workspaces', 'b2'),
      join(data, 'store'),
      join(config, 'projects'),
      join(config, 'skills'),
      join(tmpRoot, 'run-a')
    ])
      await mkdir(d, { recursive: true })
    await writeFile(join(data, 'api-key.bin'), 'x')
    const d = await readDenials({ home, configDir: config, dataDir: data, workspace, tmpDir: join(tmpRoot, 'run-a'), tmpRoot })
    expect(d.tools).toEqual(expect.arrayContaining([join(home, '.ssh'), join(home, '.aws'), join(home, '.docker/config.json')]))
    expect(d.tools).toEqual(expect.arrayContaining([join(config, 'projects'), join(config, '.credentials.json'), join(config, 'skills')]))
    expect(d.tools).toEqual(
      expect.arrayContaining([
        join(data, 'store'),
        join(data, 'api-key.bin'),
        join(data, 'runs'),
        join(data, 'workspaces', 'b2'),
        join(data, 'workspaces', 'b1', 'run-2')
      ])
    )
    // never the run's own folders, nor the folders on the way to them
    for (const own of [workspace, join(data, 'workspaces'), join(data, 'workspaces', 'b1'), data, home, join(home, '.claude')])
      expect(d.tools).not.toContain(own)
    expect(d.sandbox).toEqual({ denyRead: expect.arrayContaining([config, data, tmpRoot]), allowRead: [workspace, join(tmpRoot, 'run-a')] })
    // with the person's settings, their skills stay readable
    const mine = await readDenials({
      home,
      configDir: config,
      dataDir: data,
      workspace,
      tmpDir: join(tmpRoot, 'run-a'),
      tmpRoot,
      useMine: true
    })
    expect(mine.tools).not.toContain(join(config, 'skills'))
    expect(mine.tools).toContain(join(config, 'projects'))
    expect(mine.sandbox.allowRead).toEqual(expect.arrayContaining([join(config, 'skills'), join(config, 'plugins')]))
    expect(readRules(['/a/b'])).toEqual(['Read(//a/b)', 'Read(//a/b/**)'])
  })
})

describe('the arguments and settings of a run', () => {
  const base = RunSettingsSchema.parse({ allowedTools: ['Read', 'Write', 'Bash'] })
  const denials = { tools: ['/home/me/.ssh'], sandbox: { denyRead: ['/data'], allowRead: ['/data/w/1'] } }
  it('the app’s settings only: project settings source (skills, CLAUDE.md), no MCP servers, no hooks, the deny rules', () => {
    const iso = runIsolation(denials, false)
    const args = claudeArgs('do it', 'sid', { ...base, permission: 'sandboxed' }, { isolation: iso })
    expect(argAfter(args, '--setting-sources')).toBe('project')
    expect(args).toContain('--strict-mcp-config')
    expect(JSON.parse(argAfter(args, '--settings')!)).toEqual({
      disableAllHooks: true,
      permissions: { deny: ['Read(//home/me/.ssh)', 'Read(//home/me/.ssh/**)'] },
      sandbox: {
        enabled: true,
        failIfUnavailable: true,
        allowUnsandboxedCommands: false,
        network: { allowedDomains: [] },
        filesystem: { denyRead: ['/data'], allowRead: ['/data/w/1'] }
      }
    })
    // every preset gets the deny rules and no hooks; only Sandboxed has the sandbox
    for (const permission of ['accept-edits', 'full-access'] as const) {
      const s = runSettings({ ...base, permission }, iso)
      expect(s).toEqual({ disableAllHooks: true, permissions: { deny: ['Read(//home/me/.ssh)', 'Read(//home/me/.ssh/**)'] } })
    }
  })
  it('leaves out the CLAUDE.md files of every folder above the run’s, not its own', () => {
    const files = outerMemoryFiles('/home/me/.config/trace2skill/workspaces/b/run-1')
    expect(files).toContain('/home/me/CLAUDE.md')
    expect(files).toContain('/home/me/.claude/CLAUDE.md')
    expect(files).toContain('/CLAUDE.local.md')
    expect(files.some((f) => f.startsWith('/home/me/.config/trace2skill/workspaces/b/run-1/'))).toBe(false)
    expect(runIsolation(denials, false, {}, '/w/run').settings.claudeMdExcludes).toEqual(outerMemoryFiles('/w/run'))
  })
  it('the opt-in: the user’s settings and MCP servers load, hooks run; the deny rules stay', () => {
    const iso = runIsolation(denials, true)
    const args = claudeArgs(
      'do it',
      'sid',
      { ...base, permission: 'accept-edits' },
      { isolation: iso, settingsFile: '/logs/claude-settings.json' }
    )
    expect(argAfter(args, '--setting-sources')).toBe('user,project')
    expect(args).not.toContain('--strict-mcp-config')
    expect(argAfter(args, '--settings')).toBe('/logs/claude-settings.json')
    expect(runSettings({ ...base, permission: 'accept-edits' }, iso)).toEqual({
      permissions: { deny: ['Read(//home/me/.ssh)', 'Read(//home/me/.ssh/**)'] }
    })
  })
  it('keeps the login part of the user’s settings (how claude authenticates), nothing else of them', async () => {
    const config = await mkdtemp(join(tmpdir(), 't2s-login-'))
    expect(await loginSettings(config)).toEqual({})
    await writeFile(
      join(config, 'settings.json'),
      JSON.stringify({
        apiKeyHelper: '~/bin/get-key',
        awsAuthRefresh: 'aws sso login',
        env: { ANTHROPIC_BASE_URL: 'https://gw.example', CLAUDE_CONFIG_DIR: '/x', TMPDIR: '/x', GITHUB_TOKEN: 'secret', N: 3 },
        hooks: { PostToolUse: [] },
        permissions: { allow: ['Write'] }
      })
    )
    const login = await loginSettings(config)
    expect(login).toEqual({
      apiKeyHelper: '~/bin/get-key',
      awsAuthRefresh: 'aws sso login',
      env: { ANTHROPIC_BASE_URL: 'https://gw.example' }
    })
    expect(runIsolation(denials, false, login).settings).toEqual({
      ...login,
      disableAllHooks: true,
      permissions: { deny: readRules(denials.tools) }
    })
    // with the opt-in the user's settings load as they are: nothing is copied
    expect(runIsolation(denials, true, login).settings).toEqual({ permissions: { deny: readRules(denials.tools) } })
  })
  it('readies a run in the place its backend made: settings written where the run cannot read them, its temporary folder and marker', async () => {
    const root = await mkdtemp(join(tmpdir(), 't2s-ready-'))
    const [config, data, logDir, tmpRoot] = ['claude', 'data', 'data/runs/r1', 'tmp'].map((p) => join(root, p))
    const workspace = join(data, 'workspaces', 'b', 'run-1')
    const tmpDir = join(tmpRoot, 'run-0123abcd-x')
    for (const dir of [config, logDir, workspace, tmpDir]) await mkdir(dir, { recursive: true })
    const marker = { name: RUN_MARKER, value: '0123abcd-0000-0000-0000-000000000000' }
    const run = await isolateRun({
      prompt: 'p',
      sessionId: '0123abcd-0000-0000-0000-000000000000',
      settings: { ...base, permission: 'sandboxed' },
      appEnv: { PATH: '/usr/bin', HOME: root, SECRET: 'x' },
      configDir: config,
      dataDir: data,
      workspace,
      logDir,
      tmpDir,
      tmpRoot,
      marker
    })
    expect(run.env.TMPDIR).toBe(tmpDir)
    expect(run.env.SECRET).toBeUndefined()
    expect(run.env[RUN_MARKER]).toBe(marker.value)
    const file = argAfter(run.args, '--settings')!
    expect(file).toBe(join(logDir, 'claude-settings.json'))
    const written = JSON.parse(await readFile(file, 'utf8'))
    expect(written.sandbox.filesystem.allowRead).toContain(workspace)
    expect(written.sandbox.filesystem.allowRead).toContain(tmpDir)
    expect(written.sandbox.filesystem.denyRead).toContain(tmpRoot)
    expect(written.permissions.deny).toContain(`Read(/${join(config, 'projects')})`)
  })
})

describe('a template’s Claude Code files', () => {
  it('says what .claude/ holds and what loads; takes the settings out of a run’s folder, a linked .claude too', async () => {
    const t = await mkdtemp(join(tmpdir(), 't2s-template-'))
    await mkdir(join(t, '.claude', 'skills', 'one'), { recursive: true })
    await mkdir(join(t, '.claude', 'agents'), { recursive: true })
    await writeFile(join(t, '.claude', 'agents', 'reviewer.md'), '---\nname: reviewer\n---\n')
    await writeFile(join(t, '.claude', 'settings.json'), JSON.stringify({ hooks: { PostToolUse: [] }, model: 'x', $schema: 's' }))
    await writeFile(join(t, '.claude', 'settings.local.json'), '{not json')
    await writeFile(join(t, '.claude', 'notes\u001b[2J.txt'), 'x')
    await writeFile(join(t, '.mcp.json'), JSON.stringify({ mcpServers: { a: {}, b: {} } }))
    const entries = await inspectTemplate(t)
    expect(templateLines(entries)).toEqual([
      '  .claude/agents/reviewer.md: loaded',
      '  .claude/notes?[2J.txt: not loaded',
      '  .claude/settings.json (hooks: PostToolUse; other settings: model): not loaded',
      '  .claude/settings.local.json (not valid JSON): not loaded',
      '  .claude/skills/one: loaded',
      '  .mcp.json (MCP servers: a, b): not loaded'
    ])
    expect(await removeProjectSettings(t)).toEqual(['.claude/settings.json', '.claude/settings.local.json', '.mcp.json'])
    expect(existsSync(join(t, '.claude', 'skills', 'one'))).toBe(true)
    expect(await inspectTemplate(await mkdtemp(join(tmpdir(), 't2s-empty-')))).toEqual([])

    const linked = await mkdtemp(join(tmpdir(), 't2s-linked-'))
    const target = await mkdtemp(join(tmpdir(), 't2s-target-'))
    await writeFile(join(target, 'settings.json'), '{}')
    await symlink(target, join(linked, '.claude'))
    expect(await inspectTemplate(linked)).toEqual([
      { path: '.claude', kind: 'other', loaded: false, detail: 'a link: not followed, left out of each run’s folder' }
    ])
    expect(await removeProjectSettings(linked)).toEqual(['.claude'])
    // the link went, not what it pointed at
    expect(existsSync(join(target, 'settings.json'))).toBe(true)
  })
})

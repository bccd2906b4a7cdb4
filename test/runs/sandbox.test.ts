/**
 * Sandboxed runs: the permission presets' claude arguments, the preflight's messages, and real
 * `claude -p` runs (through the service and its runner) whose Bash tries to leave the workspace:
 * blocked under Sandboxed, let through under Accept edits (the control that shows the test can fail).
 */
import { mkdir, mkdtemp, readdir, symlink, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import { runCli } from '../../src/main/cli/cli'
import { claudeArgs, sandboxedTools } from '../../src/main/agents/claude-code/args'
import { explain } from '../../src/main/agents/claude-code/monitor'
import { fullAccessAvailability, permissionPreflight, sandboxAvailability } from '../../src/main/agents/claude-code/presets'
import { describePreset, parseDomains, RunSettingsSchema, BatchSchema, type Run, type RunSettings } from '../../src/shared/runs'
import { CLAUDE_BIN, claudeEnv } from '../support/claude-harness'
import { startModelServer, type ModelServer } from '../support/model-server'
import { prompt, scenarioScript } from '../support/scenarios'

const base = (over: Partial<RunSettings>): RunSettings =>
  RunSettingsSchema.parse({ allowedTools: ['Read', 'Write', 'Edit', 'Bash', 'Glob', 'WebFetch'], ...over })
const argAfter = (args: string[], flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined)

describe('claude arguments per preset', () => {
  it('sandboxed: acceptEdits, the sandbox on and required, no way out, file tools only in the workspace', () => {
    const args = claudeArgs('do it', 'sid', base({ permission: 'sandboxed', allowedDomains: ['example.com', '127.0.0.1:8080'] }))
    expect(argAfter(args, '--permission-mode')).toBe('acceptEdits')
    expect(JSON.parse(argAfter(args, '--settings')!)).toEqual({
      sandbox: {
        enabled: true,
        failIfUnavailable: true,
        allowUnsandboxedCommands: false,
        network: { allowedDomains: ['example.com', '127.0.0.1:8080'] }
      }
    })
    // Write and Edit are not allowed outright (acceptEdits takes them inside the workspace only); WebFetch only for the allowed hosts
    expect(argAfter(args, '--allowedTools')).toBe('Read Bash Glob WebFetch(domain:example.com)')
    expect(args).not.toContain('bypassPermissions')
  })
  it('sandboxed with no domains: an empty network allow-list, and no WebFetch', () => {
    const args = claudeArgs('x', 'sid', base({ permission: 'sandboxed' }))
    expect(JSON.parse(argAfter(args, '--settings')!).sandbox.network).toEqual({ allowedDomains: [] })
    expect(argAfter(args, '--allowedTools')).toBe('Read Bash Glob')
    expect(sandboxedTools(['Write', 'Edit(/etc/**)', 'NotebookEdit', 'MultiEdit'], [])).toEqual([])
    expect(argAfter(claudeArgs('x', 'sid', base({ permission: 'sandboxed', allowedTools: ['Write'] })), '--allowedTools')).toBeUndefined()
  })
  it('accept-edits: acceptEdits and the allow-list as given, no sandbox settings', () => {
    const args = claudeArgs('x', 'sid', base({ permission: 'accept-edits' }))
    expect(argAfter(args, '--permission-mode')).toBe('acceptEdits')
    expect(argAfter(args, '--allowedTools')).toBe('Read Write Edit Bash Glob WebFetch')
    expect(args).not.toContain('--settings')
  })
  it('full-access: bypassPermissions and nothing else', () => {
    const args = claudeArgs('x', 'sid', base({ permission: 'full-access' }))
    expect(argAfter(args, '--permission-mode')).toBe('bypassPermissions')
    expect(args).not.toContain('--allowedTools')
    expect(args).not.toContain('--settings')
  })
  it('the schema: sandboxed by default, old batches still parse, domains are checked', () => {
    expect(RunSettingsSchema.parse({}).permission).toBe('sandboxed')
    const old = {
      id: 'b',
      name: 'old',
      createdAt: '2025-01-01',
      runIds: [],
      settings: { permission: 'accept-edits', allowedTools: ['Read'], maxTurns: 40, concurrency: 3, repeats: 1, timeoutMs: 60_000 }
    }
    expect(BatchSchema.parse(old).settings).toMatchObject({ permission: 'accept-edits' })
    expect(BatchSchema.parse({ ...old, settings: { ...old.settings, permission: 'full-access' } }).settings.permission).toBe('full-access')
    expect(RunSettingsSchema.safeParse({ allowedDomains: ['https://example.com/x'] }).success).toBe(false)
    expect(parseDomains('Example.com, *.npmjs.org  db.local:5432')).toEqual({
      domains: ['example.com', '*.npmjs.org', 'db.local:5432'],
      errors: []
    })
    expect(parseDomains('http://x.com').errors[0]).toMatch(/"http:\/\/x.com" is not a host/)
    expect(describePreset({ permission: 'sandboxed' })).toMatch(/network: none$/)
    expect(describePreset({ permission: 'sandboxed', allowedDomains: ['example.com'] })).toMatch(/network: only example.com$/)
  })
  it('explains a claude that refused to start without its sandbox', () => {
    const stderr =
      'Error: sandbox required but unavailable: sandbox is enabled but dependencies are missing: bubblewrap (bwrap) not installed · install missing tools\n  Refusing to start without a working sandbox (see sandbox.failIfUnavailable).\n'
    const r = explain({
      result: { subtype: 'error_during_execution', isError: true },
      code: 1,
      signal: null,
      cancelled: false,
      stderr,
      settings: base({})
    })
    expect(r.reason).toMatch(/^Claude Code could not start its sandbox: sandbox is enabled but dependencies are missing: bubblewrap/)
  })
})

describe('the preflight', () => {
  const which = (present: string[]) => async (name: string) => (present.includes(name) ? `/usr/bin/${name}` : null)
  const okProbe = async () => ({ ok: true })
  it('Linux: bubblewrap and socat on PATH and a namespace that works', async () => {
    expect(await sandboxAvailability({ platform: 'linux', which: which(['bwrap', 'socat']), probe: okProbe })).toEqual({ available: true })
  })
  it('Linux: says what is missing and how to install it', async () => {
    expect((await sandboxAvailability({ platform: 'linux', which: which(['socat']), probe: okProbe })).reason).toBe(
      'bubblewrap is not installed: `sudo apt-get install bubblewrap socat` (Fedora: `sudo dnf install bubblewrap socat`)'
    )
    expect((await sandboxAvailability({ platform: 'linux', which: which(['bwrap']), probe: okProbe })).reason).toMatch(
      /^socat is not installed .*`sudo apt-get install socat`/
    )
    expect((await sandboxAvailability({ platform: 'linux', which: which([]), probe: okProbe })).reason).toMatch(
      /^bubblewrap and socat are not installed: `sudo apt-get install bubblewrap socat`/
    )
    const broken = await sandboxAvailability({
      platform: 'linux',
      which: which(['bwrap', 'socat']),
      probe: async () => ({ ok: false, error: 'bwrap: No permissions to creating new namespace' })
    })
    expect(broken).toMatchObject({ available: false })
    expect(broken.reason).toMatch(
      /^bubblewrap cannot create a sandbox here \(bwrap: No permissions to creating new namespace\): unprivileged user namespaces/
    )
  })
  it('searches the PATH claude gets, and really runs bwrap', async () => {
    const empty = await mkdtemp(join(tmpdir(), 't2s-nopath-'))
    expect((await sandboxAvailability({ platform: 'linux', env: { PATH: empty } })).reason).toMatch(
      /^bubblewrap and socat are not installed/
    )
    // this machine (and CI) has both installed
    expect(await sandboxAvailability({ platform: 'linux', env: process.env })).toEqual({ available: true })
  })
  it('macOS has sandbox-exec; Windows and others have no sandbox', async () => {
    expect(await sandboxAvailability({ platform: 'darwin', exists: (p) => p === '/usr/bin/sandbox-exec' })).toEqual({ available: true })
    expect((await sandboxAvailability({ platform: 'darwin', exists: () => false })).reason).toMatch(/sandbox-exec is missing/)
    expect((await sandboxAvailability({ platform: 'win32' })).reason).toMatch(/not available on Windows/)
    expect((await sandboxAvailability({ platform: 'freebsd' })).reason).toMatch(/Linux and macOS only, not on freebsd/)
  })
  it('the default preset: sandboxed where available, else accept-edits with the reason', async () => {
    const yes = await permissionPreflight({ platform: 'linux', which: which(['bwrap', 'socat']), probe: okProbe, uid: 1000 })
    expect(yes).toMatchObject({
      defaultPreset: 'sandboxed',
      presets: { sandboxed: { available: true }, 'accept-edits': { available: true }, 'full-access': { available: true } }
    })
    const no = await permissionPreflight({ platform: 'linux', which: which(['socat']), probe: okProbe, uid: 1000 })
    expect(no.defaultPreset).toBe('accept-edits')
    expect(no.summary).toBe(
      'Accept edits by default, because the sandbox is not available: bubblewrap is not installed: `sudo apt-get install bubblewrap socat` (Fedora: `sudo dnf install bubblewrap socat`)'
    )
  })
  it('full access as root: refused by Claude Code unless IS_SANDBOX=1, and the preflight says so', () => {
    expect(fullAccessAvailability({ uid: 0, env: {} }).reason).toMatch(/refuses full access \(bypassPermissions\) when it runs as root/)
    expect(fullAccessAvailability({ uid: 0, env: { IS_SANDBOX: '1' } })).toEqual({ available: true })
    expect(fullAccessAvailability({ uid: 1000, env: {} })).toEqual({ available: true })
  })
})

/** A loopback TCP listener that records what reaches it (and answers HTTP, so curl does not wait). */
async function listener(): Promise<{ port: number; got: () => string; close: () => Promise<void> }> {
  let got = ''
  const server: Server = createServer((s) => {
    s.on('data', (c) => {
      got += c
      s.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok')
    })
    s.on('error', () => {})
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()))
  return { port: (server.address() as { port: number }).port, got: () => got, close: () => new Promise((ok) => server.close(() => ok())) }
}

describe('runs that try to leave their workspace (real claude -p)', () => {
  let server: ModelServer
  let service: Service
  let configDir: string
  let env: NodeJS.ProcessEnv
  beforeAll(async () => {
    server = await startModelServer(scenarioScript())
    configDir = await mkdtemp(join(tmpdir(), 't2s-sbx-claude-'))
    const dataDir = await mkdtemp(join(tmpdir(), 't2s-sbx-data-'))
    env = claudeEnv(configDir, server.url)
    service = await createService({ configDir, dataDir, mode: 'web', version: 'test', env })
  })
  afterAll(async () => {
    await service?.dispose()
    await server?.close()
  })

  const settings = (over: Partial<RunSettings>): RunSettings => ({
    concurrency: 1,
    maxTurns: 12,
    claudePath: CLAUDE_BIN,
    timeoutMs: 120_000,
    permission: 'sandboxed',
    allowedTools: ['Read', 'Write', 'Edit', 'Bash'],
    repeats: 1,
    ...over
  })

  it('blocked under Sandboxed, let through under Accept edits, and only the allowed host reachable', async () => {
    const task = await service.handlers.saveTask({ name: 'Escape', text: 'Try to leave the workspace.' })
    const cases = [
      { name: 'sandboxed', s: { permission: 'sandboxed' as const } },
      { name: 'accept-edits', s: { permission: 'accept-edits' as const } },
      { name: 'sandboxed+domain', s: { permission: 'sandboxed' as const } }
    ]
    const prepared: { name: string; out: string; tcp: Awaited<ReturnType<typeof listener>>; batch: { id: string } }[] = []
    for (const c of cases) {
      // each run its own folder outside the workspace and its own listener, so nothing is confused
      const out = await mkdtemp(join(tmpdir(), `t2s-outside-${c.name}-`))
      const tcp = await listener()
      const allowedDomains = c.name === 'sandboxed+domain' ? [`127.0.0.1:${tcp.port}`] : undefined
      await service.handlers.saveVariations({
        taskId: task.id,
        variations: [{ difficulty: 'adversarial', prompt: prompt('escape', `OUT=${out} PORT=${tcp.port}`) }]
      })
      const batch = await service.handlers.createBatch({ taskId: task.id, settings: settings({ ...c.s, allowedDomains }) })
      prepared.push({ ...c, out, tcp, batch })
    }
    try {
      for (const p of prepared) await service.handlers.startBatch({ batchId: p.batch.id })
      for (const p of prepared) await service.runner.idle(p.batch.id)
      const result = async (p: (typeof prepared)[number]) => {
        const { runs, batch } = await service.handlers.getBatch({ batchId: p.batch.id })
        const run = runs[0] as Run
        return { batch, run, outside: (await readdir(p.out)).sort(), got: p.tcp.got(), inside: run.files.map((f) => f.path) }
      }
      const [sandboxed, accept, domain] = await Promise.all(prepared.map(result))
      for (const r of [sandboxed, accept, domain]) {
        expect(r.run.state, r.run.reason).toBe('done')
        // writing inside the workspace works in every preset
        expect(r.inside).toEqual(expect.arrayContaining(['bash-inside.txt', 'write-inside.txt']))
      }
      // the control: without the sandbox, Bash and Write reach outside and the listener hears both connections
      expect(accept.outside).toEqual(['bash.txt', 'write.txt'])
      expect(accept.got).toContain('direct')
      expect(accept.got).toContain('via-proxy')
      // sandboxed: nothing outside the workspace, nothing reached the listener
      expect(sandboxed.batch.settings.permission).toBe('sandboxed')
      expect(sandboxed.outside).toEqual([])
      expect(sandboxed.got).toBe('')
      // an allowed host is reachable through the sandbox's proxy, and only that way; files stay confined
      expect(domain.outside).toEqual([])
      expect(domain.got).toContain('via-proxy')
      expect(domain.got).not.toContain('direct')
      // the trace shows why: a read-only file system, a refused connection, a write that needed permission
      const trace = await service.handlers.getTrace({ sessionId: sandboxed.run.sessionId })
      const results = trace.events.filter((e) => e.kind === 'tool_call').map((e) => JSON.stringify(e.result ?? ''))
      expect(results.join('\n')).toMatch(/Read-only file system/)
      expect(results.join('\n')).toMatch(/blocked by network allowlist/)
      expect(results.join('\n')).toMatch(/requested permissions to write/)
    } finally {
      for (const p of prepared) await p.tcp.close()
    }
  }, 180_000)

  it('refuses Sandboxed where bubblewrap is missing, with the reason; Accept edits still starts', async () => {
    const task = await service.handlers.saveTask({ name: 'No bwrap', text: 'Anything.' })
    await service.handlers.saveVariations({ taskId: task.id, variations: [{ difficulty: 'easy', prompt: prompt('write-file', 'x') }] })
    const ready = await service.handlers.createBatch({ taskId: task.id, settings: settings({ permission: 'sandboxed' }) })
    const noBwrap = await mkdtemp(join(tmpdir(), 't2s-path-'))
    await symlink('/usr/bin/socat', join(noBwrap, 'socat'))
    const saved = env.PATH
    env.PATH = noBwrap
    try {
      const pre = await service.handlers.checkSandbox({})
      expect(pre.defaultPreset).toBe('accept-edits')
      expect(pre.presets.sandboxed.reason).toMatch(/^bubblewrap is not installed: `sudo apt-get install bubblewrap socat`/)
      await expect(service.handlers.createBatch({ taskId: task.id, settings: settings({ permission: 'sandboxed' }) })).rejects.toThrow(
        /^Sandboxed runs are not available: bubblewrap is not installed: `sudo apt-get install bubblewrap socat`.*choose Accept edits explicitly/
      )
      // a batch made while the sandbox worked is refused at start too (and nothing ran)
      await expect(service.handlers.startBatch({ batchId: ready.id })).rejects.toThrow(
        /^Sandboxed runs are not available: bubblewrap is not installed/
      )
      expect((await service.handlers.getBatch({ batchId: ready.id })).runs.map((r) => r.state)).toEqual(['queued'])
      // choosing Accept edits explicitly works
      const explicit = await service.handlers.createBatch({ taskId: task.id, settings: settings({ permission: 'accept-edits' }) })
      expect(explicit.settings.permission).toBe('accept-edits')
    } finally {
      env.PATH = saved
    }
    expect((await service.handlers.checkSandbox({})).defaultPreset).toBe('sandboxed')
  })

  it('the CLI: sandboxed by default; where it cannot work, it exits with the reason and the way out', async () => {
    const dir = await mkdtemp(join(tmpdir(), 't2s-cli-sbx-'))
    await writeFile(join(dir, 'task.json'), JSON.stringify({ name: 'CLI', text: 'Do it.' }))
    await writeFile(join(dir, 'variations.txt'), `1. ${prompt('write-file', 'cli')}\n`)
    const noBwrap = join(dir, 'bin')
    await mkdir(noBwrap)
    const cli = async (args: string[], path: string) => {
      const out: string[] = []
      const err: string[] = []
      const code = await runCli(
        ['run', '--task', join(dir, 'task.json'), '--variations', join(dir, 'variations.txt'), '--claude', CLAUDE_BIN, '--json', ...args],
        {
          out: (t) => out.push(t),
          err: (t) => err.push(t),
          env: { ...claudeEnv(configDir, server.url), PATH: path, TRACE2SKILL_DATA_DIR: join(dir, 'data'), CHROMIUM_PATH: '/nonexistent' }
        }
      )
      return { code, out: out.join('\n'), err: err.join('\n') }
    }
    const refused = await cli([], noBwrap)
    expect(refused.code).toBe(1)
    expect(refused.err).toMatch(
      /sandboxed by default, and the sandbox is not available here: bubblewrap and socat are not installed: `sudo apt-get install bubblewrap socat`.*pass --preset accept-edits/
    )
    const explicit = await cli(['--preset', 'sandboxed'], noBwrap)
    expect(explicit.code).toBe(1)
    expect(explicit.err).toMatch(/Sandboxed runs are not available: bubblewrap and socat are not installed/)
    expect((await cli(['--preset', 'yolo'], noBwrap)).err).toMatch(/--preset takes sandboxed, accept-edits, full-access, not yolo/)
    expect((await cli(['--preset', 'accept-edits', '--allow-domain', 'example.com'], noBwrap)).err).toMatch(
      /--allow-domain applies to --preset sandboxed only/
    )
    expect((await cli(['--allow-domain', 'https://example.com/'], noBwrap)).err).toMatch(/--allow-domain takes a host/)
    // where the sandbox works, no --preset runs sandboxed
    const ran = await cli(['--allow-domain', 'example.com'], process.env.PATH!)
    expect(ran.code, ran.err).toBe(0)
    expect(JSON.parse(ran.out)).toMatchObject({ preset: 'sandboxed', runs: [{ state: 'done', files: 1 }] })
    expect(ran.err).toMatch(/permissions: Sandboxed: .*network: only example.com/)
    expect(existsSync(join(dir, 'data'))).toBe(true)
  }, 120_000)
})

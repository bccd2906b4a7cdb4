/* eslint-disable @typescript-eslint/no-explicit-any -- the scripted API's request bodies are untyped JSON */
/**
 * The claude -p analysts' evidence folder: prepareEvidenceFolder's layout (read-only, what is missing
 * listed, nothing outside taken in), and the REAL `claude` binary reading it with Read, Grep and Glob
 * against the scripted Messages API: what it read comes back to the model, a file outside the folder
 * does not, the looks are reported and counted, and the answer is the structured output. The shared
 * screenshot reaches the API as the same image block.
 */
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { deflateSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeLook, folderArgs } from '../../src/main/analysts/claude-model'
import type { RunEvidence } from '../../src/main/analysts/evidence'
import { removeEvidenceFolder } from '../../src/main/analysts/evidence'
import { prepareEvidenceFolder } from '../../src/main/analysts/folder'
import { claudeCliModel, type CallResult, type ModelCall, type PromptBlock } from '../../src/main/analysts/model'
import { PROPOSE_TOOL, SYSTEM } from '../../src/main/analysts/pipeline'
import { CLAUDE_BIN, claudeEnv } from '../support/claude-harness'
import { FIXTURE_SESSION } from '../support/fixture-sessions'
import { startModelServer, type ModelServer } from '../support/model-server'

const MODEL = 'claude-sonnet-4-5'
const OUTPUT_FACT = 'PLANTED-OUTPUT-FACT-7781: the hero button links to #signup-nowhere'
const SECRET = 'SECRET-OUTSIDE-THE-FOLDER-4409'
/** the first line of the fixture session: its prompt */
const SESSION_FACT = 'SCENARIO:subagent Task 4.'
const SUBAGENT = join(FIXTURE_SESSION.replace(/\.jsonl$/, ''), 'subagents', 'agent-a8c94204ceff97979.jsonl')

const crc32 = (buf: Buffer) => {
  let c = ~0
  for (const b of buf) {
    c ^= b
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1))
  }
  return ~c >>> 0
}

/** A small PNG (solid colour, `w` × `h`), built by hand so the test needs nothing else. */
function png(w: number, h: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(data.length)
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type), data])))
    return Buffer.concat([len, Buffer.from(type), data, crc])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(w, 0)
  ihdr.writeUInt32BE(h, 4)
  ihdr.set([8, 2, 0, 0, 0], 8)
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(w * 3, 0x5a)])
  const raw = Buffer.concat(Array.from({ length: h }, () => row))
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0))
  ])
}

const run = (n: number, over: Partial<RunEvidence> = {}): RunEvidence => ({
  number: n,
  prompt: `Build the landing page (run ${n}).`,
  label: n === 1 ? 'bad' : 'good',
  feedback: n === 1 ? 'The signup button\ngoes nowhere.' : 'Clean.',
  state: 'done',
  result: 'Done: wrote index.html.',
  trace: null,
  metrics: null,
  outputs: [],
  shots: [],
  ...over
})

/** Every string the API was sent, whole: the secret must be in none. */
const everything = (server: ModelServer) => server.requests.map((r) => JSON.stringify(r.body)).join('\n')

/** The tool_result blocks of a request's messages, with their text. */
const toolResults = (body: any): { id: string; isError: boolean; text: string; images: number }[] =>
  (body.messages ?? [])
    .flatMap((m: any) => (Array.isArray(m.content) ? m.content : []))
    .filter((c: any) => c.type === 'tool_result')
    .map((c: any) => ({
      id: c.tool_use_id,
      isError: c.is_error === true,
      text: typeof c.content === 'string' ? c.content : (c.content ?? []).map((x: any) => x.text ?? '').join(' '),
      images: Array.isArray(c.content) ? c.content.filter((x: any) => x.type === 'image').length : 0
    }))

let base: string
let secretFile: string
let workspace: string
let shotFile: string
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 't2s-folder-'))
  // the planted secret: outside the folder, readable by this user
  await mkdir(join(base, 'elsewhere'))
  secretFile = join(base, 'elsewhere', 'secret.txt')
  await writeFile(secretFile, `${SECRET}\n`)
  workspace = join(base, 'workspace')
  await mkdir(join(workspace, 'css'), { recursive: true })
  await writeFile(join(workspace, 'index.html'), `<!doctype html>\n<!-- ${OUTPUT_FACT} -->\n<a href="#signup-nowhere">Sign up</a>\n`)
  await writeFile(join(workspace, 'css', 'site.css'), 'body { margin: 0 }\n')
  await writeFile(join(workspace, 'logo.png'), png(4, 4))
  // a link out of the run's folder, in a file and in a folder: neither is followed
  await symlink(secretFile, join(workspace, 'leak.txt'))
  await symlink(join(base, 'elsewhere'), join(workspace, 'linked'))
  shotFile = join(base, 'shot-desktop.png')
  await writeFile(shotFile, png(32, 40))
})
afterAll(async () => {
  if (base) {
    await removeEvidenceFolder(base).catch(() => {})
    await rm(base, { recursive: true, force: true })
  }
})

const outputs: RunEvidence['outputs'] = [
  { path: 'index.html', status: 'added', bytes: 100, binary: false, text: '…' },
  { path: 'css/site.css', status: 'added', bytes: 19, binary: false },
  { path: 'logo.png', status: 'added', bytes: 70, binary: true },
  { path: 'gone.txt', status: 'deleted', bytes: 0, binary: false },
  { path: 'never-written.txt', status: 'added', bytes: 5, binary: false },
  { path: '../elsewhere/secret.txt', status: 'modified', bytes: 30, binary: false },
  { path: '/etc/hostname', status: 'modified', bytes: 30, binary: false },
  { path: 'leak.txt', status: 'added', bytes: 30, binary: false },
  { path: 'linked/secret.txt', status: 'added', bytes: 30, binary: false }
]

async function makeFolder(name: string) {
  return prepareEvidenceFolder(join(base, name), {
    task: { name: 'Landing page', text: 'Build a one-page landing site.' },
    runs: [
      run(1, {
        workspace,
        outputs,
        shots: [
          { label: 'desktop', file: shotFile, width: 32, height: 40, html: 'index.html' },
          { label: 'mobile', file: join(base, 'no-such-shot.png'), width: 390, height: 800, html: 'index.html' }
        ]
      }),
      run(2, { workspace: join(base, 'deleted-workspace'), outputs: [{ path: 'index.html', status: 'added', bytes: 9, binary: false }] })
    ],
    sessionFiles: new Map([
      [1, { session: FIXTURE_SESSION, subagents: [SUBAGENT, join(base, 'missing', '../../evil name.jsonl')] }],
      [2, { session: join(base, 'no-such-session.jsonl'), subagents: [] }]
    ])
  })
}

async function tree(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = []
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const rel = `${prefix}${e.name}`
    if (e.isDirectory()) out.push(`${rel}/`, ...(await tree(join(dir, e.name), `${rel}/`)))
    else out.push(rel)
  }
  return out.sort()
}

describe('prepareEvidenceFolder', () => {
  let made: { path: string; guide: string }
  beforeAll(async () => {
    made = await makeFolder('evidence')
  })

  it('lays out the task, the feedback and each run under runs/NN, with nothing from outside the runs', async () => {
    expect(made.path).toBe(join(base, 'evidence'))
    expect(await tree(made.path)).toEqual([
      'README.md',
      'feedback.md',
      'runs/',
      'runs/01/',
      'runs/01/outputs/',
      'runs/01/outputs/css/',
      'runs/01/outputs/css/site.css',
      'runs/01/outputs/index.html',
      'runs/01/outputs/logo.png',
      'runs/01/run.md',
      'runs/01/screenshots/',
      'runs/01/screenshots/desktop.png',
      'runs/01/session.jsonl',
      'runs/01/subagents/',
      'runs/01/subagents/agent-a8c94204ceff97979.jsonl',
      'runs/02/',
      'runs/02/run.md',
      'task.md'
    ])
    expect(await readFile(join(made.path, 'feedback.md'), 'utf8')).toBe(
      'Run 1: bad - The signup button goes nowhere.\nRun 2: good - Clean.\n'
    )
    expect(await readFile(join(made.path, 'task.md'), 'utf8')).toBe('# Task: Landing page\n\nBuild a one-page landing site.\n')
    // copies, byte for byte
    expect(await readFile(join(made.path, 'runs/01/session.jsonl'), 'utf8')).toBe(await readFile(FIXTURE_SESSION, 'utf8'))
    expect(await readFile(join(made.path, 'runs/01/outputs/index.html'), 'utf8')).toContain(OUTPUT_FACT)
    expect(await readFile(join(made.path, 'runs/01/outputs/logo.png'))).toEqual(png(4, 4))
    expect(await readFile(join(made.path, 'runs/01/screenshots/desktop.png'))).toEqual(png(32, 40))
  })

  it('lists what is missing or left out, and why, instead of failing', async () => {
    const md = await readFile(join(made.path, 'runs/01/run.md'), 'utf8')
    expect(md).toContain('Grade: bad')
    expect(md).toContain('Feedback: The signup button goes nowhere.')
    expect(md).toContain('Build the landing page (run 1).')
    expect(md).toContain('Done: wrote index.html.')
    expect(md).toContain('- outputs/index.html (added, 100 bytes)')
    expect(md).toContain('- outputs/logo.png (added, 70 bytes, binary)')
    expect(md).toContain('- gone.txt (deleted by the run)')
    expect(md).toContain('- never-written.txt (added, 5 bytes): missing')
    expect(md).toContain(`- "../elsewhere/secret.txt" (modified, 30 bytes): not copied, its path leaves the run's folder`)
    expect(md).toContain(`- "/etc/hostname" (modified, 30 bytes): not copied, its path leaves the run's folder`)
    expect(md).toContain('- leak.txt (added, 30 bytes): a symbolic link, not followed')
    expect(md).toContain('- linked/secret.txt (added, 30 bytes): not copied, a folder on its path is a symbolic link')
    expect(md).toContain('- screenshots/desktop.png (32 × 40, of index.html)')
    expect(md).toContain('- screenshots/mobile.png: missing (390 × 800, of index.html)')
    // a sub-agent file's name is made safe; a missing one is listed
    expect(md).toContain('subagents/evil_name.jsonl: missing')
    const md2 = await readFile(join(made.path, 'runs/02/run.md'), 'utf8')
    expect(md2).toContain('Session: missing')
    expect(md2).toContain("The run's folder no longer exists")
    const readme = await readFile(join(made.path, 'README.md'), 'utf8')
    expect(readme).toContain('Runs: 01, 02')
    expect(readme).toContain('- runs/02/session.jsonl (missing)')
    expect(readme).toContain('- runs/01/outputs/never-written.txt')
    // the secret went nowhere
    for (const f of await tree(made.path)) if (!f.endsWith('/')) expect(await readFile(join(made.path, f), 'utf8'), f).not.toContain(SECRET)
  })

  it('is read-only: files 0444, folders 0555', async () => {
    for (const f of ['', 'runs', 'runs/01', 'runs/01/outputs/css'])
      expect(((await stat(join(made.path, f))).mode & 0o777).toString(8), f || '.').toBe('555')
    for (const f of ['README.md', 'runs/01/session.jsonl', 'runs/01/outputs/css/site.css', 'runs/01/screenshots/desktop.png'])
      expect(((await stat(join(made.path, f))).mode & 0o777).toString(8), f).toBe('444')
  })

  it('gives a guide with the relative layout, and replaces an earlier folder but nothing else', async () => {
    expect(made.guide).toContain('runs/01/, runs/02/')
    expect(made.guide).toMatch(/Read, Grep and Glob/)
    expect(made.guide).not.toContain(base)
    const again = await makeFolder('evidence')
    expect(again.path).toBe(made.path)
    await mkdir(join(base, 'not-evidence'))
    await writeFile(join(base, 'not-evidence', 'mine.txt'), 'keep me')
    await expect(makeFolder('not-evidence')).rejects.toThrow(/is not empty/)
    expect(await readFile(join(base, 'not-evidence', 'mine.txt'), 'utf8')).toBe('keep me')
  })
})

describe('describeLook and the folder flags', () => {
  it('says what a look is at in one line, paths relative to the folder', async () => {
    const root = join(base, 'evidence')
    expect(describeLook(root, 'Read', { file_path: join(root, 'runs/01/outputs/index.html') })).toBe('Read runs/01/outputs/index.html')
    expect(describeLook(root, 'Read', { file_path: 'runs/01/session.jsonl', offset: 100, limit: 50 })).toBe(
      'Read runs/01/session.jsonl lines 100-149'
    )
    expect(describeLook(root, 'Grep', { pattern: 'TypeError', path: join(root, 'runs') })).toBe('Grep "TypeError" in runs/')
    expect(describeLook(root, 'Grep', { pattern: 'x\ny', glob: '*.jsonl' })).toBe('Grep "x\\ny" in ./ (*.jsonl)')
    expect(describeLook(root, 'Glob', { pattern: '**/*.png' })).toBe('Glob "**/*.png"')
    expect(describeLook(root, 'Read', { file_path: '/etc/hostname' })).toBe('Read /etc/hostname')
  })

  it('gives claude the three read-only tools, confined to its folder, and never an allow rule', () => {
    const args = folderArgs({ path: '/x', maxRounds: 3, sandbox: true })
    expect(args).toEqual([
      '--tools',
      'Read,Grep,Glob',
      '--restricted',
      '--permission-mode',
      'dontAsk',
      '--settings',
      '{"sandbox":{"enabled":true}}'
    ])
    expect(folderArgs({ path: '/x', maxRounds: 3 })).not.toContain('--settings')
    expect(args.join(' ')).not.toMatch(/allowedTools|allowed-tools|add-dir/)
  })
})

describe('an analyst reading its evidence folder through the real claude CLI', () => {
  let server: ModelServer
  let cfg: string
  let folder: { path: string; guide: string }
  let result: CallResult
  const looks: string[] = []
  const shared: PromptBlock[] = [
    { type: 'text', text: 'Task: build a one-page landing site.\nRun 1 (bad): "The signup button goes nowhere."' },
    { type: 'image', mediaType: 'image/png', data: png(24, 30).toString('base64'), label: 'Run 1, desktop screenshot, px 0-30 of 30' }
  ]
  const answer = {
    rules: [{ rule: 'Check that every link has a target', evidence: [1], priority: 'high', reason: 'run 1 links to #signup-nowhere' }]
  }

  beforeAll(async () => {
    cfg = await mkdtemp(join(tmpdir(), 't2s-folder-claude-'))
    folder = await makeFolder('evidence-claude')
    let step = 0
    server = await startModelServer(({ body }) => {
      if (!body.tools?.some((t: any) => t.name === 'StructuredOutput')) return { text: 'OK' }
      step++
      // round 1: two reads at once; round 2: the secret, outside; round 3: a Grep and the screenshot
      if (step === 1)
        return {
          toolUses: [
            { name: 'Read', input: { file_path: 'runs/01/session.jsonl', limit: 3 } },
            { name: 'Read', input: { file_path: join(folder.path, 'runs/01/outputs/index.html') } }
          ]
        }
      if (step === 2) return { toolUses: [{ name: 'Read', input: { file_path: secretFile } }] }
      if (step === 3)
        return {
          toolUses: [
            { name: 'Grep', input: { pattern: 'SECRET', path: join(base, 'elsewhere'), output_mode: 'content' } },
            { name: 'Read', input: { file_path: 'runs/01/screenshots/desktop.png' } }
          ]
        }
      return { toolUses: [{ name: 'StructuredOutput', input: answer }] }
    })
    const call: ModelCall = {
      model: MODEL,
      system: SYSTEM,
      shared,
      instructions: `You are the error analyst. ${folder.guide}`,
      tool: PROPOSE_TOOL,
      maxTokens: 4000,
      folder: { path: folder.path, maxRounds: 3, sandbox: true }
    }
    // the process's own directory is elsewhere: the folder becomes its working directory
    const port = claudeCliModel({ claudePath: CLAUDE_BIN, env: claudeEnv(cfg, server.url), cwd: cfg, timeoutMs: 90_000 })
    result = await port.call(call, { onLook: (what, round) => looks.push(`${round}: ${what}`) }, new AbortController().signal)
  }, 120_000)
  afterAll(async () => {
    await server?.close()
    if (cfg) await rm(cfg, { recursive: true, force: true })
  })

  const analystRequests = () => server.requests.filter((r) => r.body.tools?.some((t: any) => t.name === 'StructuredOutput'))

  it('answers with the structured output after three rounds of looking', () => {
    expect(result.input).toEqual(answer)
    expect(result.rounds).toBe(3)
    expect(result.usage.input).toBeGreaterThan(0)
    expect(analystRequests()).toHaveLength(4)
  })

  it('reports each look in one line, relative to the folder, with its round', () => {
    expect(looks).toEqual([
      '1: Read runs/01/session.jsonl lines 1-3',
      '1: Read runs/01/outputs/index.html',
      `2: Read ${secretFile}`,
      `3: Grep "SECRET" in ${join(base, 'elsewhere')}`,
      '3: Read runs/01/screenshots/desktop.png'
    ])
  })

  it('offers Read, Grep and Glob besides StructuredOutput, in the folder as its working directory', () => {
    const [first] = analystRequests()
    expect(first.body.tools.map((t: any) => t.name).sort()).toEqual(['Glob', 'Grep', 'Read', 'StructuredOutput'])
    expect(JSON.stringify(first.body)).toContain(folder.path)
  })

  it('sends back what it read inside the folder: the session and the planted output fact', () => {
    const after1 = toolResults(analystRequests()[1].body)
    expect(after1).toHaveLength(2)
    expect(after1.every((r) => !r.isError)).toBe(true)
    // the two reads of one round run together: their results may come in either order
    expect(after1.filter((r) => r.text.includes(SESSION_FACT))).toHaveLength(1)
    expect(after1.filter((r) => r.text.includes(OUTPUT_FACT))).toHaveLength(1)
    // the screenshot, read as a file, goes back as an image
    const after3 = toolResults(analystRequests()[3].body)
    expect(after3.find((r) => r.images === 1)).toBeDefined()
  })

  it('refuses the reads outside the folder, and the secret is in no request', () => {
    const after2 = toolResults(analystRequests()[2].body)
    expect(after2[2]).toMatchObject({ isError: true })
    expect(after2[2].text).toMatch(/is outside .*--restricted confines the file tools to the working directory/)
    const grep = toolResults(analystRequests()[3].body)
      .slice(3)
      .find((r) => r.images === 0)!
    expect(grep).toMatchObject({ isError: true })
    expect(grep.text).toMatch(/is outside/)
    expect(everything(server)).not.toContain(SECRET)
  })

  it('sends the shared blocks as they are: the text, the label, then the same PNG, before the instructions', () => {
    const content = analystRequests()[0].body.messages[0].content
    const i = content.findIndex((c: any) => c.type === 'image')
    expect(i).toBeGreaterThan(0)
    expect(content[i]).toEqual({ type: 'image', source: { type: 'base64', media_type: 'image/png', data: (shared[1] as any).data } })
    expect(content[i - 1].text).toBe('Run 1, desktop screenshot, px 0-30 of 30')
    expect(content[i - 2].text).toBe((shared[0] as any).text)
    expect(content[i + 1].text).toContain('You are the error analyst.')
  })
})

describe('an analyst that looks for too long', () => {
  it('stops at its turn limit with a bad answer that says so', async () => {
    const cfg = await mkdtemp(join(tmpdir(), 't2s-folder-limit-'))
    const made = await makeFolder('evidence-limit')
    const server = await startModelServer(({ body }) =>
      body.tools?.some((t: any) => t.name === 'StructuredOutput')
        ? { toolUses: [{ name: 'Glob', input: { pattern: '**/*.md' } }] }
        : { text: 'OK' }
    )
    try {
      const looks: number[] = []
      const port = claudeCliModel({ claudePath: CLAUDE_BIN, env: claudeEnv(cfg, server.url), timeoutMs: 60_000, maxTurns: 1 })
      const err = await port
        .call(
          {
            model: MODEL,
            system: SYSTEM,
            shared: [{ type: 'text', text: 'x' }],
            instructions: 'You are the edge analyst.',
            tool: PROPOSE_TOOL,
            maxTokens: 1000,
            folder: { path: made.path, maxRounds: 2 }
          },
          { onLook: (_w, round) => looks.push(round) },
          new AbortController().signal
        )
        .then(
          () => null,
          (e: Error & { code?: string }) => e
        )
      expect(err?.message).toBe(
        'bad answer: claude -p reached its turn limit (3: 2 rounds of looking closer and 1 to answer) without a structured answer'
      )
      expect(err?.code).toBe('bad-answer')
      expect(looks).toEqual([1, 2, 3])
    } finally {
      await server.close()
      await rm(cfg, { recursive: true, force: true })
    }
  }, 90_000)
})

describe('a claude too old for the folder', () => {
  it('says to update it, not just how it exited', async () => {
    const fake = join(base, 'old-claude')
    await writeFile(fake, `#!/bin/sh\ncat > /dev/null\necho "error: unknown option '--restricted'" >&2\nexit 1\n`)
    await chmod(fake, 0o755)
    const made = await makeFolder('evidence-old')
    const err = await claudeCliModel({ claudePath: fake })
      .call(
        {
          model: MODEL,
          system: 's',
          shared: [{ type: 'text', text: 'x' }],
          instructions: 'y',
          tool: PROPOSE_TOOL,
          maxTokens: 100,
          folder: { path: made.path, maxRounds: 2 }
        },
        {},
        new AbortController().signal
      )
      .then(
        () => null,
        (e: Error & { code?: string }) => e
      )
    expect(err?.message).toBe(
      "this Claude Code is too old to read the evidence folder safely (error: unknown option '--restricted'): update it (claude update), or analyse without looking closer"
    )
    expect(err?.code).toBe('claude-missing')
  })
})

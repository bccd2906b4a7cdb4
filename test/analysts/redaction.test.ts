/* eslint-disable @typescript-eslint/no-explicit-any -- the scripted API's request bodies are untyped JSON */
/**
 * What a run read never reaches a model: runs that read an SSH key, AWS credentials, Claude Code's
 * OAuth token, the environment and the app's own secret variable (test/support/hostile-runs.ts) are
 * analysed through the real SDK against the scripted API, with an analyst that looks closer at every
 * one of them (read_trace, read_output, search_traces); through `claude -p`, its evidence folder is read
 * whole. No request, tool result or folder file holds any secret; the analysis and its estimate say
 * how many were redacted and in which runs; the stored sessions are left as they were.
 */
import { mkdtemp, readdir, readFile, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import type { ModelPort } from '../../src/main/analysts/model'
import { runCli } from '../../src/main/cli/cli'
import { explainPair } from '../../src/main/verify/explain'
import type { Analysis, AnalysisEstimate } from '../../src/shared/analysis'
import { secretLiterals } from '../../src/shared/redact'
import { analystScript, isAnalystRequest, kindOf } from '../support/analyst-script'
import { addSpecBatch, SECRET_RUNS, SECRET_RUNS_REDACTED, secretNeedles, specFiles, type SpecBatch } from '../support/hostile-runs'
import { startModelServer, type ModelServer, type Script } from '../support/model-server'
import { SECRET_ENV, SECRETS } from '../support/secrets'

const rule = (text: string, evidence: number[]) => ({ rule: text, evidence, priority: 'high', reason: `runs ${evidence.join(', ')}` })

/** The error analyst looks at every secret there is: traces, the file, a search for each kind. */
const LOOKS = [
  [
    { name: 'read_trace', input: { run: 1 } },
    { name: 'read_trace', input: { run: 2 } },
    { name: 'read_trace', input: { run: 4 } },
    { name: 'read_output', input: { run: 2, path: 'notes.txt' } }
  ],
  [
    { name: 'search_traces', input: { pattern: 'PRIVATE KEY' } },
    { name: 'search_traces', input: { pattern: 'sk-' } },
    { name: 'search_traces', input: { pattern: 'token' } },
    { name: 'search_traces', input: { pattern: 'app-secret' } }
  ]
]

function script(): Script {
  const merge = analystScript({})
  return (req) => {
    const body = req.body
    if (!isAnalystRequest(body)) return merge(req)
    const round = body.messages.filter((m: any) => m.role === 'assistant').length
    if (kindOf(body) === 'error' && round < LOOKS.length) return { toolUses: LOOKS[round] }
    return { toolUses: [{ name: 'propose_rules', input: { rules: [rule('Stay inside the project folder', [1, 2])] } }] }
  }
}

const leaks = (text: string) => secretNeedles().filter((s) => text.includes(s))

describe('secrets a run read are redacted before any model call (API)', () => {
  let server: ModelServer
  let service: Service
  let batch: SpecBatch
  let analysis: Analysis
  let estimate: AnalysisEstimate
  let configDir: string
  let dataDir: string
  let disposed = false

  beforeAll(async () => {
    server = await startModelServer(script())
    configDir = await mkdtemp(join(tmpdir(), 't2s-redact-claude-'))
    dataDir = await mkdtemp(join(tmpdir(), 't2s-redact-data-'))
    batch = await specFiles(configDir, dataDir, SECRET_RUNS)
    service = await createService({
      configDir,
      dataDir,
      mode: 'web',
      version: 'test',
      env: { ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: server.url, ...SECRET_ENV }
    })
    await addSpecBatch(service, batch)
    estimate = await service.handlers.estimateAnalysis({ batchId: batch.batchId })
    analysis = await service.handlers.startAnalysis({ batchId: batch.batchId })
    await service.analysisIdle(analysis.id)
    analysis = await service.handlers.getAnalysis({ analysisId: analysis.id })
  }, 120_000)
  afterAll(async () => {
    if (!disposed) await service?.dispose()
    await server?.close()
  })

  it('sends no secret in any request: shared context, looks closer, merge', () => {
    expect(analysis.state).toBe('done')
    const analysts = server.requests.filter((r) => isAnalystRequest(r.body))
    // the error analyst really looked: its results came back (redacted) in later requests
    const looked = analysts.filter((r) => kindOf(r.body) === 'error' && r.body.messages.length === 5)
    expect(looked.length).toBeGreaterThan(0)
    const results = JSON.stringify(looked[0].body.messages.slice(1))
    expect(results).toContain('[REDACTED:private-key]')
    expect(results).toContain('[REDACTED:anthropic-key]')
    expect(results).toContain('[REDACTED:secret-env]')
    expect(results).toMatch(/notes\.txt.*characters/)
    for (const r of server.requests) expect(leaks(JSON.stringify(r.body)), `request ${r.index}`).toEqual([])
    // the shared prefix still says what the runs did
    const prefix = JSON.stringify(analysts[0].body.messages[0])
    expect(prefix).toContain('cat ~/.ssh/id_rsa')
    expect(prefix).toContain('aws_secret_access_key = [REDACTED:aws-secret-key]')
  })

  it('says how many secrets were redacted, and in which runs, before and after', () => {
    expect(analysis.context.report?.redacted).toEqual(SECRET_RUNS_REDACTED)
    expect(estimate.report.redacted).toEqual(SECRET_RUNS_REDACTED)
  })

  it('the CLI says it too, with --estimate and after analyze (what it prints)', async () => {
    const { runs } = await service.handlers.getBatch({ batchId: batch.batchId })
    expect(runs).toHaveLength(4)
    await service.dispose()
    disposed = true
    const cli = async (args: string[]) => {
      const out: string[] = []
      const code = await runCli(args, {
        out: (t) => out.push(t),
        err: () => {},
        env: {
          ...process.env,
          CLAUDE_CONFIG_DIR: configDir,
          TRACE2SKILL_DATA_DIR: dataDir,
          ANTHROPIC_API_KEY: 'test-key',
          ANTHROPIC_BASE_URL: server.url,
          ...SECRET_ENV
        }
      })
      return { code, out: out.join('\n') }
    }
    const line = '21 secrets redacted in runs 1, 2, 4, before any model read them (the runs are kept as they were)'
    const est = await cli(['analyze', batch.batchId, '--estimate'])
    expect(est.code).toBe(0)
    expect(est.out).toContain(line)
    const done = await cli(['analyze', batch.batchId])
    expect(done.code).toBe(0)
    expect(done.out).toContain(line)
    for (const r of server.requests) expect(leaks(JSON.stringify(r.body))).toEqual([])
  })

  it('leaves the stored sessions and runs as they were', async () => {
    const session = await readFile(batch.sessionFiles.get(1)!, 'utf8')
    expect(session).toContain(SECRETS.awsSecret)
    const stored = JSON.parse(await readFile(join(dataDir, 'store', 'batches', `${batch.batchId}.json`), 'utf8'))
    expect(JSON.stringify(stored)).toContain(SECRETS.envValue)
  })
})

/** Every file of a folder, as text. */
async function folderText(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name)
      if (e.isDirectory()) await walk(p)
      else if ((await stat(p)).isFile()) out.set(p.slice(dir.length + 1), await readFile(p, 'utf8'))
    }
  }
  await walk(dir)
  return out
}

describe('secrets a run read are redacted before any model call (claude -p and its evidence folder)', () => {
  let service: Service
  const seen: { prompt: string; files: Map<string, string> }[] = []

  beforeAll(async () => {
    const configDir = await mkdtemp(join(tmpdir(), 't2s-redact-cli-claude-'))
    const dataDir = await mkdtemp(join(tmpdir(), 't2s-redact-cli-data-'))
    const batch = await specFiles(configDir, dataDir, SECRET_RUNS)
    // claude -p, as far as what it is given goes: the prompt and the folder it may read
    const port: ModelPort = {
      kind: 'claude-cli',
      async call(req) {
        seen.push({ prompt: JSON.stringify(req), files: req.folder ? await folderText(req.folder.path) : new Map() })
        const usage = { input: 1, output: 1, cacheRead: 0, cacheCreation: 0 }
        if (req.tool.name === 'merge_rules')
          return {
            input: {
              groups: [],
              contradictions: [],
              skill: { name: 'acme', description: 'Acme pages.', title: 'Acme', whenToUse: 'Acme.' }
            },
            usage,
            model: req.model,
            rounds: 0
          }
        return { input: { rules: [] }, usage, model: req.model, rounds: 0 }
      }
    }
    service = await createService({ configDir, dataDir, mode: 'web', version: 'test', env: { ...SECRET_ENV }, analystPort: port })
    await addSpecBatch(service, batch)
    const a = await service.handlers.startAnalysis({ batchId: batch.batchId, via: 'claude-cli' })
    await service.analysisIdle(a.id)
  }, 120_000)
  afterAll(async () => {
    await service?.dispose()
  })

  it('copies sessions, traces, answers and files into the folder without any secret', () => {
    const withFolder = seen.filter((s) => s.files.size)
    expect(withFolder.length).toBe(4)
    const files = withFolder[0].files
    // everything is there, redacted
    expect(files.get('runs/01/session.jsonl')).toContain('[REDACTED:private-key]')
    expect(files.get('runs/02/outputs/notes.txt')).toContain('[REDACTED:private-key]')
    expect(files.get('runs/02/run.md')).toContain("I found the app's secret: [REDACTED:")
    expect(files.get('runs/04/trace.txt')).toContain('[REDACTED:secret-env]')
    expect(files.get('runs/04/session.jsonl')).toContain('[REDACTED:secret-env]')
    expect(files.get('runs/02/trace.txt')).toContain('[REDACTED:anthropic-key]')
    for (const line of files.get('runs/02/session.jsonl')!.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow()
    for (const s of seen) {
      expect(leaks(s.prompt)).toEqual([])
      for (const [name, text] of s.files) expect(leaks(text), name).toEqual([])
    }
  })
})

describe("verify's explain reads a redacted trace", () => {
  it('sends no secret of the with-skill trace', async () => {
    let sent = ''
    const port: ModelPort = {
      kind: 'api',
      async call(req) {
        sent = JSON.stringify(req)
        return { input: { rules: [] }, usage: { input: 1, output: 1, cacheRead: 0, cacheCreation: 0 }, model: req.model, rounds: 0 }
      }
    }
    const trace = {
      events: [
        {
          kind: 'tool_call',
          line: 3,
          id: 't1',
          name: 'Bash',
          input: { command: 'env' },
          result: { text: `GITHUB_TOKEN=${SECRETS.github}\nX=${SECRETS.envValue}`, isError: false }
        }
      ],
      subagents: []
    } as any
    await explainPair(
      port,
      'claude-sonnet-5-5',
      { kind: 'fixed', prompt: 'p', with: { number: 1, label: 'good', text: '' }, without: { number: 2, label: 'bad', text: '' } },
      [{ key: 'R1', id: 'r1', text: 'Stay in the folder', tier: 'core' }],
      trace,
      new AbortController().signal,
      { literals: secretLiterals(SECRET_ENV) }
    )
    expect(sent).toContain('[REDACTED:github-token]')
    expect(leaks(sent)).toEqual([])
  })
})

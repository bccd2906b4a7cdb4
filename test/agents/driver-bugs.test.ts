/**
 * Bugs of the two hand-written `claude` drivers, through what uses them (the batch runner, the
 * analysts' claude path, checkClaude), with small fake `claude` scripts: no model needed.
 */
import { chmod, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { claudeCliModel } from '../../src/main/analysts/model'
import { createService, type Service } from '../../src/main/app/service'
import { checkClaude, clearClaudeChecks } from '../../src/main/agents/claude-code/check'
import type { Run } from '../../src/shared/runs'

/** is a pid alive (signal 0; no /proc) */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}
const waitFor = async <T>(fn: () => T | undefined | Promise<T | undefined>, ms = 20_000): Promise<T> => {
  const until = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (v !== undefined) return v
    if (Date.now() > until) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 50))
  }
}

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 't2s-driver-bugs-'))
})
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

async function script(name: string, body: string): Promise<string> {
  const file = join(dir, name)
  await writeFile(file, `#!/bin/sh\n${body}\n`)
  await chmod(file, 0o755)
  return file
}

/** "café" with its é (0xC3 0xA9) split over two writes to the pipe, a moment apart */
const SPLIT_CAFE = (before: string, after: string) => `printf '%s' '${before}caf'; printf '\\303'; sleep 0.3; printf '\\251${after}\\n'`

describe("the analysts' claude path", () => {
  const call = {
    model: 'claude-sonnet-4-5',
    system: 's',
    shared: [{ type: 'text' as const, text: 'x' }],
    instructions: 'y',
    tool: { name: 'propose_rules', description: 'd', input_schema: { type: 'object' as const, properties: {} } },
    maxTokens: 100
  }

  it('reads a character split across two chunks of output whole', async () => {
    const fake = await script(
      'utf8-claude',
      `cat > /dev/null\n${SPLIT_CAFE('{"type":"result","subtype":"success","is_error":false,"result":"","structured_output":{"rule":"', '"},"usage":{"input_tokens":5,"output_tokens":2}}')}`
    )
    const out = await claudeCliModel({ claudePath: fake }).call(call, {}, new AbortController().signal)
    expect(out.input).toEqual({ rule: 'café' })
  })

  it('a cancel ends the whole tree, a grandchild in its own session that ignores SIGTERM too', async () => {
    const gc = join(dir, 'analyst-grandchild.pid')
    const fake = await script('tree-claude', `cat > /dev/null\nsetsid sh -c 'trap "" TERM; echo $$ > ${gc}; exec sleep 300' &\nwait`)
    const controller = new AbortController()
    const pending = claudeCliModel({ claudePath: fake })
      .call(call, {}, controller.signal)
      .catch((e: Error) => e)
    const pid = await waitFor(async () => Number((await readFile(gc, 'utf8').catch(() => '')).trim()) || undefined)
    expect(alive(pid)).toBe(true)
    controller.abort()
    expect(await pending).toMatchObject({ name: 'AbortError' })
    await waitFor(() => (alive(pid) ? undefined : true), 10_000).catch(() => undefined)
    const survived = alive(pid)
    if (survived) process.kill(pid, 'SIGKILL')
    expect(survived).toBe(false)
  }, 30_000)
})

describe('the batch runner with a fake claude', () => {
  let service: Service
  let fake: string
  let data: string
  beforeAll(async () => {
    data = join(dir, 'data')
    // prints init with its --session-id, an assistant line, then a result whose text is split mid-character
    fake = await script(
      'run-claude',
      [
        'sid=""; prev=""',
        'for a in "$@"; do [ "$prev" = "--session-id" ] && sid="$a"; prev="$a"; done',
        'printf \'{"type":"system","subtype":"init","session_id":"%s"}\\n\' "$sid"',
        'printf \'{"type":"assistant","parent_tool_use_id":null,"message":{"id":"m1","model":"claude-sonnet-4-5","content":[{"type":"text","text":"hi"}],"usage":{"input_tokens":10,"output_tokens":2}}}\\n\'',
        SPLIT_CAFE('{"type":"result","subtype":"success","is_error":false,"num_turns":1,"total_cost_usd":0.01,"result":"', '"}')
      ].join('\n')
    )
    service = await createService({
      configDir: join(dir, 'config'),
      dataDir: data,
      mode: 'web',
      version: 'test',
      env: { PATH: process.env.PATH }
    })
  })
  afterAll(async () => {
    await service?.dispose()
  })

  it('keeps the final answer whole when a character is split across chunks', async () => {
    const task = await service.handlers.saveTask({ name: 'UTF-8', text: 'Say café.' })
    await service.handlers.saveVariations({ taskId: task.id, variations: [{ difficulty: 'easy', prompt: 'Say café.' }] })
    const batch = await service.handlers.createBatch({
      taskId: task.id,
      settings: {
        concurrency: 1,
        maxTurns: 3,
        claudePath: fake,
        timeoutMs: 30_000,
        permission: 'accept-edits',
        allowedTools: ['Read'],
        repeats: 1
      }
    })
    await service.handlers.startBatch({ batchId: batch.id })
    await service.runner.idle(batch.id)
    const [run] = (await service.handlers.getBatch({ batchId: batch.id })).runs as Run[]
    expect([run.state, run.reason]).toEqual(['done', undefined])
    expect(run.result).toBe('café')
  }, 30_000)
})

describe('checkClaude', () => {
  it('starts the binary once for repeated checks of the same file, again once the file changes, and never for a path that names no file', async () => {
    const log = join(dir, 'check-runs')
    const fake = await script('check-claude', `echo x >> '${log}'\necho 2.1.330 '(Claude Code)'`)
    clearClaudeChecks()
    const runs = async () => (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean).length
    for (let i = 0; i < 5; i++) expect(await checkClaude(fake)).toMatchObject({ ok: true, version: '2.1.330 (Claude Code)' })
    expect(await runs()).toBe(1)
    // at once, as a renderer typing fast would: one process for all of them
    await Promise.all([checkClaude(fake), checkClaude(fake), checkClaude(fake)])
    expect(await runs()).toBe(1)
    // a new binary in the same place (an update) is checked again
    const later = new Date(Date.now() + 5000)
    await utimes(fake, later, later)
    expect(await checkClaude(fake)).toMatchObject({ ok: true })
    expect(await runs()).toBe(2)
    // typing a path: every prefix that names no file is answered without starting anything
    for (const p of [join(dir, 'c'), join(dir, 'ch'), join(dir, 'che')])
      expect(await checkClaude(p)).toMatchObject({ ok: false, error: `\`${p}\` was not found` })
    expect(await runs()).toBe(2)
  })
})

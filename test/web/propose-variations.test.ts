/**
 * proposeVariations over the web API: a model's variations for a task given by its name and text,
 * saved nowhere (what `trace2skill variations` writes to a file, through the contract like every other
 * command). The real SDK against the scripted model; the key and base URL are the service's (its
 * environment), as for generateVariations. Nothing is written to the store, it works on a read-only
 * one, and a bad input, a missing key or a wrong answer is refused clearly.
 */
import { mkdir, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createService, type Service } from '../../src/main/app/service'
import { startWebServer, type WebServer } from '../../src/main/web/server'
import { startModelServer, type ModelServer } from '../support/model-server'
import { changed, snapshot } from '../support/store-files'

const EASY = 'An easy landing page for a bakery.'
const HARD = 'A hard landing page for a zoo, in two languages at once.'

describe('proposeVariations: variations for a task saved nowhere, over the web API', () => {
  let model: ModelServer
  let dir = ''
  let dataDir = ''
  const opened: { service: Service; web: WebServer }[] = []

  beforeAll(async () => {
    model = await startModelServer((req) => {
      const text = JSON.stringify(req.body.messages)
      if (text.includes('MALFORMED')) return { toolUses: [{ name: 'propose_variations', input: { variations: 'not a list' } }] }
      return {
        toolUses: [
          {
            name: 'propose_variations',
            input: {
              variations: [
                { difficulty: 'hard', prompt: HARD },
                { difficulty: 'easy', prompt: EASY }
              ]
            }
          }
        ]
      }
    })
    dir = await mkdtemp(join(tmpdir(), 't2s-propose-'))
    dataDir = join(dir, 'data')
    await mkdir(join(dir, 'claude', 'projects'), { recursive: true })
  })
  afterAll(async () => {
    for (const o of opened) {
      await o.web.close()
      await o.service.dispose()
    }
    await model?.close()
  })

  /** A service on the data folder (the one before it closed first: a writer holds the folder) and a poster to its web API. */
  const open = async (env: NodeJS.ProcessEnv, readOnly = false) => {
    for (const o of opened.splice(0)) {
      await o.web.close()
      await o.service.dispose()
    }
    const service = await createService({ configDir: join(dir, 'claude'), dataDir, mode: 'web', version: 'test', env, readOnly })
    const web = await startWebServer({ handlers: service.handlers, hub: service.hub })
    opened.push({ service, web })
    return async (name: string, body: unknown) => {
      const res = await fetch(`http://127.0.0.1:${web.port}/api/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-trace2skill-token': web.token },
        body: JSON.stringify(body)
      })
      return { status: res.status, body: (await res.json()) as { value?: unknown; error?: string; code?: string } }
    }
  }
  const withKey = () => ({ ANTHROPIC_API_KEY: 'sk-test-key', ANTHROPIC_BASE_URL: model.url })
  const task = { name: 'Landing page', text: 'Build a landing page.' }

  it('gives the variations in the mix asked, in order of difficulty, and writes nothing', async () => {
    const post = await open(withKey())
    const before = await snapshot(dataDir)
    const got = await post('proposeVariations', { task, mix: { easy: 1, normal: 0, hard: 1, adversarial: 0 }, model: 'claude-test-1' })
    expect(got.status, got.body.error).toBe(200)
    expect(got.body.value).toEqual([
      { difficulty: 'easy', prompt: EASY },
      { difficulty: 'hard', prompt: HARD }
    ])
    const asked = model.requests.at(-1)!.body
    expect(asked.model).toBe('claude-test-1')
    expect(asked.tool_choice).toEqual({ type: 'tool', name: 'propose_variations' })
    expect(JSON.stringify(asked.messages)).toContain('Build a landing page.')
    expect(changed(before, await snapshot(dataDir))).toEqual([])
    expect((await post('listTasks', {})).body.value).toEqual([])
  })

  it('works on a read-only store (what the read-only `variations` command opens)', async () => {
    const post = await open(withKey(), true)
    const got = await post('proposeVariations', { task, mix: { easy: 1, normal: 0, hard: 1, adversarial: 0 } })
    expect(got.status, got.body.error).toBe(200)
    expect((got.body.value as unknown[]).length).toBe(2)
  })

  it('refuses bad input, a missing key and a wrong answer clearly', async () => {
    const post = await open(withKey())
    for (const body of [
      { task, mix: { easy: 1, normal: 0, hard: 0 } },
      { task: { name: '', text: 'x' }, mix: { easy: 1, normal: 0, hard: 0, adversarial: 0 } },
      { task: { name: 'n', text: '   ' }, mix: { easy: 1, normal: 0, hard: 0, adversarial: 0 } },
      { task: { ...task, templateDir: '/etc' }, mix: { easy: 1, normal: 0, hard: 0, adversarial: 0 } },
      { taskId: 'x', mix: { easy: 1, normal: 0, hard: 0, adversarial: 0 } }
    ]) {
      const got = await post('proposeVariations', body)
      expect(got.status, JSON.stringify(body)).toBe(400)
      expect(got.body.error).toMatch(/^invalid input for proposeVariations/)
    }
    const none = await post('proposeVariations', { task, mix: { easy: 0, normal: 0, hard: 0, adversarial: 0 } })
    expect(none.status).toBe(400)
    expect(none.body.error).toMatch(/^invalid input for proposeVariations at mix: ask for at least one variation/)
    const bad = await post('proposeVariations', {
      task: { name: 'x', text: 'MALFORMED answers only' },
      mix: { easy: 1, normal: 0, hard: 0, adversarial: 0 }
    })
    expect(bad.body.code).toBe('bad-answer')
    expect(bad.body.error).toMatch(/rejected twice/)
    const noKey = await open({ ANTHROPIC_BASE_URL: model.url }, true)
    const refused = await noKey('proposeVariations', { task, mix: { easy: 1, normal: 0, hard: 0, adversarial: 0 } })
    expect(refused.body.code).toBe('no-api-key')
    expect(refused.body.error).toMatch(/^No Anthropic API key/)
  })
})

/**
 * A synthetic corpus in Claude Code 2.1's on-disk format (the record shapes of the real CLI's files in
 * test/fixtures/cli-2.1.330): projects of sessions with prompts, attachments, request logs, one
 * assistant line per content block with repeated usage, tool results of realistic sizes, occasional
 * screenshots as base64 images, and sub-agent transcripts. Deterministic (seeded).
 */
import { createWriteStream } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export interface CorpusSpec {
  sessions: number
  targetBytes: number
  projects: number
  seed: number
}

/** A seeded generator (mulberry32): the same data on every run. */
export function rng(seed: number) {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const WORDS =
  'the build page header card layout render test file function error config value agent tool result check update style section'.split(' ')

export async function generateCorpus(dir: string, spec: CorpusSpec): Promise<{ bytes: number; files: number }> {
  const marker = join(dir, 'corpus.json')
  try {
    const existing = JSON.parse(await readFile(marker, 'utf8'))
    if (JSON.stringify(existing.spec) === JSON.stringify(spec)) return existing.result
  } catch {
    /* generate */
  }
  const rand = rng(spec.seed)
  const pick = <T>(a: T[]) => a[Math.floor(rand() * a.length)]
  const words = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(' ')
  const uuid = () => {
    const h = () =>
      Math.floor(rand() * 0xffffffff)
        .toString(16)
        .padStart(8, '0')
    const x = h() + h() + h() + h()
    return `${x.slice(0, 8)}-${x.slice(8, 12)}-4${x.slice(13, 16)}-a${x.slice(17, 20)}-${x.slice(20, 32)}`
  }
  // Typical tool output sizes: mostly small, some file reads, rare huge ones.
  const resultSize = () => {
    const r = rand()
    if (r < 0.6) return 200 + Math.floor(rand() * 1500)
    if (r < 0.9) return 2000 + Math.floor(rand() * 12000)
    if (r < 0.995) return 20000 + Math.floor(rand() * 60000)
    return 200000 + Math.floor(rand() * 600000)
  }
  const perSession = spec.targetBytes / spec.sessions
  let bytes = 0
  let files = 0
  const image = 'iVBORw0KGgo' + 'A'.repeat(1.2 * 1024 * 1024)
  for (let p = 0; p < spec.projects; p++) {
    const cwd = `/home/dev/work/project-${p}`
    const pdir = join(dir, 'projects', cwd.replace(/[^A-Za-z0-9]/g, '-'))
    await mkdir(pdir, { recursive: true })
    const count = Math.floor(spec.sessions / spec.projects) + (p < spec.sessions % spec.projects ? 1 : 0)
    for (let s = 0; s < count; s++) {
      const sessionId = uuid()
      const file = join(pdir, `${sessionId}.jsonl`)
      const out = createWriteStream(file)
      let written = 0
      let t = Date.UTC(2026, 9, 1) + Math.floor(rand() * 50 * 86400e3)
      const ts = () => new Date((t += 200 + Math.floor(rand() * 4000))).toISOString()
      let parent: string | null = null
      const common = () => ({ userType: 'external', entrypoint: 'sdk-cli', cwd, sessionId, version: '2.1.330', gitBranch: 'main' })
      const write = (o: object) => {
        const line = JSON.stringify(o) + '\n'
        written += Buffer.byteLength(line)
        out.write(line)
      }
      const node = (o: object) => {
        const u = uuid()
        write({ parentUuid: parent, isSidechain: false, ...o, uuid: u, timestamp: ts(), ...common() })
        parent = u
      }
      write({ type: 'queue-operation', operation: 'enqueue', timestamp: ts(), sessionId, content: words(12) })
      node({
        promptId: uuid(),
        type: 'user',
        message: { role: 'user', content: `Build ${words(20)}` },
        permissionMode: 'acceptEdits',
        promptSource: 'sdk'
      })
      for (const kind of ['environment', 'model', 'deferred_tools_delta', 'skill_listing', 'date'])
        node({ attachment: { type: kind, text: words(kind === 'skill_listing' ? 400 : 30) }, type: 'attachment' })
      write({
        type: 'api-request-blob',
        sessionId,
        hash: uuid(),
        message: { role: 'system', content: [{ type: 'text', text: words(3000) }] }
      })
      const budget = perSession * (0.4 + rand() * 1.2)
      let step = 0
      while (written < budget) {
        const msgId = `msg_${uuid().replace(/-/g, '')}`
        const usage = {
          input_tokens: 3 + Math.floor(rand() * 50),
          cache_creation_input_tokens: Math.floor(rand() * 3000),
          cache_read_input_tokens: 10000 + Math.floor(rand() * 50000),
          output_tokens: 20 + Math.floor(rand() * 800),
          service_tier: 'standard'
        }
        const msg = (content: object[]) => ({
          message: {
            id: msgId,
            type: 'message',
            role: 'assistant',
            model: 'claude-sonnet-4-5-20250929',
            content,
            stop_reason: null,
            stop_sequence: null,
            usage
          },
          requestId: `req_${step}`,
          type: 'assistant'
        })
        if (rand() < 0.3) node(msg([{ type: 'thinking', thinking: words(60), signature: 'sig' + 'x'.repeat(200) }]))
        if (rand() < 0.5) node(msg([{ type: 'text', text: words(40) }]))
        const toolId = `toolu_${uuid().replace(/-/g, '')}`
        const tool = pick(['Bash', 'Read', 'Edit', 'Write', 'Grep'])
        const input =
          tool === 'Write'
            ? { file_path: `${cwd}/src/f${step}.ts`, content: words(Math.floor(resultSize() / 6)) }
            : { command: `npm run ${pick(WORDS)}`, description: words(5) }
        node(msg([{ type: 'tool_use', id: toolId, name: tool, input }]))
        const isError = rand() < 0.06
        const shot = rand() < 0.004
        const text = words(Math.floor(resultSize() / 6))
        const content = shot
          ? [
              { type: 'text', text: 'screenshot' },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: image } }
            ]
          : text
        node({
          type: 'user',
          message: { role: 'user', content: [{ tool_use_id: toolId, type: 'tool_result', content, is_error: isError }] },
          toolUseResult: isError ? `Error: ${words(8)}` : { stdout: shot ? '' : text.slice(0, 2000), stderr: '', interrupted: false }
        })
        step++
      }
      node({
        type: 'assistant',
        message: {
          id: `msg_${uuid().replace(/-/g, '')}`,
          type: 'message',
          role: 'assistant',
          model: 'claude-sonnet-4-5-20250929',
          content: [{ type: 'text', text: 'Done. ' + words(30) }],
          usage: { input_tokens: 5, output_tokens: 120, cache_read_input_tokens: 40000, cache_creation_input_tokens: 100 }
        }
      })
      write({ type: 'last-prompt', lastPrompt: words(10), sessionId })
      await new Promise<void>((ok, fail) => out.end((err?: Error | null) => (err ? fail(err) : ok())))
      bytes += written
      files++
    }
  }
  const result = { bytes, files }
  await writeFile(marker, JSON.stringify({ spec, result }))
  return result
}

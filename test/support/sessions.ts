/**
 * Session files in Claude Code 2.1's on-disk format, written from a list of steps: the prompt, then
 * each step as an assistant message (its words, its tool call) and the tool's result. A step whose
 * tool started a sub-agent gives that sub-agent's own lines to `subagents` (its file goes beside the
 * session, under `<session id>/subagents/agent-<id>.jsonl`). Used by the tests' planted batch and the
 * analysts benchmark.
 */
import { randomUUID } from 'node:crypto'
import type { Service } from '../../src/main/app/service'
import { emptyProgress, RunSettingsSchema, type Run } from '../../src/shared/runs'

export type Step = { text?: string; tool?: { name: string; input: unknown; result: string; isError?: boolean; agent?: Step[] } }

export function sessionLines(
  sessionId: string,
  cwd: string,
  prompt: string,
  steps: Step[],
  opts: { agentId?: string; subagents?: { id: string; lines: string }[]; stepMs?: number; usage?: object } = {}
): string {
  const lines: string[] = []
  let parent: string | null = null
  let t = Date.UTC(2026, 10, 20, 10)
  const common = () => ({
    isSidechain: !!opts.agentId,
    ...(opts.agentId ? { agentId: opts.agentId } : {}),
    userType: 'external',
    entrypoint: 'sdk-cli',
    cwd,
    sessionId,
    version: '2.1.330',
    timestamp: new Date((t += opts.stepMs ?? 1000)).toISOString()
  })
  const node = (o: object) => {
    const uuid = randomUUID()
    lines.push(JSON.stringify({ parentUuid: parent, ...o, uuid, ...common() }))
    parent = uuid
  }
  node({ type: 'user', message: { role: 'user', content: prompt } })
  const usage = opts.usage ?? { input_tokens: 10, output_tokens: 50, cache_read_input_tokens: 1000, cache_creation_input_tokens: 0 }
  for (const [i, s] of steps.entries()) {
    const id = `msg_${i}_${randomUUID().slice(0, 8)}`
    const assistant = (content: object[]) =>
      node({ type: 'assistant', message: { id, type: 'message', role: 'assistant', model: 'claude-sonnet-5-5', content, usage } })
    if (s.text) assistant([{ type: 'text', text: s.text }])
    if (s.tool) {
      const toolId = `toolu_${i}_${randomUUID().slice(0, 8)}`
      assistant([{ type: 'tool_use', id: toolId, name: s.tool.name, input: s.tool.input }])
      if (s.tool.agent && opts.subagents) {
        const sub = `a${randomUUID().replace(/-/g, '').slice(0, 16)}`
        const first =
          typeof (s.tool.input as { prompt?: unknown })?.prompt === 'string' ? (s.tool.input as { prompt: string }).prompt : 'Help.'
        opts.subagents.push({
          id: sub,
          lines: sessionLines(sessionId, cwd, first, s.tool.agent, { ...opts, agentId: sub, subagents: undefined })
        })
      }
      node({
        type: 'user',
        message: {
          role: 'user',
          content: [{ tool_use_id: toolId, type: 'tool_result', content: s.tool.result, is_error: !!s.tool.isError }]
        }
      })
    }
  }
  return lines.join('\n') + '\n'
}

/** A finished run as the runner records it: its folder, its session, its files (path → text) and one desktop screenshot. */
export function finishedRun(o: {
  id: string
  batchId: string
  number: number
  prompt: string
  workspace: string
  sessionId: string
  result: string
  files: Record<string, string>
  shot: { file: string; height: number; bytes: number }
  /** a mobile screenshot too */
  mobile?: { file: string; height: number; bytes: number }
}): Run {
  return {
    id: o.id,
    batchId: o.batchId,
    number: o.number,
    prompt: o.prompt,
    repeat: 1,
    state: 'done',
    workspace: o.workspace,
    sessionId: o.sessionId,
    progress: emptyProgress(),
    result: o.result,
    files: Object.entries(o.files).map(([path, text]) => ({
      path,
      status: 'added' as const,
      bytes: Buffer.byteLength(text),
      binary: false
    })),
    screenshots: [
      {
        html: 'index.html',
        shots: [
          {
            label: 'desktop',
            width: 1280,
            height: o.shot.height,
            file: o.shot.file,
            bytes: o.shot.bytes,
            blank: false,
            timedOut: false,
            blockedRequests: []
          },
          ...(o.mobile ? [{ ...shotOf(o.mobile), label: 'mobile' as const, width: 390 }] : [])
        ]
      }
    ],
    imported: false
  }
}

const shotOf = (s: { file: string; height: number; bytes: number }) => ({
  height: s.height,
  file: s.file,
  bytes: s.bytes,
  blank: false,
  timedOut: false,
  blockedRequests: []
})

/** Adds a batch of finished runs to the service's store, as the runner would, and grades them. */
export async function addGradedBatch(
  service: Service,
  b: { batchId: string; name: string; runs: Run[]; grades: { number: number; label: 'good' | 'bad'; feedback: string }[] }
): Promise<void> {
  await service.store.batches.add(
    {
      id: b.batchId,
      name: b.name,
      createdAt: new Date().toISOString(),
      settings: RunSettingsSchema.parse({}),
      runIds: b.runs.map((r) => r.id)
    },
    b.runs
  )
  const byNumber = new Map(b.runs.map((r) => [r.number, r]))
  for (const g of b.grades) await service.handlers.saveFeedback({ runId: byNumber.get(g.number)!.id, label: g.label, text: g.feedback })
}

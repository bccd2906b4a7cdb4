/* eslint-disable @typescript-eslint/no-explicit-any -- the scripted API's request bodies are untyped JSON */
/**
 * A scripted Anthropic Messages API on loopback: the real `claude` CLI and the real SDK talk to it
 * offline; only the model is scripted. Streams (SSE) or answers JSON, records every request with
 * timings, and can fail on purpose (e.g. 529 overloaded).
 */
import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ToolUseReply {
  name: string
  input: unknown
  id?: string
}

export interface ReplyUsage {
  input_tokens?: number
  output_tokens?: number
  cache_read_input_tokens?: number
  cache_creation_input_tokens?: number
}

export type Reply = (
  | { text: string; thinking?: string; toolUses?: undefined; error?: undefined }
  | { toolUses: ToolUseReply[]; text?: string; thinking?: string; error?: undefined }
  | { error: { status: number; type: string; message: string }; text?: undefined; toolUses?: undefined; thinking?: undefined }
) & {
  /** wait before answering */
  delayMs?: number
  /** wait between streamed events */
  chunkDelayMs?: number
  usage?: ReplyUsage
  model?: string
  stopReason?: string
}

export interface RecordedRequest {
  index: number
  path: string
  headers: IncomingMessage['headers']
  body: any
  receivedAt: number
  firstByteAt?: number
  endedAt?: number
  status?: number
}

export type Script = (req: { body: any; path: string; headers: IncomingMessage['headers']; index: number }) => Reply | Promise<Reply>

export interface ModelServer {
  url: string
  port: number
  requests: RecordedRequest[]
  close(): Promise<void>
}

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function estimateTokens(body: unknown): number {
  return Math.max(1, Math.round(JSON.stringify(body ?? '').length / 4))
}

/** The assistant message content blocks for a reply. */
function blocksOf(reply: Reply): any[] {
  const blocks: any[] = []
  if (reply.thinking) blocks.push({ type: 'thinking', thinking: reply.thinking, signature: randomBytes(32).toString('base64') })
  if (reply.text) blocks.push({ type: 'text', text: reply.text })
  for (const t of reply.toolUses ?? []) blocks.push({ type: 'tool_use', id: t.id ?? id('toolu'), name: t.name, input: t.input ?? {} })
  if (blocks.length === 0) blocks.push({ type: 'text', text: '' })
  return blocks
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  const text = Buffer.concat(chunks).toString('utf8')
  if (!text) return {}
  try {
    return JSON.parse(text)
  } catch {
    return { _raw: text }
  }
}

export async function startModelServer(script: Script): Promise<ModelServer> {
  const requests: RecordedRequest[] = []
  const sockets = new Set<import('node:net').Socket>()

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const body = await readJson(req)
    if (req.method === 'POST' && url.pathname === '/v1/messages/count_tokens') {
      res.writeHead(200, { 'content-type': 'application/json' })
      return res.end(JSON.stringify({ input_tokens: estimateTokens(body) }))
    }
    if (!(req.method === 'POST' && url.pathname === '/v1/messages')) {
      res.writeHead(404, { 'content-type': 'application/json' })
      return res.end(
        JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: `scripted server: no ${req.method} ${url.pathname}` } })
      )
    }
    const rec: RecordedRequest = {
      index: requests.length,
      path: url.pathname + url.search,
      headers: req.headers,
      body,
      receivedAt: performance.now()
    }
    requests.push(rec)
    let reply: Reply
    try {
      reply = await script({ body, path: rec.path, headers: req.headers, index: rec.index })
    } catch (err) {
      reply = { error: { status: 500, type: 'api_error', message: `script failed: ${(err as Error).message}` } }
    }
    if (reply.delayMs) await sleep(reply.delayMs)
    if (res.destroyed) return
    if (reply.error) {
      rec.status = reply.error.status
      rec.firstByteAt = rec.endedAt = performance.now()
      res.writeHead(reply.error.status, { 'content-type': 'application/json', 'request-id': id('req') })
      return res.end(JSON.stringify({ type: 'error', error: { type: reply.error.type, message: reply.error.message } }))
    }
    const b = body as { model?: string; stream?: boolean }
    const model = reply.model ?? b.model ?? 'claude-sonnet-5-5'
    const content = blocksOf(reply)
    const usage = {
      input_tokens: reply.usage?.input_tokens ?? estimateTokens(body),
      output_tokens: reply.usage?.output_tokens ?? Math.max(1, Math.round(JSON.stringify(content).length / 4)),
      cache_read_input_tokens: reply.usage?.cache_read_input_tokens ?? 0,
      cache_creation_input_tokens: reply.usage?.cache_creation_input_tokens ?? 0
    }
    const stopReason = reply.stopReason ?? (reply.toolUses?.length ? 'tool_use' : 'end_turn')
    const message = {
      id: id('msg'),
      type: 'message',
      role: 'assistant',
      model,
      content,
      stop_reason: stopReason,
      stop_sequence: null,
      usage
    }
    rec.status = 200
    if (!b.stream) {
      rec.firstByteAt = rec.endedAt = performance.now()
      res.writeHead(200, { 'content-type': 'application/json', 'request-id': id('req') })
      return res.end(JSON.stringify(message))
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'request-id': id('req') })
    const send = async (event: string, data: unknown) => {
      if (res.destroyed) return
      if (rec.firstByteAt === undefined) rec.firstByteAt = performance.now()
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
      if (reply.chunkDelayMs) await sleep(reply.chunkDelayMs)
    }
    await send('message_start', {
      type: 'message_start',
      message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } }
    })
    for (const [index, block] of content.entries()) {
      if (block.type === 'text') {
        await send('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } })
        const text: string = block.text
        const parts = text.match(/[\s\S]{1,40}/g) ?? ['']
        for (const part of parts)
          await send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: part } })
      } else if (block.type === 'thinking') {
        await send('content_block_start', {
          type: 'content_block_start',
          index,
          content_block: { type: 'thinking', thinking: '', signature: '' }
        })
        await send('content_block_delta', {
          type: 'content_block_delta',
          index,
          delta: { type: 'thinking_delta', thinking: block.thinking }
        })
        await send('content_block_delta', {
          type: 'content_block_delta',
          index,
          delta: { type: 'signature_delta', signature: block.signature }
        })
      } else {
        await send('content_block_start', {
          type: 'content_block_start',
          index,
          content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} }
        })
        const json = JSON.stringify(block.input)
        const parts = json.match(/[\s\S]{1,200}/g) ?? ['{}']
        for (const part of parts)
          await send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: part } })
      }
      await send('content_block_stop', { type: 'content_block_stop', index })
    }
    await send('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: usage.output_tokens }
    })
    await send('message_stop', { type: 'message_stop' })
    rec.endedAt = performance.now()
    res.end()
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: String(err) } }))
    })
  })
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    async close() {
      for (const s of sockets) s.destroy()
      await new Promise<void>((ok) => server.close(() => ok()))
    }
  }
}

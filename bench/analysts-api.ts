/* eslint-disable @typescript-eslint/no-explicit-any -- the scripted API's request bodies are untyped JSON */
/**
 * The analysts benchmark's scripted Messages API, in a process of its own (so its work, parsing and
 * hashing megabytes of requests, does not slow the app it measures): the scripted analysts (2-3 rounds
 * of looking closer, then their rules) and the merge (test/support/analyst-script.ts), behind a prompt
 * cache that bills like the real API (text and image tokens, the moving marker on tool results) and a
 * latency that grows with the uncached input and the output. Talks to the benchmark over IPC: it says
 * where it listens, and answers for its bills, its requests' timings and a request's body.
 */
import { createHash } from 'node:crypto'
import type { AnalystKind, ProposedRule, RuleExample } from '../src/shared/skills'
import { analystScript, isAnalystRequest, kindOf, type CheckVerdict } from '../test/support/analyst-script'
import { startModelServer, type ModelServer, type Reply, type Script } from '../test/support/model-server'
import type { Kind } from './analysts-corpus'

/**
 * The scripted API's latency, modelled on a large model over a long prompt: a fixed time to first
 * token, prefill of the uncached input (cache reads are ten times cheaper to prefill), then the output
 * streamed at a fixed rate. Every delay is multiplied by TIME_SCALE so the suite stays short; the ratio
 * of wall times does not depend on it (the app's own work, not scaled, weighs a little more for it).
 */
export const FIRST_TOKEN_MS = 600
export const PREFILL_TOKENS_PER_S = 25_000
export const CACHED_PREFILL_TOKENS_PER_S = 250_000
export const OUTPUT_TOKENS_PER_S = 80
export const TIME_SCALE = Number(process.env.BENCH_TIME_SCALE ?? 0.25)

/** The API's prompt cache: a hit is looked for up to 20 blocks before a marker; shorter prefixes than this are not cached. */
const LOOKBACK_BLOCKS = 20
const MIN_CACHEABLE = 1024

const textTokens = (s: string) => Math.ceil(s.length / 4)
/** An image block's tokens from its PNG header: width × height / 750. */
function imageTokensOf(block: any): number {
  const data: string = block?.source?.data ?? ''
  const head = Buffer.from(data.slice(0, 44), 'base64')
  if (head.length < 24 || head.readUInt32BE(0) !== 0x89504e47) return textTokens(data)
  return Math.ceil((head.readUInt32BE(16) * head.readUInt32BE(20)) / 750)
}
/** Tokens of one content block (text, image, tool call, tool result with text and images). */
function blockTokens(b: any): { text: number; image: number } {
  if (typeof b === 'string') return { text: textTokens(b), image: 0 }
  if (b?.type === 'image') return { text: 0, image: imageTokensOf(b) }
  if (b?.type === 'text') return { text: textTokens(b.text ?? ''), image: 0 }
  if (b?.type === 'tool_result' && Array.isArray(b.content)) {
    const parts = b.content.map(blockTokens)
    return { text: 10 + parts.reduce((n: number, p: any) => n + p.text, 0), image: parts.reduce((n: number, p: any) => n + p.image, 0) }
  }
  const { cache_control: _cc, ...rest } = b ?? {}
  return { text: textTokens(JSON.stringify(rest)), image: 0 }
}

/** The request as a list of blocks in the order the API caches them: tools, system, then each message's blocks. */
function blocksOf(body: any): { key: string; tokens: number; image: number; marked: boolean }[] {
  const out: { key: string; tokens: number; image: number; marked: boolean }[] = []
  let hash = createHash('sha256').update(JSON.stringify([body.model, body.tool_choice ?? null]))
  const push = (b: any, role: string) => {
    const { cache_control, ...rest } = typeof b === 'string' ? { cache_control: undefined, text: b } : (b ?? {})
    // tool results' inner blocks may carry no marker of their own; the block's own marker counts
    const clean = JSON.stringify(rest, (k, v) => (k === 'cache_control' ? undefined : v))
    hash = createHash('sha256').update(hash.digest('hex')).update(role).update(clean)
    const key = hash.copy().digest('hex')
    const t = blockTokens(b)
    out.push({ key, tokens: t.text + t.image, image: t.image, marked: !!cache_control })
  }
  for (const t of body.tools ?? []) push(t, 'tool')
  for (const s of typeof body.system === 'string' ? [body.system] : (body.system ?? [])) push(s, 'system')
  for (const m of body.messages ?? []) for (const b of typeof m.content === 'string' ? [m.content] : m.content) push(b, m.role)
  return out
}

export interface Billed {
  index: number
  what: AnalystKind | 'merge' | 'support' | 'other'
  /** the model the request named (the support check uses a cheaper one) */
  model: string
  round: number
  input: number
  cacheCreation: number
  cacheRead: number
  output: number
  imageTokens: number
  /** tokens up to the first cache marker: the shared prefix */
  prefixTokens: number
  prefixImageTokens: number
}

/**
 * Wraps a script so the server reports usage as the real API does with prompt caching: each marker
 * writes the prefix up to it; a later request whose blocks start with a cached prefix (looked for up to
 * LOOKBACK_BLOCKS before each of its markers) reads it, once the writer's answer has begun. Adds
 * latency (see FIRST_TOKEN_MS and the rates).
 */
function cachingApi(inner: Script, serverOf: () => ModelServer) {
  const cache = new Map<string, { tokens: number; writer: number }>()
  const billed: Billed[] = []
  const script: Script = async (req) => {
    const body = req.body
    const blocks = blocksOf(body)
    const cum: number[] = []
    blocks.reduce((n, b, i) => (cum[i] = n + b.tokens), 0)
    const total = cum[cum.length - 1] ?? 0
    const markers = blocks.flatMap((b, i) => (b.marked ? [i] : []))
    const requests = serverOf().requests
    const me = requests[req.index]
    const usable = (i: number) => {
      const c = cache.get(blocks[i].key)
      const w = c && requests[c.writer]
      return !!w && w.status === 200 && w.firstByteAt !== undefined && w.firstByteAt <= me.receivedAt
    }
    let readUpTo = -1
    for (const m of markers) for (let i = m; i >= Math.max(0, m - LOOKBACK_BLOCKS); i--) if (i > readUpTo && usable(i)) readUpTo = i
    const last = markers.length ? markers[markers.length - 1] : -1
    const cacheRead = readUpTo >= 0 ? cum[readUpTo] : 0
    const cachedEnd = last >= 0 && cum[last] >= MIN_CACHEABLE ? cum[last] : 0
    const cacheCreation = Math.max(0, cachedEnd - cacheRead)
    const input = total - Math.max(cacheRead, cachedEnd)
    for (const m of markers) {
      if (cum[m] < MIN_CACHEABLE) continue
      const c = cache.get(blocks[m].key)
      const w = c && requests[c.writer]
      if (!w || (w.status !== undefined && w.status !== 200)) cache.set(blocks[m].key, { tokens: cum[m], writer: req.index })
    }
    const reply = await inner(req)
    if (reply.error) return reply
    const content = reply.toolUses
      ? reply.toolUses.map((t) => ({ type: 'tool_use', name: t.name, input: t.input }))
      : [{ type: 'text', text: reply.text ?? '' }]
    const output = textTokens(JSON.stringify(content))
    // events streamed: message_start, per block a start, its deltas (200 chars of JSON each) and a stop, message_delta, message_stop
    const deltas = reply.toolUses
      ? reply.toolUses.reduce((n, t) => n + Math.ceil(JSON.stringify(t.input ?? {}).length / 200) + 2, 0)
      : Math.ceil((reply.text?.length ?? 0) / 40) + 2
    const events = deltas + 3
    const kind = isAnalystRequest(body) ? kindOf(body) : null
    const firstMarker = markers[0] ?? -1
    billed.push({
      index: req.index,
      what:
        kind ?? (body?.tool_choice?.name === 'merge_rules' ? 'merge' : body?.tool_choice?.name === 'check_support' ? 'support' : 'other'),
      model: String(body?.model ?? ''),
      round: ((body.messages?.length ?? 1) - 1) / 2,
      input,
      cacheCreation,
      cacheRead,
      output,
      imageTokens: blocks.reduce((n, b) => n + b.image, 0),
      prefixTokens: firstMarker >= 0 ? cum[firstMarker] : 0,
      prefixImageTokens: blocks.slice(0, firstMarker + 1).reduce((n, b) => n + b.image, 0)
    })
    const ttfb = FIRST_TOKEN_MS + ((input + cacheCreation) / PREFILL_TOKENS_PER_S + cacheRead / CACHED_PREFILL_TOKENS_PER_S) * 1000
    return {
      ...reply,
      usage: { input_tokens: input, cache_creation_input_tokens: cacheCreation, cache_read_input_tokens: cacheRead, output_tokens: output },
      delayMs: ttfb * TIME_SCALE + (reply.delayMs ?? 0),
      chunkDelayMs: ((output / OUTPUT_TOKENS_PER_S) * 1000 * TIME_SCALE) / events
    } as Reply
  }
  return { script, billed, reset: () => cache.clear() }
}

/** Runs of each kind of the batch, by number. */
export type RunsOf = (k: Kind | Kind[]) => number[]

/** What each scripted analyst looks at, round by round, before it answers (2-3 rounds). */
export function lookCloser(runsOf: RunsOf): Record<AnalystKind, { name: string; input: unknown }[][]> {
  const [e1, e2] = runsOf('errors')
  const [g1, g2] = runsOf('good')
  const [c1] = runsOf('cluttered')
  const [d1, d2] = runsOf('detour')
  return {
    error: [
      [{ name: 'search_traces', input: { pattern: 'ENOENT' } }],
      [
        { name: 'read_trace', input: { run: e1, from_line: 10, to_line: 60 } },
        { name: 'read_trace', input: { run: e2, from_line: 30, to_line: 70 } }
      ],
      [{ name: 'view_screenshot', input: { run: e1 } }]
    ],
    success: [
      [
        { name: 'read_output', input: { run: g1, path: 'index.html' } },
        { name: 'view_screenshot', input: { run: g2 } }
      ],
      [{ name: 'view_screenshot', input: { run: c1 } }]
    ],
    structure: [
      [{ name: 'search_traces', input: { pattern: 'notes-\\d+\\.txt', regex: true } }],
      [{ name: 'read_trace', input: { run: d1, from_line: 20, to_line: 40 } }],
      [{ name: 'read_output', input: { run: d2, path: 'styles.css' } }]
    ],
    edge: [
      [{ name: 'search_traces', input: { pattern: 'pricing.json' } }],
      [{ name: 'read_trace', input: { run: e1, from_line: 1, to_line: 30 } }]
    ]
  }
}

/** The rules the scripted analysts propose, citing the runs of each kind. */
export function analystRules(runsOf: RunsOf): Record<AnalystKind, ProposedRule[]> {
  // where good and bad runs differ concretely (the page's colours, its cards, the header's padding), an
  // example quoted from real lines of their final files (checked after the merge); no example where
  // the runs show no such pair (the good runs never ran the build, so there is no right command to quote)
  const [c1] = runsOf('cluttered')
  const [g1] = runsOf('good')
  const ex = (runs: (number | undefined)[], wrong?: string, right?: string): RuleExample | undefined => {
    const known = runs.filter((n): n is number => n !== undefined)
    return known.length ? { ...(wrong ? { wrong } : {}), ...(right ? { right } : {}), runs: known } : undefined
  }
  const r = (
    rule: string,
    kinds: Kind | Kind[],
    priority: 'high' | 'medium' | 'low',
    reason: string,
    why: string,
    example?: RuleExample
  ): ProposedRule => {
    const evidence = runsOf(kinds)
    return {
      rule,
      evidence,
      priority,
      why,
      ...(example ? { example } : {}),
      // an answer of realistic length: what each run shows, and where
      reason: `${reason} Seen in runs ${evidence.join(', ')}. ${evidence
        .map((n) => `In run ${n} it shows at the steps around line ${10 + ((n * 7) % 60)} and again in the final files and the screenshot.`)
        .join(' ')}`,
      pointers: evidence.slice(0, 6).map((run) => ({ run, line: 12 }))
    }
  }
  return {
    error: [
      r(
        'Check that the pricing configuration exists before running the build.',
        'errors',
        'high',
        'The build failed three times on ENOENT for config/pricing.json and the agent retried it unchanged each time.',
        'Every half-finished run lost its pricing section to a build that could not open config/pricing.json.'
      ),
      r(
        'When the build fails, read the error and fix its cause before running it again.',
        'errors',
        'high',
        'Each failing build was followed by unrelated edits and the same command, so the pricing section never appeared.',
        'The same ENOENT came back three times in each half-finished run because its cause was never touched.'
      ),
      r(
        'Never put more than three cards on the page.',
        'cluttered',
        'high',
        'The cluttered pages have twelve yellow cards in a four-column grid; the screenshots show them crowding the fold.',
        'The pages graded cluttered had twelve cards; every page graded good had three.',
        ex([c1, g1], '<div class="card"><h3>Feature 12</h3>', '<div class="card"><h3>Feature 3</h3>')
      )
    ],
    success: [
      r(
        'Write the page in one Write call with the whole document, then the stylesheet.',
        'good',
        'high',
        'Every run graded good wrote index.html whole, then styles.css, with no rewrites.',
        'The good runs finished in fewer steps, with no half-written page for a later edit to break.'
      ),
      r(
        'Keep a calm palette: one accent colour on the header, dark text on a light background.',
        'good',
        'high',
        'The good pages use #2b59c3 for the header only and #1d2433 on #f4f6fb; the cluttered ones use red and yellow.',
        'The pages graded good were called calm and readable; the red and yellow ones were called loud.',
        ex(
          [c1, g1],
          'body{font-family:Impact;background:#ff2d2d;color:#ffe36e}',
          'body{font-family:system-ui,sans-serif;background:#f4f6fb;color:#1d2433}'
        )
      ),
      r(
        'Pad the header generously (about 64px 32px).',
        'good',
        'medium',
        'The screenshots of the good runs show a tall, airy header; the cluttered ones cram it.',
        'The headers the person called clear all had this padding.',
        ex([g1], undefined, 'header{background:#2b59c3;color:#fff;padding:64px 32px}')
      ),
      r(
        'Show three feature cards, one sentence each.',
        'good',
        'medium',
        'The good pages have exactly three cards in the grid, each with a heading and a sentence.',
        'Three short cards kept the feature grid readable on the desktop screenshots.'
      )
    ],
    structure: [
      r(
        'Do not write progress notes to files unless asked.',
        'detour',
        'medium',
        'The slow runs left notes-N.txt files every few steps, which the person called stray.',
        'The person called the notes files left in the slow runs stray.'
      ),
      r(
        'Check the asset sizes yourself with one command instead of starting a sub-agent.',
        'detour',
        'medium',
        'A sub-agent ran six du commands to report one large hero image.',
        'The sub-agent took six steps to find what one command shows, and the run took ages.'
      ),
      r(
        'Write the deliverable before surveying the rest of the workspace.',
        ['good', 'detour'],
        'low',
        'The good runs wrote early.',
        'The runs that wrote the page first were the quick ones.'
      )
    ],
    edge: [
      r(
        'Before running the build, verify that config/pricing.json exists.',
        'errors',
        'high',
        'The missing pricing.json is the first failure of every run graded half-finished.',
        'Without config/pricing.json the build stops before the pricing section is made.'
      )
    ]
  }
}

/**
 * The scripted support checker's verdicts: most cited runs bear their rule out; a few do not (the
 * detours cited for writing early surveyed first, the last half-finished run made no unrelated edits),
 * so the check has something to take away.
 */
export function supportVerdict(runsOf: RunsOf): CheckVerdict {
  const detours = new Set(runsOf('detour'))
  const errors = runsOf('errors')
  const lastError = errors[errors.length - 1]
  return (run, rule) => {
    if (/^Write the deliverable before surveying/.test(rule) && detours.has(run))
      return `Run ${run} surveyed the assets with a sub-agent before it wrote index.html and was graded fine in the end: it does not show that writing first matters.`
    if (/^When the build fails, read the error/.test(rule) && run === lastError && errors.length > 1)
      return `Between the failing builds run ${run} only read and searched files; it made no unrelated edits, so it does not show this.`
    return true
  }
}

/** The scripted analysts: 2-3 rounds of looking closer (by the number of rounds in the request), then their rules. */
function drillingScript(inner: Script, plan: Record<AnalystKind, { name: string; input: unknown }[][]>): Script {
  return (req) => {
    const body = req.body
    if (isAnalystRequest(body)) {
      const kind = kindOf(body)
      const round = ((body.messages?.length ?? 1) - 1) / 2
      const calls = kind ? plan[kind][round] : undefined
      if (calls) return { toolUses: calls.map((c) => ({ name: c.name, input: c.input })), text: 'Let me look closer.' }
    }
    return inner(req)
  }
}

/** A request's timings, on the epoch clock (ms, fractional) so both processes agree. */
export interface Timing {
  index: number
  receivedAt: number
  firstByteAt?: number
  endedAt?: number
  status?: number
}

export type ApiAsk = { id: number; type: 'reset' } | { id: number; type: 'state' } | { id: number; type: 'body'; index: number }

/** The child: `process.send` is there when forked. */
async function child(runs: { kind: Kind; number: number }[]) {
  const runsOf: RunsOf = (kinds) => runs.filter((r) => [kinds].flat().includes(r.kind)).map((r) => r.number)
  const rules = analystRules(runsOf)
  // eslint-disable-next-line prefer-const -- the API reads it once the server exists
  let server!: ModelServer
  const api = cachingApi(
    drillingScript(
      analystScript(
        {
          error: { rules: rules.error },
          success: { rules: rules.success },
          structure: { rules: rules.structure },
          edge: { rules: rules.edge }
        },
        { check: supportVerdict(runsOf) }
      ),
      lookCloser(runsOf)
    ),
    () => server
  )
  server = await startModelServer(api.script)
  const epoch = (t: number | undefined) => (t === undefined ? undefined : performance.timeOrigin + t)
  process.on('message', (m: ApiAsk) => {
    if (m.type === 'reset') {
      api.reset()
      process.send!({ id: m.id })
    } else if (m.type === 'state')
      process.send!({
        id: m.id,
        billed: api.billed,
        timings: server.requests.map((r) => ({
          index: r.index,
          receivedAt: epoch(r.receivedAt),
          firstByteAt: epoch(r.firstByteAt),
          endedAt: epoch(r.endedAt),
          status: r.status
        }))
      })
    else if (m.type === 'body') process.send!({ id: m.id, body: server.requests[m.index]?.body })
  })
  process.send!({ url: server.url })
}

if (process.send && process.env.BENCH_API_RUNS) void child(JSON.parse(process.env.BENCH_API_RUNS))

/**
 * Full-text search across a project's session contents. A cheap byte check on the raw line first;
 * only lines that pass are parsed, and the match must be in the text a person reads (prompts,
 * answers, tool inputs and results), not in ids, keys or base64 data.
 */
import type { SearchHit } from '../../shared/contract'
import { readJsonlLines } from './jsonl'

const SKIP_KEYS = new Set([
  'data',
  'signature',
  'uuid',
  'parentUuid',
  'leafUuid',
  'id',
  'tool_use_id',
  'sessionId',
  'requestId',
  'messageId'
])

/** All human-readable strings of a parsed line, base64 and identifiers left out. Iterative: lines may nest deep. */
export function readableText(value: unknown, out: string[] = [], key = ''): string[] {
  const stack: [unknown, string][] = [[value, key]]
  while (stack.length) {
    const [v, k] = stack.pop()!
    if (typeof v === 'string') {
      if (!SKIP_KEYS.has(k)) out.push(v)
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], k])
    } else if (v && typeof v === 'object') {
      const entries = Object.entries(v)
      for (let i = entries.length - 1; i >= 0; i--) stack.push([entries[i][1], entries[i][0]])
    }
  }
  return out
}

function snippetAround(text: string, at: number, len: number): string {
  const start = Math.max(0, at - 60)
  const end = Math.min(text.length, at + len + 60)
  return `${start > 0 ? '…' : ''}${text.slice(start, end).replace(/\s+/g, ' ')}${end < text.length ? '…' : ''}`
}

export async function searchSessionFile(
  file: string,
  query: string,
  maxSnippets = 3
): Promise<{ matches: number; snippets: { line: number; text: string }[] }> {
  const q = query.toLowerCase()
  // In the raw JSON, quotes, backslashes and control characters appear escaped.
  const rawNeedles = [...new Set([q, JSON.stringify(q).slice(1, -1)])]
  let matches = 0
  const snippets: { line: number; text: string }[] = []
  await readJsonlLines(file, {
    onLine(buf, offset, length, lineNo) {
      const raw = buf.toString('utf8', offset, offset + length).toLowerCase()
      if (!rawNeedles.some((n) => raw.includes(n))) return
      let value: unknown
      try {
        value = JSON.parse(buf.toString('utf8', offset, offset + length))
      } catch {
        // a line that is not JSON is searched as it is
        value = buf.toString('utf8', offset, offset + length)
      }
      for (const text of readableText(value)) {
        const at = text.toLowerCase().indexOf(q)
        if (at < 0) continue
        matches++
        if (snippets.length < maxSnippets) snippets.push({ line: lineNo, text: snippetAround(text, at, q.length) })
        break
      }
    }
  })
  return { matches, snippets }
}

export async function searchSessions(
  sessions: { sessionId: string; file: string; firstPrompt: string }[],
  query: string,
  limit = 200,
  signal?: AbortSignal
): Promise<SearchHit[]> {
  const hits: SearchHit[] = []
  for (const s of sessions) {
    if (signal?.aborted || hits.length >= limit) break
    const { matches, snippets } = await searchSessionFile(s.file, query)
    if (matches > 0) hits.push({ sessionId: s.sessionId, firstPrompt: s.firstPrompt, matches, snippets })
  }
  return hits.sort((a, b) => b.matches - a.matches)
}

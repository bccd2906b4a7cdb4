/**
 * Where a skill's text came from in the runs: spans of a rule (or of the description, title, "when to
 * use") copied word for word from what a run read or wrote (its trace, its final answer, its files), and
 * the places a flagged command, URL or credential of the text appears in them. A run's content is
 * written by whatever the run read, so a rule that repeats it may carry a planted instruction; the
 * composer, the export and verify show these (src/shared/rule-flags.ts). The prompt the person gave is
 * not run content and is left out. One pass over the runs for every text at once. Pure; Electron-free.
 */
import { normalizeText, patternFlags, type FieldProvenance, type Provenance } from '../../shared/rule-flags'
import type { Skill } from '../../shared/skills'
import type { Trace, TraceEvent } from '../../shared/trace'

/** Words in a row that count as copied (and at least this many characters). */
export const MIN_COPIED_WORDS = 8
const MIN_COPIED_CHARS = 32
/** Places kept per span or per flag, and per text in all. */
const PER_SPAN = 10
const PER_TEXT = 50

/** One piece of a run's content: where it is, and its text. */
export interface RunPart {
  run: number
  part: Provenance['part']
  what?: string
  line?: number
  agent?: string
  file?: string
  text: string
}

/** What of a run is looked at: its trace, final answer and files, as the analysts read them. */
export interface RunContent {
  number: number
  prompt: string
  result?: string
  trace: Trace | null
  outputs?: { path: string; text?: string }[]
}

/** A run's content in parts (the prompt the person wrote left out). */
export function runParts(run: RunContent): RunPart[] {
  const out: RunPart[] = []
  const prompt = normalizeText(run.prompt)
  const events = (list: TraceEvent[], agent?: string) => {
    for (const e of list) {
      const at = { run: run.number, part: 'trace' as const, line: e.line, ...(agent ? { agent } : {}) }
      if (e.kind === 'assistant') out.push({ ...at, what: "the agent's words", text: e.text })
      else if (e.kind === 'thinking') out.push({ ...at, what: 'thinking', text: e.text })
      else if (e.kind === 'user') {
        if (normalizeText(e.text) !== prompt) out.push({ ...at, what: 'a message', text: e.text })
      } else if (e.kind === 'tool_call') {
        out.push({ ...at, what: `${e.name} input`, text: stringsOf(e.input).join('\n') })
        // at the call's line, as the analysts' context and the trace viewer show a call with its result
        if (e.result) out.push({ ...at, what: `${e.name} result`, text: e.result.text })
      } else if (e.kind === 'tool_result') out.push({ ...at, what: 'a tool result', text: e.result.text })
      else if (e.kind === 'system' || e.kind === 'summary') out.push({ ...at, what: e.kind, text: e.text })
    }
  }
  if (run.trace) {
    events(run.trace.events)
    for (const s of run.trace.subagents) events(s.events, s.agentId)
  }
  if (run.result) out.push({ run: run.number, part: 'answer', text: run.result })
  for (const f of run.outputs ?? []) if (f.text) out.push({ run: run.number, part: 'file', file: f.path, text: f.text })
  return out.filter((p) => p.text)
}

function stringsOf(v: unknown, depth = 0): string[] {
  if (typeof v === 'string') return [v]
  if (!v || typeof v !== 'object' || depth > 20) return []
  return (Array.isArray(v) ? v : Object.values(v)).flatMap((x) => stringsOf(x, depth + 1))
}

const WORD = /[\p{L}\p{N}]+/gu

interface Word {
  w: string
  start: number
  end: number
}
const wordsOf = (text: string): Word[] =>
  [...text.matchAll(WORD)].map((m) => ({ w: m[0].toLowerCase(), start: m.index, end: m.index + m[0].length }))

/** A text whose provenance is wanted, and the runs to look in (default: all). */
export interface TextToTrace {
  key: string
  text: string
  runs?: number[]
}

const where = (p: RunPart): Omit<Provenance, 'text' | 'verbatim'> => ({
  run: p.run,
  part: p.part,
  ...(p.what ? { what: p.what } : {}),
  ...(p.line !== undefined ? { line: p.line } : {}),
  ...(p.agent ? { agent: p.agent } : {}),
  ...(p.file ? { file: p.file } : {})
})

/**
 * For each text, where it came from in the runs: the spans of MIN_COPIED_WORDS or more words it shares
 * word for word with a run's content (case and punctuation aside), and where each command, URL or
 * credential it holds appears. At most one place per run for each.
 */
export function provenanceOf(texts: TextToTrace[], parts: RunPart[]): Map<string, Provenance[]> {
  const out = new Map<string, Provenance[]>(texts.map((t) => [t.key, []]))
  // every text's word shingles in one index: one pass over the runs finds them all
  const K = MIN_COPIED_WORDS
  const index = new Map<string, { t: number; i: number }[]>()
  const firsts = new Set<string>()
  const words = texts.map((t) => wordsOf(t.text))
  words.forEach((ws, t) => {
    for (let i = 0; i + K <= ws.length; i++) {
      const key = ws
        .slice(i, i + K)
        .map((x) => x.w)
        .join(' ')
      index.set(key, [...(index.get(key) ?? []), { t, i }])
      firsts.add(ws[i].w)
    }
  })
  const runsOf = texts.map((t) => (t.runs ? new Set(t.runs) : null))
  /** per text: per part index, the shingles found */
  const hits = texts.map(() => new Map<number, Set<number>>())
  if (index.size)
    parts.forEach((p, pi) => {
      const ws = [...p.text.matchAll(WORD)].map((m) => m[0].toLowerCase())
      for (let j = 0; j + K <= ws.length; j++) {
        if (!firsts.has(ws[j])) continue
        const found = index.get(ws.slice(j, j + K).join(' '))
        if (!found) continue
        for (const { t, i } of found) {
          if (runsOf[t] && !runsOf[t]!.has(p.run)) continue
          const m = hits[t].get(pi) ?? new Set<number>()
          m.add(i)
          hits[t].set(pi, m)
        }
      }
    })
  texts.forEach((t, ti) => {
    const list = out.get(t.key)!
    const perSpan = new Map<string, Map<string, Provenance>>()
    for (const [pi, shingles] of hits[ti]) {
      // consecutive shingles make one span of the text
      const sorted = [...shingles].sort((a, b) => a - b)
      for (let s = 0; s < sorted.length;) {
        let e = s
        while (e + 1 < sorted.length && sorted[e + 1] <= sorted[e] + K) e++
        const ws = words[ti]
        const span = t.text.slice(ws[sorted[s]].start, ws[sorted[e] + K - 1].end)
        s = e + 1
        if (span.length < MIN_COPIED_CHARS) continue
        // one place per run and kind of place (its trace, its answer, its files)
        const places = perSpan.get(span) ?? new Map<string, Provenance>()
        const at = parts[pi]
        const key = `${at.run}\u0000${at.part}${at.part === 'trace' ? `\u0000${at.what}` : ''}`
        if (!places.has(key)) places.set(key, { text: span, ...where(at), verbatim: true })
        perSpan.set(span, places)
      }
    }
    // every run first (its first place), then more places of each, up to the cap
    for (const places of perSpan.values()) {
      const byRun = new Map<number, Provenance[]>()
      for (const p of places.values()) byRun.set(p.run, [...(byRun.get(p.run) ?? []), p])
      const runs = [...byRun.keys()].sort((a, b) => a - b)
      const picked: Provenance[] = []
      for (let round = 0; picked.length < PER_SPAN * 3 && runs.some((r) => byRun.get(r)!.length > round); round++)
        for (const r of runs) if (picked.length < PER_SPAN * 3 && byRun.get(r)![round]) picked.push(byRun.get(r)![round])
      list.push(...picked)
    }
    // the commands, URLs and credentials it holds: where the runs have them
    for (const f of patternFlags(t.text)) {
      const needle = normalizeText(f.found)
      if (needle.length < 4) continue
      const runs = new Set<number>()
      for (const p of parts) {
        if (runs.size >= PER_SPAN) break
        if (runs.has(p.run) || (runsOf[ti] && !runsOf[ti]!.has(p.run))) continue
        if (!p.text.toLowerCase().includes(needle) && !normalizeText(p.text).includes(needle)) continue
        runs.add(p.run)
        list.push({ text: f.found, ...where(p), verbatim: false })
      }
    }
    // the copied spans first (as picked), then the places of what was flagged
    out.set(t.key, list.slice(0, PER_TEXT))
  })
  return out
}

/**
 * A merged skill with the provenance of its rules (each among the runs it cites) and of its
 * description, title and "when to use" (among all the runs). What a rule kept from a deepened skill
 * already knew of its text is kept beside what these runs show.
 */
export function withProvenance<S extends Skill>(
  skill: S,
  runs: RunContent[],
  before?: Pick<Skill, 'rules' | 'provenance'>,
  batchId?: string,
  /** the skill's own texts (its versions' SKILL.md...): runs that had it installed read them, which is no copying */
  known: string[] = []
): S {
  const parts = runs.flatMap(runParts)
  const own = known.map(normalizeText).filter(Boolean)
  const fields = { description: skill.frontMatter.description, title: skill.title, whenToUse: skill.whenToUse }
  const found = provenanceOf(
    [
      ...skill.rules.map((r) => ({ key: `rule:${r.id}`, text: r.text, runs: r.evidence })),
      ...Object.entries(fields).map(([k, text]) => ({ key: `field:${k}`, text }))
    ],
    parts
  )
  for (const [key, list] of found) {
    // a span the skill itself already said (a with-skill run read it) was not copied from run content
    const kept = own.length ? list.filter((p) => !p.verbatim || !own.some((t) => t.includes(normalizeText(p.text)))) : list
    if (batchId) for (const p of kept) p.batchId = batchId
    found.set(key, kept)
  }
  const earlier = new Map((before?.rules ?? []).map((r) => [normalizeText(r.text), r.provenance ?? []]))
  const join = (a: Provenance[], b: Provenance[] = []) => {
    const seen = new Set<string>()
    return [...a, ...b]
      .filter((p) => {
        const k = JSON.stringify(p)
        if (seen.has(k)) return false
        seen.add(k)
        return true
      })
      .slice(0, PER_TEXT)
  }
  const rules = skill.rules.map((r) => {
    const list = join(found.get(`rule:${r.id}`) ?? [], r.existing ? earlier.get(normalizeText(r.text)) : undefined)
    const { provenance: _old, ...rest } = r
    return list.length ? { ...rest, provenance: list } : rest
  })
  const provenance: FieldProvenance = {}
  for (const k of Object.keys(fields) as (keyof typeof fields)[]) {
    const list = found.get(`field:${k}`) ?? []
    if (list.length) provenance[k] = list
  }
  const { provenance: _none, ...rest } = skill
  return { ...rest, rules, ...(Object.keys(provenance).length ? { provenance } : {}) } as S
}

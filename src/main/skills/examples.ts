/**
 * The honesty of a rule's example: its wrong and right snippets must be real lines of a file or a
 * command of the runs it cites (what those runs wrote: their final files, and the inputs of their tool
 * calls: commands, written and edited content). Checked deterministically after the merge against the
 * runs' evidence, as the analysts read it; a snippet not found there is dropped, and the rule says so
 * (`exampleNote`). Pure; Electron-free.
 *
 * How a snippet is found: its lines, each trimmed with runs of white space as one and blank lines left
 * out, at most EXAMPLE_MAX_LINES of them, must be consecutive lines of one file or command the same way.
 * A snippet of one line may be a part of a line (at least MIN_SNIPPET_CHARS characters: a command among
 * others, an element of a minified page); of several lines, the first may be the end of a line and the
 * last the start of one, the lines between whole.
 */
import { EXAMPLE_MAX_LINES, type SkillRule } from '../../shared/skills'
import { runParts, type RunContent } from './provenance'

export const MIN_SNIPPET_CHARS = 4

const norm = (line: string) => line.replace(/\s+/g, ' ').trim()
/** A text's lines as compared: normalized, blank ones left out. */
const linesOf = (text: string) =>
  text
    .split(/\r\n?|\n/)
    .map(norm)
    .filter(Boolean)

/** A snippet as kept: its first EXAMPLE_MAX_LINES non-blank lines (indentation kept), trailing blanks gone. */
export function shortSnippet(snippet: string): string {
  const lines = snippet.replace(/\r\n?/g, '\n').split('\n')
  const out: string[] = []
  let kept = 0
  for (const l of lines) {
    if (kept >= EXAMPLE_MAX_LINES) break
    out.push(l.replace(/\s+$/, ''))
    if (l.trim()) kept++
  }
  while (out.length && !out[0].trim()) out.shift()
  while (out.length && !out[out.length - 1].trim()) out.pop()
  return out.join('\n')
}

/** Whether a snippet's lines are consecutive lines of a text (see the module's comment). */
export function snippetIn(snippet: string, text: string): boolean {
  const want = linesOf(snippet)
  if (want.length === 0) return false
  const have = linesOf(text)
  if (want.length === 1) return want[0].length >= MIN_SNIPPET_CHARS && have.some((l) => l.includes(want[0]))
  const k = want.length
  for (let i = 0; i + k <= have.length; i++) {
    if (!have[i].endsWith(want[0]) || !have[i + k - 1].startsWith(want[k - 1])) continue
    let whole = true
    for (let j = 1; j < k - 1 && whole; j++) whole = have[i + j] === want[j]
    if (whole) return true
  }
  return false
}

/** The files and commands of a run: its final files, and the inputs of its tool calls. */
function filesAndCommands(run: RunContent): string[] {
  return runParts(run)
    .filter((p) => p.part === 'file' || (p.part === 'trace' && p.what?.endsWith(' input')))
    .map((p) => p.text)
}

const runWords = (runs: number[]) => (runs.length === 1 ? `run ${runs[0]}` : `runs ${runs.join(', ')}`)

/**
 * Each rule's example checked against the runs it cites (its example's runs; its evidence when it
 * names none): snippets not found are dropped, with a note on the rule and a warning; the runs become
 * those a kept snippet was found in; the example is stamped with the batch. An example of another batch
 * (kept from a deepened skill, checked when it was made) is left as it is. `runs` absent: nothing can
 * be checked, so every new example is dropped, said so.
 */
export function checkExamples(
  rules: SkillRule[],
  runs: RunContent[] | undefined,
  batchId: string
): { rules: SkillRule[]; warnings: string[] } {
  const warnings: string[] = []
  const texts = new Map<number, string[]>()
  const textsOf = (n: number) => {
    if (!texts.has(n)) {
      const run = runs?.find((r) => r.number === n)
      texts.set(n, run ? filesAndCommands(run) : [])
    }
    return texts.get(n)!
  }
  const out = rules.map((r): SkillRule => {
    const e = r.example
    if (!e || (e.batchId !== undefined && e.batchId !== batchId)) return r
    const cited = [...new Set(e.runs.length ? e.runs : r.evidence)].sort((a, b) => a - b)
    const kept: { wrong?: string; right?: string } = {}
    const found = new Set<number>()
    const dropped: string[] = []
    for (const side of ['wrong', 'right'] as const) {
      const raw = e[side]
      if (!raw?.trim()) continue
      const snippet = shortSnippet(raw)
      const where = cited.filter((n) => textsOf(n).some((t) => snippetIn(snippet, t)))
      if (where.length) {
        kept[side] = snippet
        where.forEach((n) => found.add(n))
      } else
        dropped.push(
          runs
            ? `the ${side} snippet was not found in the files or commands of ${cited.length ? runWords(cited) : 'any run it cites'}`
            : `the ${side} snippet could not be checked (the runs were not at hand)`
        )
    }
    const { example: _e, exampleNote: _n, ...rest } = r
    const note = dropped.length ? `Example: ${dropped.join('; ')}; dropped.` : undefined
    if (note) warnings.push(`The rule "${r.text.replace(/\s+/g, ' ').slice(0, 120)}": ${note}`)
    return {
      ...rest,
      ...(kept.wrong !== undefined || kept.right !== undefined
        ? { example: { ...kept, runs: [...found].sort((a, b) => a - b), batchId } }
        : {}),
      ...(note ? { exampleNote: note } : {})
    }
  })
  return { rules: out, warnings }
}

/** Plain-text feedback, one line per graded run, in the workflow's own format (export, import, the CLI's `grade` and `feedback`). */
import type { Feedback } from './runs'

/**
 * One line of plain-text feedback, in the workflow's own format: `Run 2: bad - too many cards`; a grade
 * the grader gave (no person confirmed it) says so: `Run 2: bad (grader) - too many cards`.
 */
export function formatFeedbackLine(number: number, f: Pick<Feedback, 'label' | 'text' | 'by'>): string {
  return `Run ${number}: ${f.label ?? 'ungraded'}${f.by === 'grader' ? ' (grader)' : ''}${f.text.trim() ? ` - ${f.text.trim().replace(/\s+/g, ' ')}` : ''}`
}

export interface ParsedFeedback {
  /** `by: 'grader'`: the line was marked "(grader)" after its grade: the grader's grade, never read as the person's */
  entries: { number: number; label: 'good' | 'bad'; text: string; line: number; by?: 'grader' }[]
  errors: string[]
}

/**
 * Plain-text feedback written elsewhere. Every problem is reported by line (malformed lines, unknown
 * run numbers, a run graded twice); the caller applies nothing unless there are none.
 */
export function parseFeedback(text: string, runNumbers: Iterable<number>): ParsedFeedback {
  const known = new Set(runNumbers)
  const entries: ParsedFeedback['entries'] = []
  const errors: string[] = []
  const seen = new Map<number, number>()
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim()
    if (!line) return
    // The grammar: "Run N", then ':' '.' ')' or '-' (optional after "Run N"; a bare "N" of a numbered
    // list needs one), "good" or "bad", then nothing, or a separator ('-' '–' '—' ':', with a space on
    // either side) and the sentence. "Run 2: bad - …", "run #2 bad: …", "Run 2 - bad: …", "2. good - …".
    // "(grader)" after the grade: a grade the grader gave, kept as the grader's ("Run 2: bad (grader) - …")
    const m = line.match(/^(?:run\s*#?\s*(\d+)\s*[:.)-]?|(\d+)\s*[:.)-])\s*(good|bad)(?![\p{L}\p{N}_])(\s*\(grader\))?(.*)$/iu)
    const rest = m?.[5] ?? ''
    const sentence = rest.trim() ? /^(?:\s+[-\u2013\u2014:]\s*|\s*[-\u2013\u2014:]\s+)(.*)$/.exec(rest) : ['', '']
    if (!m || !sentence) {
      const hint = m ? ' (a " - " between the grade and the sentence)' : ''
      errors.push(`line ${i + 1}: expected "Run N: good - sentence" or "Run N: bad - sentence"${hint}, got "${line.slice(0, 60)}"`)
      return
    }
    const number = Number(m[1] ?? m[2])
    if (!known.has(number)) errors.push(`line ${i + 1}: there is no Run ${number} in this batch`)
    else if (seen.has(number)) errors.push(`line ${i + 1}: Run ${number} was already graded on line ${seen.get(number)}`)
    else {
      seen.set(number, i + 1)
      entries.push({
        number,
        label: m[3].toLowerCase() as 'good' | 'bad',
        text: sentence[1].trim(),
        line: i + 1,
        ...(m[4] ? { by: 'grader' as const } : {})
      })
    }
  })
  if (!entries.length && !errors.length) errors.push('no feedback lines found')
  return { entries, errors }
}

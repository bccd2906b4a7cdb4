/**
 * A rule's script checked against the runs: its content is never a model's. An analyst names a file
 * name and where good runs wrote the helper ({ run, file }: a file of the run's final files); the app
 * keeps the script only when at least MIN_SCRIPT_RUNS of the cited runs are graded good and wrote that
 * helper, and takes its content from the first such run's real file. Otherwise the script is dropped
 * and the rule says why (`scriptNote`), as examples are (examples.ts). Pure; Electron-free.
 *
 * "That helper": the cited file exists in the run's final files (same path; a path no run has is
 * refused), is text, whole (not cut when read) and within SCRIPT_MAX_LINES / SCRIPT_MAX_BYTES; two
 * runs wrote the same helper when their files have the same base name, or their lines are alike (the
 * sets of their non-blank lines, white space aside, share at least ALIKE of their union: the same
 * check written under two names).
 */
import { redactionMark } from '../../shared/redact'
import { safeScriptName, scriptPath } from '../../shared/skill-scripts'
import { SCRIPT_MAX_BYTES, SCRIPT_MAX_LINES, type SkillRule } from '../../shared/skills'

export const MIN_SCRIPT_RUNS = 2
/** The share of lines two files must have in common to be the same helper under two names. */
export const ALIKE = 0.6

/** What of a run the check reads: its grade and its final files (an analysis's RunEvidence fits). */
export interface ScriptRun {
  number: number
  label: 'good' | 'bad' | null
  outputs?: { path: string; text?: string; truncated?: boolean }[]
}

const normPath = (p: string) =>
  p
    .replace(/\\/g, '/')
    .replace(/^(\.\/)+/, '')
    .replace(/\/{2,}/g, '/')
const baseName = (p: string) => normPath(p).split('/').pop() ?? ''
const lineSet = (text: string) =>
  new Set(
    text
      .split(/\r\n?|\n/)
      .map((l) => l.replace(/\s+/g, ' ').trim())
      .filter(Boolean)
  )

/** Whether two files are the same helper: the same base name, or lines alike (see the module's comment). */
export function sameHelper(a: { path: string; text: string }, b: { path: string; text: string }): boolean {
  if (baseName(a.path) === baseName(b.path)) return true
  const x = lineSet(a.text)
  const y = lineSet(b.text)
  const both = [...x].filter((l) => y.has(l)).length
  const union = x.size + y.size - both
  return union > 0 && both / union >= ALIKE
}

const runWords = (runs: number[]) => (runs.length === 1 ? `run ${runs[0]}` : `runs ${runs.join(', ')}`)
const lineCount = (t: string) => t.replace(/\n$/, '').split('\n').length

/**
 * Each rule's proposed script checked against the runs (see the module's comment). A script already
 * checked (kept from a deepened skill, or edited by the person) is left as it is. Names are made safe
 * and unique across the skill. `runs` absent: nothing can be checked, so every new script is dropped.
 */
export function checkScripts(
  rules: SkillRule[],
  runs: ScriptRun[] | undefined,
  batchId: string
): { rules: SkillRule[]; warnings: string[] } {
  const warnings: string[] = []
  const taken = new Set(rules.flatMap((r) => (r.script?.batchId !== undefined ? [r.script.name] : [])))
  const unique = (name: string) => {
    const dot = name.lastIndexOf('.')
    const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, '']
    let n = name
    for (let i = 2; taken.has(n); i++) n = `${stem}-${i}${ext}`
    taken.add(n)
    return n
  }
  const out = rules.map((r): SkillRule => {
    const s = r.script
    if (!s || s.batchId !== undefined) return r
    const { script: _s, scriptNote: _n, ...rest } = r
    const from = s.from ?? []
    const drop = (why: string): SkillRule => {
      const note = `Script ${scriptPath(safeScriptName(s.name) || s.name.slice(0, 60))}: ${why}; dropped.`
      warnings.push(`The rule "${r.text.replace(/\s+/g, ' ').slice(0, 120)}": ${note}`)
      return { ...rest, scriptNote: note }
    }
    if (!runs) return drop('it could not be checked (the runs were not at hand)')
    const problems: string[] = []
    const found: { run: number; path: string; text: string }[] = []
    const seen = new Set<string>()
    for (const f of from) {
      const path = normPath(f.file)
      if (seen.has(`${f.run}\u0000${path}`)) continue
      seen.add(`${f.run}\u0000${path}`)
      const run = runs.find((x) => x.number === f.run)
      const file = run?.outputs?.find((o) => normPath(o.path) === path)
      if (!run) problems.push(`run ${f.run} is not in this analysis`)
      else if (run.label !== 'good') problems.push(`run ${f.run} is not graded good`)
      else if (!file) problems.push(`run ${f.run} has no file ${JSON.stringify(path.slice(0, 200))}`)
      else if (file.text === undefined || file.text.includes('\0')) problems.push(`run ${f.run}'s ${path} is not text`)
      else if (file.truncated) problems.push(`run ${f.run}'s ${path} is longer than was read`)
      else found.push({ run: f.run, path, text: file.text })
    }
    let chosen: { text: string; runs: number[]; path: string } | undefined
    for (const c of found) {
      const with_ = [...new Set([c.run, ...found.filter((o) => o.run !== c.run && sameHelper(c, o)).map((o) => o.run)])]
      if (with_.length >= MIN_SCRIPT_RUNS) {
        chosen = { text: c.text, runs: with_.sort((a, b) => a - b), path: c.path }
        break
      }
    }
    if (!chosen) {
      const good = [...new Set(found.map((f) => f.run))]
      const why = good.length
        ? `only ${runWords(good)} (graded good) wrote it${good.length > 1 ? ', and not the same helper' : ''}`
        : 'no good run it cites wrote it'
      return drop(`${[why, ...problems].join('; ')}; a script needs the same helper in at least ${MIN_SCRIPT_RUNS} good runs`)
    }
    const lines = lineCount(chosen.text)
    const bytes = Buffer.byteLength(chosen.text)
    if (lines > SCRIPT_MAX_LINES || bytes > SCRIPT_MAX_BYTES)
      return drop(`${lines} lines, ${bytes} bytes (at most ${SCRIPT_MAX_LINES} lines and ${SCRIPT_MAX_BYTES} bytes)`)
    if (!chosen.text.trim()) return drop('the file the runs wrote is empty')
    // the runs reach the merge with credentials taken out: a helper that held one would not run as it is
    if (chosen.text.includes(redactionMark('').slice(0, -1))) return drop('it held a credential (taken out before the analysis)')
    const safe = safeScriptName(s.name) || safeScriptName(chosen.path)
    if (!safe) return drop('it has no usable file name')
    const name = unique(safe)
    // the rule names its script by the name it got
    const text = s.name !== name && r.text.includes(scriptPath(s.name)) ? r.text.split(scriptPath(s.name)).join(scriptPath(name)) : r.text
    return { ...rest, text, script: { name, content: chosen.text, runs: chosen.runs, from, batchId, include: false } }
  })
  return { rules: out, warnings }
}

/**
 * Reading a SKILL.md back (ours round-trips; a hand-written one gives its list items as rules) for
 * deepen mode, and what a skill still needs before it is valid (two rules saying the same thing, a rule
 * citing no run). Pure and shared with the renderer: no Node imports.
 */
import { sameMeaning } from './rule-meaning'
import type { FrontMatter, Skill, SkillRule } from './skills'
import { oneLine, parseCitations, renderReferenceFiles, renderSkillMd, sentence, type ParsedSkillMd, type ParsedTier } from './skill-md'

function unquoteYaml(raw: string): string {
  const v = raw.trim()
  if (v.startsWith('"')) {
    try {
      const parsed: unknown = JSON.parse(v)
      if (typeof parsed === 'string') return parsed
    } catch {
      // not JSON-compatible: fall through to a plain unquote
    }
    return v.replace(/^"|"$/g, '')
  }
  if (v.startsWith("'")) return v.replace(/^'|'$/g, '').replace(/''/g, "'")
  return v.replace(/\s+#.*$/, '')
}

/** A small YAML reader for the front matter: `key: value`, quoted values, `|` / `>` blocks, plain continuations. */
function parseFrontMatter(lines: string[]): Partial<FrontMatter> {
  const fm: Partial<FrontMatter> = {}
  for (let i = 0; i < lines.length; i++) {
    const m = /^([A-Za-z_][\w-]*)\s*:(.*)$/.exec(lines[i])
    if (!m) continue
    const key = m[1]
    let value = m[2].trim()
    const block = /^([|>])[+-]?\d*$/.exec(value)
    // the indented lines that follow belong to this key
    const cont: string[] = []
    while (i + 1 < lines.length && (/^\s+\S/.test(lines[i + 1]) || (lines[i + 1].trim() === '' && block))) cont.push(lines[++i])
    if (block) {
      const body = cont.map((l) => l.trim())
      while (body.length && body[body.length - 1] === '') body.pop()
      value = block[1] === '|' ? body.join('\n') : body.join(' ').replace(/ {2,}/g, ' ').trim()
    } else if (cont.length) {
      value = unquoteYaml([value, ...cont.map((l) => l.trim())].join(' '))
    } else value = unquoteYaml(value)
    if (key === 'name' || key === 'description') fm[key] = value
  }
  return fm
}

type Section = 'none' | 'when' | ParsedTier

function sectionFor(heading: string): Section {
  const h = heading
    .replace(/[*_`]/g, '')
    .replace(/[:.]\s*$/, '')
    .trim()
    .toLowerCase()
  if (/^when to use\b/.test(h)) return 'when'
  if (h === 'core rules' || h === 'core') return 'core'
  if (h === 'edge cases' || h === 'edge-cases') return 'edge-case'
  return 'guidance' // "Patterns", "Failure modes" and any other heading
}

const EARLIER_RE = /\s*\(earlier:\s*(runs?\s[^()]*)\)\s*\.?\s*$/i

/** Splits the trailing citations (its own, then the earlier batches') off a rule's text. */
function splitCitation(item: string): { text: string; evidence: number[]; earlier?: number[][] } {
  let rest = item
  let earlier: number[][] | undefined
  const e = EARLIER_RE.exec(rest)
  if (e) {
    const groups = e[1].split(';').map((g) => parseCitations(`(${g.trim()})`))
    if (groups.every((g) => g.length === 1)) {
      earlier = groups.map((g) => g[0].runs)
      rest = rest.slice(0, e.index)
    }
  }
  const cites = parseCitations(rest)
  const last = cites[cites.length - 1]
  const out =
    last && /^\s*\.?\s*$/.test(rest.slice(last.end))
      ? { text: rest.slice(0, last.start).trimEnd(), evidence: last.runs }
      : { text: rest.trim(), evidence: [] }
  return earlier ? { ...out, earlier } : out
}

/** A sentence's end that is no sentence's end: an abbreviation ("e.g.", "etc."), an ellipsis. */
const NOT_AN_END = /(?:\b(?:e\.g|i\.e|etc|vs|cf|approx|incl|no|dr|mr|mrs|ms|st)|\.\.)\.$/i

/**
 * A rule as ruleLine (skill-md.ts) renders it with its why: "Rule. Why." (citations already split
 * off): the first sentence is the rule (the period the rendering added taken off), the rest its why.
 * A sentence ends at ".", "!" or "?" followed by a space and a capital or a digit (after any opening
 * quote or bracket) or a backtick, not after an abbreviation, and the rule is at least two words. One sentence:
 * the text alone.
 */
export function splitWhy(item: string): { text: string; why?: string } {
  for (const m of item.matchAll(/[.!?]\s+(?=`|["'([]?[A-Z0-9])/g)) {
    const first = item.slice(0, m.index + 1).trim()
    const why = item.slice(m.index + m[0].length).trim()
    if (NOT_AN_END.test(first) || first.split(/\s+/).length < 2 || !why) continue
    return { text: first.replace(/(?<![.])\.$/, ''), why }
  }
  return { text: item }
}

/** Reads a SKILL.md back: ours round-trips; hand-written ones give their list items as rules. */
export function parseSkillMd(md: string): ParsedSkillMd {
  const lines = (md ?? '')
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .split('\n')
  let i = 0
  let frontMatter: Partial<FrontMatter> = {}
  if (lines[0]?.trim() === '---') {
    const end = lines.findIndex((l, k) => k > 0 && (l.trim() === '---' || l.trim() === '...'))
    if (end > 0) {
      frontMatter = parseFrontMatter(lines.slice(1, end))
      i = end + 1
    }
  }

  let title = ''
  let section: Section = 'none'
  const when: string[] = []
  const rules: ParsedSkillMd['rules'] = []
  let item: { parts: string[]; tier: ParsedTier } | null = null
  let fence: string | null = null
  const flush = () => {
    if (item) {
      const { text: whole, ...cited } = splitCitation(item.parts.join(' '))
      // "rule. why." as rendered: the rule and its why apart
      const { text, why } = splitWhy(whole)
      if (text) rules.push({ text, tier: item.tier, ...cited, ...(why ? { why } : {}) })
    }
    item = null
  }

  for (; i < lines.length; i++) {
    const line = lines[i]
    const fenceMatch = /^\s*(```|~~~)/.exec(line)
    if (fence) {
      if (fenceMatch && fenceMatch[1] === fence) fence = null
      continue
    }
    if (fenceMatch) {
      flush()
      fence = fenceMatch[1]
      continue
    }
    const heading = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line)
    if (heading) {
      flush()
      const level = heading[1].length
      if (level === 1 && !title && section === 'none') title = heading[2].trim()
      else if (level <= 2) section = sectionFor(heading[2])
      continue
    }
    if (line.trim() === '') {
      flush()
      continue
    }
    if (section === 'when') {
      when.push(line.trim())
      continue
    }
    const bullet = /^\s*(?:[-*+]|\d{1,9}[.)])\s+(.*)$/.exec(line)
    if (bullet) {
      flush()
      item = { parts: [bullet[1].trim()], tier: section === 'core' || section === 'edge-case' ? section : 'guidance' }
      continue
    }
    // a lazy continuation of the item above, else a paragraph (not a rule)
    if (item) (item as { parts: string[] }).parts.push(line.trim())
  }
  flush()

  // "When to use" on one line (ours is one paragraph; a hand-written one keeps all of its text)
  const whenToUse = when.filter((l) => l !== '').join(' ')
  return { frontMatter, title: title || frontMatter.name || '', whenToUse, rules }
}

// ---------------------------------------------------------------------------------------------
// The document checks itself

const TIER_WORDS: Record<ParsedTier, string> = { core: 'core', guidance: 'guidance', 'edge-case': 'edge case' }

/**
 * What is wrong with a skill's files as written: two rules (in any section or tier, SKILL.md and every
 * reference file together) that say the same thing, a rule from the runs that cites none, and
 * a rule whose citations did not make it into the text. [] when nothing is.
 */
export function skillProblems(
  skill: Pick<Skill, 'frontMatter' | 'title' | 'whenToUse' | 'rules' | 'topics'> & { markdown?: string }
): string[] {
  const problems: string[] = []
  const md = skill.markdown ?? renderSkillMd(skill, { plain: true })
  // each item whole (a rule of two sentences read back as a rule and its why is one rule here)
  const whole = (r: ParsedSkillMd['rules'][number]) => ({ ...r, text: r.why ? `${sentence(r.text)} ${r.why}` : r.text })
  const items = [
    ...parseSkillMd(md).rules.filter((r) => r.tier !== 'edge-case'),
    ...renderReferenceFiles({ ...skill, rules: skill.rules.map(({ why: _w, example: _e, ...r }) => r) }).flatMap((f) =>
      parseSkillMd(f.content).rules.map((r) => ({ ...r, tier: 'edge-case' as const }))
    )
  ].map(whole)
  for (let i = 0; i < items.length; i++)
    for (let j = i + 1; j < items.length; j++)
      if (sameMeaning(items[i].text, items[j].text))
        problems.push(
          `two rules say the same thing: "${items[i].text}" (${TIER_WORDS[items[i].tier]}) and "${items[j].text}" (${TIER_WORDS[items[j].tier]})`
        )
  const live = (skill.rules as SkillRule[]).filter((r) => r.tier !== 'discarded')
  for (const r of live) {
    if (!r.existing && r.sources.length > 0 && r.evidence.length === 0) problems.push(`the rule "${oneLine(r.text)}" cites no run`)
    if (skill.markdown !== undefined && r.tier !== 'edge-case') continue // the person wrote the text: theirs to cite
    // the rule's text, alone or followed by its why
    const item = items.find((x) => x.text === oneLine(r.text) || x.text.startsWith(`${sentence(oneLine(r.text))} `))
    const own = r.existing && r.evidence.length === 0 ? [] : [...new Set(r.evidence)].sort((a, b) => a - b)
    const earlier = (r.earlier ?? []).map((c) => [...new Set(c.runs)].sort((a, b) => a - b)).filter((c) => c.length)
    if (item && (JSON.stringify(item.evidence) !== JSON.stringify(own) || JSON.stringify(item.earlier ?? []) !== JSON.stringify(earlier)))
      problems.push(`the rule "${oneLine(r.text)}" lost its citations in the text`)
  }
  return problems
}

/**
 * SKILL.md and its reference files (references/edge-cases.md, or one file per topic: skill-references.ts): front-matter checks, rendering from merged rules within the
 * body budget, and run citations. Reading one back, and a skill's problems: skill-md-read.ts.
 *
 * Pure and shared with the renderer: no Node imports.
 */
import { EDGE_CASES_TOPIC, referenceLink, toSlug, topicGroups } from './skill-references'
import { scriptMention } from './skill-scripts'
import type { EarlierCitation, FrontMatter, Skill, SkillFile, SkillRule } from './skills'

export const NAME_MAX = 64
export const DESCRIPTION_MAX = 1024
export const EDGE_CASES_LINK = 'See [edge cases](references/edge-cases.md) for rarer situations.'

type RenderRule = Pick<SkillRule, 'text' | 'evidence' | 'tier' | 'guard' | 'existing' | 'topic'> & {
  earlier?: EarlierCitation[]
  why?: string
  example?: { wrong?: string; right?: string; runs: number[] }
  script?: { name: string; include: boolean; content: string }
}

/** The Agent Skills guidance for a SKILL.md's body (after the front matter): about 500 lines, 5,000 tokens. */
export const BODY_MAX_LINES = 500
export const BODY_MAX_TOKENS = 5000
/** A rough token count (four characters a token), as the budget is checked with. */
export const estimateTokens = (text: string) => Math.ceil(text.length / 4)
/** The body of a SKILL.md (what follows its front matter). */
export function skillBody(md: string): string {
  const m = /^---\n[\s\S]*?\n---\n/.exec(md)
  return m ? md.slice(m[0].length) : md
}
/** Whether a SKILL.md's body is within the budget. */
export function withinBudget(md: string): boolean {
  const body = skillBody(md)
  return body.split('\n').length <= BODY_MAX_LINES && estimateTokens(body) <= BODY_MAX_TOKENS
}
export type ParsedTier = 'core' | 'guidance' | 'edge-case'
export interface ParsedSkillMd {
  frontMatter: Partial<FrontMatter>
  title: string
  whenToUse: string
  /** `earlier`: the runs cited from earlier batches, one list per batch (only when there are some); `why`: the sentences after the rule's first (skill-md-read.ts) */
  rules: { text: string; tier: ParsedTier; evidence: number[]; earlier?: number[][]; why?: string }[]
}

const chars = (s: string) => Array.from(s).length

/** The Agent Skills rules for `name` and `description`; [] when valid, else one message per problem. */
export function validateFrontMatter(fm: FrontMatter, folderName?: string): string[] {
  const problems: string[] = []
  const name: unknown = fm?.name
  const description: unknown = fm?.description

  if (typeof name !== 'string' || name === '') problems.push('name: is required')
  else {
    if (chars(name) > NAME_MAX) problems.push(`name: use at most ${NAME_MAX} characters (it has ${chars(name)})`)
    if (!/^[a-z0-9-]+$/.test(name)) problems.push('name: use only lowercase letters, digits and hyphens')
    if (name.startsWith('-') || name.endsWith('-')) problems.push('name: must not start or end with a hyphen')
    if (name.includes('--')) problems.push('name: must not contain two hyphens in a row ("--")')
    if (folderName !== undefined && name !== folderName) problems.push(`name: must equal the folder name "${folderName}"`)
  }

  if (typeof description !== 'string' || description === '') problems.push('description: is required')
  else {
    if (description.trim() === '') problems.push('description: must not be only whitespace')
    if (chars(description) > DESCRIPTION_MAX)
      problems.push(`description: use at most ${DESCRIPTION_MAX} characters (it has ${chars(description)})`)
    if (/[<>]/.test(description)) problems.push('description: must not contain angle brackets (< or >)')
  }
  return problems
}

/** "(run 3)" / "(runs 3, 6, 11)"; sorted, each run once; "" for none. */
export function citation(runs: number[]): string {
  const rs = [...new Set(runs)].sort((a, b) => a - b)
  if (rs.length === 0) return ''
  return rs.length === 1 ? `(run ${rs[0]})` : `(runs ${rs.join(', ')})`
}

/** The largest range "(runs a-b)" that is expanded; wider ones are not read as citations. */
const RANGE_MAX = 1000
const CITATION_RE = /\(\s*runs?\s+(\d+(?:\s*[-\u2013]\s*\d+)?(?:\s*,\s*(?:and\s+)?\d+(?:\s*[-\u2013]\s*\d+)?)*)\s*\)/gi

/** Finds "(run 3)", "(runs 3, 6, 11)", "(runs 3-5)" (expanded to 3, 4, 5). Runs sorted, each once. */
export function parseCitations(text: string): { start: number; end: number; runs: number[] }[] {
  const out: { start: number; end: number; runs: number[] }[] = []
  for (const m of text.matchAll(CITATION_RE)) {
    const runs = new Set<number>()
    let ok = true
    for (const part of m[1].split(',')) {
      const p = part.replace(/^\s*and\s+/i, '').trim()
      const range = /^(\d+)\s*[-\u2013]\s*(\d+)$/.exec(p)
      if (range) {
        const from = Number(range[1])
        const to = Number(range[2])
        if (to < from || to - from > RANGE_MAX) {
          ok = false
          break
        }
        for (let n = from; n <= to; n++) runs.add(n)
      } else runs.add(Number(p))
    }
    if (!ok) continue
    out.push({ start: m.index, end: m.index + m[0].length, runs: [...runs].sort((a, b) => a - b) })
  }
  return out
}

/** Untrusted text on one line: newlines (and the space around them) become one space. */
export const oneLine = (s: string) => s.replace(/[ \t]*(?:\r\n|[\r\n\u2028\u2029\u0085])+[ \t]*/g, ' ').trim()

/** A JSON string is a valid YAML double-quoted scalar once the YAML 1.1 line breaks are escaped too. */
const yamlQuote = (s: string) =>
  JSON.stringify(s).replace(/[\u2028\u2029\u0085]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)

/** "(earlier: runs 3, 6; run 2)": a deepened rule's runs from earlier batches, one group per batch; "" for none. */
export function earlierCitation(earlier: EarlierCitation[] | undefined): string {
  const groups = (earlier ?? []).map((c) => citation(c.runs).slice(1, -1)).filter(Boolean)
  return groups.length ? `(earlier: ${groups.join('; ')})` : ''
}

/** A sentence ends with a full stop (or ! or ?), so a why can follow it in the same paragraph. */
export const sentence = (s: string) => (/[.!?:;)]$/.test(s) ? s : `${s}.`)

/** The rule, its why in the same paragraph, and its citations: "One hero section, one CTA. Pages with two had lower click-through. (runs 2, 7)". */
function ruleLine(r: RenderRule, withWhy = true): string {
  const text = oneLine(r.text)
  const why = withWhy ? oneLine(r.why ?? '') : ''
  const cite = r.existing && r.evidence.length === 0 ? '' : citation(r.evidence)
  const run = scriptMention(r)
  return [why || run ? sentence(text) : text, why ? sentence(why) : '', run, cite, earlierCitation(r.earlier)].filter(Boolean).join(' ')
}

/**
 * A rule's example under it, indented into its list item: "Example (runs 3, 7). Instead of:" and the
 * wrong snippet fenced, "write:" and the right one. A blank line first, so the item's paragraph (its
 * text and citations) ends before it. A snippet holding both ``` and ~~~ cannot be fenced and is left out.
 */
function exampleLines(r: RenderRule, indent: number): string[] {
  const e = r.example
  const pad = ' '.repeat(indent)
  const block = (s: string | undefined): string[] | null => {
    const text = (s ?? '').replace(/\r\n?/g, '\n').replace(/^\n+|\s+$/g, '')
    if (!text.trim()) return null
    const fence = !text.includes('```') ? '```' : !text.includes('~~~') ? '~~~' : null
    return fence ? [pad + fence, ...text.split('\n').map((l) => (l.trim() ? pad + l : '')), pad + fence] : null
  }
  const wrong = block(e?.wrong)
  const right = block(e?.right)
  if (!e || (!wrong && !right)) return []
  const from = e.runs.length ? ` ${citation(e.runs)}` : ''
  if (wrong && right) return ['', `${pad}Example${from}. Instead of:`, ...wrong, `${pad}write:`, ...right]
  return wrong ? ['', `${pad}Example${from}. Avoid:`, ...wrong] : ['', `${pad}Example${from}:`, ...right!]
}

/** A list of rules, each with its why (unless left out) and its example (unless left out) under it. */
function ruleList(
  rules: RenderRule[],
  bullet: (i: number) => string,
  leave: { whys: Set<RenderRule>; examples: Set<RenderRule> }
): string[] {
  const out: string[] = []
  rules.forEach((r, i) => {
    const head = bullet(i)
    const ex = leave.examples.has(r) ? [] : exampleLines(r, head.length)
    // a rule with an example is a paragraph of its own: a blank line after its example
    if (out.length && (ex.length || out[out.length - 1] === '')) out.push('')
    out.push(head + ruleLine(r, !leave.whys.has(r)), ...ex)
    if (ex.length) out.push('')
  })
  while (out.length && out[out.length - 1] === '') out.pop()
  // no two blank lines in a row
  return out.filter((l, i) => l !== '' || out[i - 1] !== '')
}

/**
 * The SKILL.md of a skill's rules. Within the body budget (BODY_MAX_LINES, BODY_MAX_TOKENS): when the
 * whole would be over it, examples are left out first (from the last rule of the file up: failure
 * modes, patterns, then core rules), then the whys of the guidance rules (from the last up); the core
 * rules' whys and every rule and citation stay. `plain`: no whys and no examples (the document's
 * checks read the rules this way).
 */
export function renderSkillMd(
  skill: Pick<Skill, 'frontMatter' | 'title' | 'whenToUse' | 'rules' | 'topics'>,
  opts: { plain?: boolean } = {}
): string {
  const rules = skill.rules as RenderRule[]
  const leave = { whys: new Set<RenderRule>(), examples: new Set<RenderRule>() }
  if (opts.plain)
    for (const r of rules) {
      leave.whys.add(r)
      leave.examples.add(r)
    }
  let md = renderWith(skill, leave)
  if (opts.plain || withinBudget(md)) return md
  const core = rules.filter((r) => r.tier === 'core')
  const guidance = [...rules.filter((r) => r.tier === 'guidance' && !r.guard), ...rules.filter((r) => r.tier === 'guidance' && r.guard)]
  for (const r of [...core, ...guidance].reverse().filter((x) => x.example)) {
    leave.examples.add(r)
    md = renderWith(skill, leave)
    if (withinBudget(md)) return md
  }
  for (const r of [...guidance].reverse().filter((x) => x.why?.trim())) {
    leave.whys.add(r)
    md = renderWith(skill, leave)
    if (withinBudget(md)) return md
  }
  return md
}

function renderWith(
  skill: Pick<Skill, 'frontMatter' | 'title' | 'whenToUse' | 'rules' | 'topics'>,
  leave: { whys: Set<RenderRule>; examples: Set<RenderRule> }
): string {
  const { name, description } = skill.frontMatter
  const rules = skill.rules as RenderRule[]
  const core = rules.filter((r) => r.tier === 'core')
  const patterns = rules.filter((r) => r.tier === 'guidance' && !r.guard)
  const failures = rules.filter((r) => r.tier === 'guidance' && r.guard)
  const edge = rules.filter((r) => r.tier === 'edge-case')

  const out: string[] = [
    '---',
    `name: ${/^[a-z0-9-]+$/.test(name) ? name : yamlQuote(name)}`,
    `description: ${yamlQuote(description)}`,
    '---',
    ''
  ]
  out.push(`# ${oneLine(skill.title) || name}`, '')
  const when = oneLine(skill.whenToUse ?? '')
  if (when) out.push('## When to use this skill', '', when, '')
  if (core.length) out.push('## Core rules', '', ...ruleList(core, (i) => `${i + 1}. `, leave), '')
  if (patterns.length) out.push('## Patterns', '', ...ruleList(patterns, () => '- ', leave), '')
  if (failures.length) out.push('## Failure modes', '', ...ruleList(failures, () => '- ', leave), '')
  // one link per reference file: by topic, each with when to read it; else the one edge-cases.md
  const groups = topicGroups({ topics: skill.topics, rules })
  const files = groups?.filter((g) => g.rules.length) ?? []
  if (groups && files.length) out.push('## References', '', ...files.flatMap((g) => [referenceLink(g), '']))
  else if (!groups && edge.length) out.push(EDGE_CASES_LINK, '')
  return out.join('\n').replace(/\n+$/, '\n')
}

/** A reference file: "# <skill title>: <topic title>" and its rules, as edge-cases.md has them. */
function referenceMd(skill: Pick<Skill, 'frontMatter' | 'title'>, topicTitle: string, rules: RenderRule[]): string {
  const title = oneLine(skill.title) || skill.frontMatter.name
  const out = [`# ${title}: ${oneLine(topicTitle)}`, '']
  if (rules.length) out.push(...ruleList(rules, () => '- ', { whys: new Set(), examples: new Set() }), '')
  return out.join('\n').replace(/\n+$/, '\n')
}

/** references/edge-cases.md: every edge case of the skill (its one reference file when it has no topics). */
export function renderEdgeCasesMd(skill: Pick<Skill, 'frontMatter' | 'title' | 'rules'>): string {
  return referenceMd(
    skill,
    'edge cases',
    (skill.rules as RenderRule[]).filter((r) => r.tier === 'edge-case')
  )
}

/**
 * The skill's reference files (references/<name>.md): one per topic that has edge cases, or for a skill
 * without topics its edge-cases.md when it has edge cases. [] when there are none.
 */
export function renderReferenceFiles(skill: Pick<Skill, 'frontMatter' | 'title' | 'rules' | 'topics'>): SkillFile[] {
  const groups = topicGroups(skill)
  if (!groups) return skill.rules.some((r) => r.tier === 'edge-case') ? [{ name: EDGE_CASES_TOPIC, content: renderEdgeCasesMd(skill) }] : []
  return groups.filter((g) => g.rules.length).map((g) => ({ name: g.name, content: referenceMd(skill, g.title, g.rules as RenderRule[]) }))
}

/** A valid skill name from any text: "Landing page!" -> "landing-page"; "skill" when nothing is left. */
export function slugifyName(text: string): string {
  return toSlug(text, NAME_MAX) || 'skill'
}

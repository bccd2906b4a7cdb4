/**
 * A skill's scripts: helpers the good runs kept writing, each carried by the rule that says when to run
 * it and exported as `.claude/skills/<name>/scripts/<script>` only when the person included it. Their
 * names, how SKILL.md points to them, and which ones a skill exports. Pure; shared with the renderer.
 */
import { toSlug } from './skill-references'
import type { ProposedScript, RuleScript, SkillRule } from './skills'

export const SCRIPTS_DIR = 'scripts'
export const scriptPath = (name: string) => `${SCRIPTS_DIR}/${name}`

const slug = (t: string, max: number) => toSlug(t, max, { keepCase: true })

/**
 * A name from outside (a model's, a run's file path) made safe as one file name in scripts/: its last
 * path segment only ("../../x" is "x", "a/b" is "b"), letters, digits, '_' and '-' (anything else one
 * '-'), no leading dot, its extension kept. "" when nothing usable is left.
 */
export function safeScriptName(raw: string): string {
  const last =
    String(raw ?? '')
      .split(/[\\/]+/)
      .map((s) => s.trim())
      .filter((s) => s && s !== '.' && s !== '..')
      .pop() ?? ''
  const dot = last.lastIndexOf('.')
  const stem = slug(dot > 0 ? last.slice(0, dot) : last, 60)
  const ext = dot > 0 ? slug(last.slice(dot + 1), 10).replace(/-/g, '') : ''
  if (!stem) return ''
  return ext ? `${stem}.${ext}` : stem
}

/** Whether a rule's text already names its script ("Run scripts/check-links.sh before ..."). */
export const mentionsScript = (text: string, name: string) => text.includes(scriptPath(name))

/**
 * What SKILL.md adds after a rule whose script is exported and not named in its text: "Run `scripts/x.sh`."
 * ("" otherwise: a script not included is not written, so nothing points to it).
 */
export function scriptMention(r: { text: string; script?: Pick<RuleScript, 'name' | 'include' | 'content'> }): string {
  const s = r.script
  if (!s?.include || !s.content.trim() || mentionsScript(r.text, s.name)) return ''
  return `Run \`${scriptPath(s.name)}\`.`
}

/** The scripts a skill exports: those of its rules not discarded, included by the person, with content; one per name (the first). */
export function exportedScripts(rules: Pick<SkillRule, 'tier' | 'script'>[]): { name: string; content: string }[] {
  const seen = new Set<string>()
  const out: { name: string; content: string }[] = []
  for (const r of rules) {
    const s = r.script
    if (r.tier === 'discarded' || !s?.include || !s.content.trim() || seen.has(s.name)) continue
    seen.add(s.name)
    out.push({ name: s.name, content: s.content })
  }
  return out
}

/** How many runs back a script: the runs it was found in, else (a proposal) the runs it cites. */
const support = (s: RuleScript) => new Set(s.content ? s.runs : (s.from ?? []).map((f) => f.run)).size

/** The better-supported of two scripts (rules merged into one keep one script); the first on a tie. */
export function betterScript(a: RuleScript | undefined, b: RuleScript | undefined): RuleScript | undefined {
  if (!a) return b
  if (!b) return a
  return support(b) > support(a) ? b : a
}

/** An analyst's proposal as a rule's script, not checked yet (no content, no batch: src/main/skills/scripts.ts fills them). */
export const proposedScript = (p: ProposedScript): RuleScript => ({
  name: p.name,
  content: '',
  runs: [],
  from: p.from.map((f) => ({ ...f })),
  include: false
})

/** The scripts a skill proposes that the person has not included (the export leaves them out), for a note. */
export function scriptsNotIncluded(rules: Pick<SkillRule, 'tier' | 'script'>[]): string {
  const names = rules.filter((r) => r.tier !== 'discarded' && r.script && !r.script.include).map((r) => scriptPath(r.script!.name))
  if (!names.length) return ''
  const n = names.length
  return `${n} proposed script${n === 1 ? '' : 's'} (${names.join(', ')}) ${n === 1 ? 'is' : 'are'} not exported until you read ${n === 1 ? 'it' : 'them'} and tick "Include in the export" in the app's composer (Skills, Scripts)`
}

/**
 * What makes a skill's text worth a second look before it goes where an agent obeys it: a rule, the
 * description, the title or the "when to use" that holds a command that reaches the network, installs
 * or runs fetched code, escalates or deletes; a URL; a pipe into a shell; a credential (or a path to
 * one); or text copied word for word from a run (a run's trace, answer or files are data written by
 * whatever the run read, and can carry planted instructions). Each flag says what was found and, where
 * the analysis found it in a run, which run and which part (`Provenance`, worked out in main from the
 * runs when the skill is merged: src/main/skills/provenance.ts). Pure; shared by main, the renderer and
 * the CLI, so the composer's cards, the export and verify agree.
 */
import { z } from 'zod'
import { findSecrets } from './redact'
import type { Skill } from './skills'

/** Where in a run a text was found. */
export const ProvenanceSchema = z.object({
  /** the text as the skill has it (a span of the rule, or what a flag found) */
  text: z.string().max(2000),
  run: z.number().int(),
  /** the run's trace (a line of its session, or of a sub-agent's), its final answer, or one of its files */
  part: z.enum(['trace', 'answer', 'file']),
  /** what in the trace: a tool's result, a tool's input, the agent's words, thinking, a message */
  what: z.string().max(100).optional(),
  line: z.number().int().optional(),
  agent: z.string().max(200).optional(),
  file: z.string().max(1000).optional(),
  /** a long span copied word for word (else a command, URL or credential of the text, found there) */
  verbatim: z.boolean(),
  /** the batch of the run (its numbers are that batch's) */
  batchId: z.string().max(200).optional()
})
export type Provenance = z.infer<typeof ProvenanceSchema>

/** Provenance of the skill's own fields (description, title, when to use), kept on the skill. */
export const FieldProvenanceSchema = z.object({
  description: z.array(ProvenanceSchema).max(50).optional(),
  title: z.array(ProvenanceSchema).max(50).optional(),
  whenToUse: z.array(ProvenanceSchema).max(50).optional()
})
export type FieldProvenance = z.infer<typeof FieldProvenanceSchema>

export const FLAG_KINDS = ['command', 'url', 'pipe-to-shell', 'credential', 'verbatim'] as const
export type FlagKind = (typeof FLAG_KINDS)[number]

export const TextFlagSchema = z.object({
  kind: z.enum(FLAG_KINDS),
  /** what was found, as the text has it */
  found: z.string(),
  /** what it is, in words ("downloads from the network") */
  why: z.string(),
  /** where it came from in the runs (none known: written by the analysts, the merge or a person) */
  from: z.array(ProvenanceSchema)
})
export type TextFlag = z.infer<typeof TextFlagSchema>

const URL_CHARS = '[^\\s`\'"<>)\\]]'
const COMMANDS: { re: RegExp; why: string; kind?: FlagKind }[] = [
  {
    re: /\b(?:curl|wget|aria2c|Invoke-WebRequest|Invoke-RestMethod|iwr|irm)\s+[-\w'"$:/.]/gi,
    why: 'a command that downloads from or sends to the network'
  },
  { re: /\b(?:nc|ncat|netcat|socat|telnet|ssh|scp|sftp|ftp)\s+-?\w/g, why: 'a command that connects to another machine' },
  { re: /\b(?:sudo|doas)\s+\S|\bsu\s+-/g, why: 'a command that runs with more privileges' },
  {
    re: /\brm\s+-(?:[a-z]*r[a-z]*f|[a-z]*f[a-z]*r)[a-z]*\b|\bmkfs\b|\bdd\s+if=|\bchmod\s+(?:-R\s+)?(?:[0-7]?777|[ug]?\+s)\b|\bchown\s+-R\b/gi,
    why: 'a command that deletes or changes files beyond the project'
  },
  {
    re: /\b(?:bash|sh|zsh)\s+-c\b|\b(?:python[0-9.]*|node|perl|ruby|php)\s+-[ce]\b|\beval\s*[("'`$]|\bbase64\s+(?:-d|--decode|-D)\b/g,
    why: 'a command that runs code given as text'
  },
  {
    re: /\b(?:npx|bunx|pnpx|uvx)\s+(?:-\S+\s+)*[@\w]|\b(?:pnpm|yarn)\s+dlx\b|\bnpm\s+exec\b|\bpipx\s+run\b|\b(?:npm|pnpm|yarn|bun)\s+(?:i|install|add)\s+(?:(?:-g|--global)\b|(?:-\S+\s+)*(?:@[\w.-]+\/|[\w.-]+@|[\w.-]+\/|https?:|git\+))|\b(?:pip3?|gem|cargo|go|brew|apt-get|apt|yum|dnf|apk|choco|winget)\s+(?:-\S+\s+)*install\s+\S|\bgit\s+clone\s+\S/gi,
    why: 'a command that installs or runs code from a registry or a repository'
  },
  {
    re: /(?:~|\$HOME|\/home\/[^/\s]+|\/root)\/\.(?:ssh|aws|gnupg|netrc|docker|kube|npmrc|pypirc|git-credentials|claude|config\/gcloud)\b|\b(?:id_rsa|id_ed25519|id_ecdsa|authorized_keys|\.credentials\.json|\.git-credentials|\.netrc|\.bashrc|\.zshrc|\.bash_profile|crontab)\b|\/etc\/(?:passwd|shadow|sudoers)\b|\$\{?[A-Z][A-Z0-9_]*(?:KEY|TOKEN|SECRET|PASSWORD)[A-Z0-9_]*\}?/g,
    why: 'a path to credentials or shell start-up files, or a secret variable',
    kind: 'credential'
  }
]
const PIPES =
  /\|\s*(?:sudo\s+(?:-\S+\s+)*)?(?:ba|z|k|da|fi|c|tc)?sh\b|\|\s*(?:python[0-9.]*|perl|ruby|node|php|pwsh|powershell|iex|source)\b|\|\s*xargs\s+(?:-\S+\s+)*(?:ba)?sh\b|\b(?:ba|z)?sh\s+<\(\s*(?:curl|wget)|\bsource\s+<\(|\beval\s+["']?\$\(\s*(?:curl|wget)/gi
const URLS = new RegExp(
  `\\b(?:https?|ftp|file|wss?|ssh|git|sftp):\\/\\/${URL_CHARS}+|\\bwww\\.[a-z0-9-]+\\.[a-z]{2,}${URL_CHARS}*|\\b(?:\\d{1,3}\\.){3}\\d{1,3}(?::\\d{2,5})?\\/${URL_CHARS}*|\\b(?:\\d{1,3}\\.){3}\\d{1,3}:\\d{2,5}\\b`,
  'gi'
)

/** The order flags are listed in: the most telling first. */
const RANK: FlagKind[] = ['pipe-to-shell', 'url', 'command', 'credential', 'verbatim']
const clip = (s: string, max = 200) => (s.length > max ? `${s.slice(0, max - 1)}…` : s)
/** Lower case, runs of white space as one: how texts are compared. */
export const normalizeText = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim()

/** Commands, URLs, pipes into a shell and credentials in a text (no run needed). */
export function patternFlags(text: string): { kind: FlagKind; found: string; why: string }[] {
  const out: { kind: FlagKind; found: string; why: string; at: number }[] = []
  const add = (kind: FlagKind, why: string, re: RegExp, whole?: (m: RegExpExecArray) => string) => {
    re.lastIndex = 0
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (!m[0]) {
        re.lastIndex++
        continue
      }
      out.push({ kind, found: clip((whole?.(m) ?? m[0]).trim()), why, at: m.index })
    }
  }
  add('pipe-to-shell', 'pipes something into a shell or an interpreter', PIPES, (m) => commandAround(text, m.index, m[0].length))
  add('url', 'a web address', URLS, (m) => m[0].replace(/[.,;:!?]+$/, ''))
  for (const c of COMMANDS) add(c.kind ?? 'command', c.why, c.re, (m) => (c.kind ? m[0] : commandAround(text, m.index, m[0].length)))
  for (const s of findSecrets(text))
    out.push({ kind: 'credential', found: clip(text.slice(s.start, s.end)), why: `a credential (${s.kind})`, at: s.start })
  const seen = new Set<string>()
  return out
    .sort((a, b) => RANK.indexOf(a.kind) - RANK.indexOf(b.kind) || a.at - b.at)
    .filter((f) => {
      const key = `${f.kind}\u0000${f.found}`
      if (seen.has(key)) return false
      seen.add(key)
      return true
    })
    .map(({ kind, found, why }) => ({ kind, found, why }))
}

/** The command a match sits in: inside `backticks` the whole code span, else the match to the end of its clause. */
function commandAround(text: string, at: number, len: number): string {
  const open = text.lastIndexOf('`', at)
  if (open >= 0) {
    const before = text.slice(0, open).split('`').length - 1
    const close = text.indexOf('`', at + len)
    // an odd number of backticks before: the match is inside a code span
    if (before % 2 === 0 && close >= 0 && !text.slice(open + 1, at).includes('\n')) return text.slice(open + 1, close)
  }
  const end = /[\n;`]|\.\s|,\s(?=[a-z])|\s(?:and|then|before|after)\s/i.exec(text.slice(at + len))
  return text.slice(at, end ? at + len + end.index : Math.min(text.length, at + len + 120))
}

/**
 * Every flag of a text: its patterns (each with the places the runs have it, when known) and the spans
 * copied word for word from a run that it still holds (a span the person has since edited away no longer
 * counts).
 */
export function textFlags(text: string, provenance: readonly Provenance[] = []): TextFlag[] {
  const norm = normalizeText(text)
  const still = provenance.filter((p) => p.text && norm.includes(normalizeText(p.text)))
  const flags: TextFlag[] = patternFlags(text).map((f) => {
    const n = normalizeText(f.found)
    return {
      ...f,
      from: still.filter((p) => {
        const q = normalizeText(p.text)
        return q.includes(n) || n.includes(q)
      })
    }
  })
  const spans = new Map<string, Provenance[]>()
  for (const p of still) if (p.verbatim) spans.set(p.text, [...(spans.get(p.text) ?? []), p])
  for (const [span, from] of spans)
    flags.push({ kind: 'verbatim', found: clip(span, 400), why: 'copied word for word from what a run read or wrote', from })
  return flags
}

/** A text of the skill that has flags, named as the composer and the CLI name it. */
export const FlaggedTextSchema = z.object({
  where: z.enum(['rule', 'description', 'title', 'when-to-use', 'skill-md']),
  ruleId: z.string().optional(),
  /** "core rule", "description"... */
  label: z.string(),
  text: z.string(),
  flags: z.array(TextFlagSchema)
})
export type FlaggedText = z.infer<typeof FlaggedTextSchema>

const TIER_LABEL: Record<string, string> = { core: 'core rule', guidance: 'guidance rule', 'edge-case': 'edge case' }

/**
 * Every flagged text a skill would export: its rules (not the discarded ones), its description, title and
 * "when to use"; when the person wrote the SKILL.md by hand, that text instead of the rules of the main file.
 */
export function skillFlags(
  skill: Pick<Skill, 'rules' | 'frontMatter' | 'title' | 'whenToUse'> & { markdown?: string; provenance?: FieldProvenance }
): FlaggedText[] {
  const out: FlaggedText[] = []
  const push = (f: Omit<FlaggedText, 'flags'>, provenance?: readonly Provenance[]) => {
    const flags = textFlags(f.text, provenance)
    if (flags.length) out.push({ ...f, flags })
  }
  push({ where: 'description', label: 'description', text: skill.frontMatter.description }, skill.provenance?.description)
  push({ where: 'title', label: 'title', text: skill.title }, skill.provenance?.title)
  push({ where: 'when-to-use', label: '"when to use"', text: skill.whenToUse }, skill.provenance?.whenToUse)
  const live = skill.rules.filter((r) => r.tier !== 'discarded')
  if (skill.markdown !== undefined)
    push(
      { where: 'skill-md', label: 'SKILL.md (edited by hand)', text: skill.markdown },
      live.flatMap((r) => r.provenance ?? [])
    )
  for (const r of live)
    if (skill.markdown === undefined || r.tier === 'edge-case')
      push({ where: 'rule', ruleId: r.id, label: TIER_LABEL[r.tier] ?? 'rule', text: r.text }, r.provenance)
  // an example is quoted from the runs by design: what it holds that reaches the network, escalates or
  // deletes is flagged all the same (its being copied is not)
  for (const r of live) {
    const snippets = [r.example?.wrong, r.example?.right].filter((x): x is string => Boolean(x?.trim()))
    if (snippets.length && (skill.markdown === undefined || r.tier === 'edge-case'))
      push({ where: 'rule', ruleId: r.id, label: `${TIER_LABEL[r.tier] ?? 'rule'}'s example`, text: snippets.join('\n') })
  }
  // a script is a run's file that a future agent may execute: what it holds is flagged when it is exported
  for (const r of live)
    if (r.script?.include && r.script.content.trim())
      push({ where: 'rule', ruleId: r.id, label: `script scripts/${r.script.name}`, text: r.script.content })
  return out
}

/** Where a text was found, in words: "run 3's tool result (line 12)". */
export function describeProvenance(p: Provenance): string {
  const what =
    p.part === 'answer'
      ? 'final answer'
      : p.part === 'file'
        ? `file ${p.file ?? '?'}`
        : `${p.agent ? `sub-agent ${p.agent}'s ` : ''}${p.what ?? 'trace'}${p.line !== undefined ? ` (line ${p.line})` : ''}`
  return `run ${p.run}'s ${what}`
}

/** One flag in words: what it is, what was found, and where it came from. */
export function describeFlag(f: TextFlag): string {
  const runs = [...new Set(f.from.map((p) => p.run))]
  const where = f.from.length
    ? `; found in ${f.from
        .slice(0, 3)
        .map(describeProvenance)
        .join(', ')}${runs.length > 3 ? ` and ${runs.length - 3} more run${runs.length - 3 === 1 ? '' : 's'}` : ''}`
    : ''
  return `${f.why}: ${JSON.stringify(f.found)}${where}`
}

/** The flagged texts of a skill, one line each and a line per flag (the CLI, and refusals). */
export function describeFlagged(list: FlaggedText[]): string[] {
  return list.flatMap((t) => [
    `${t.label} ${JSON.stringify(clip(t.text.replace(/\s+/g, ' '), 120))}:`,
    ...t.flags.map((f) => `  - ${describeFlag(f)}`)
  ])
}

/** The refusal when a flagged skill is exported or installed without a confirmation. */
export function flaggedRefusal(list: FlaggedText[], how: string): string {
  const n = list.length
  return `${n} text${n === 1 ? '' : 's'} of this skill ${n === 1 ? 'is' : 'are'} flagged (a command, a URL, a pipe into a shell, a credential, or text copied from a run): read ${n === 1 ? 'it' : 'them'}, then ${how}. ${list
    .map((t) => `${t.label} ${JSON.stringify(clip(t.text.replace(/\s+/g, ' '), 80))}: ${t.flags.map((f) => f.kind).join(', ')}`)
    .join('; ')}`
}

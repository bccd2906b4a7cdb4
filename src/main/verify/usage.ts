/**
 * Did Claude Code load a skill in a run? From the run's trace: a `Skill` tool call naming it (Claude
 * Code 2.x answers with "Base directory for this skill: <folder>", which says which skill of that name
 * was loaded: the run's own project skill, or a same-name one elsewhere that shadows it), or a Read of
 * its SKILL.md. Pure; Electron-free.
 */
import type { SkillUse } from '../../shared/verify'
import type { Trace, TraceEvent } from '../../shared/trace'

const BASE_DIR = /Base directory for this skill:\s*(\S[^\n]*)/

/** `name`, `plugin:name` and `dir:name` all name the skill `name`. */
const namesSkill = (value: unknown, name: string) =>
  typeof value === 'string' && (value.trim() === name || value.trim().endsWith(`:${name}`) || value.trim() === `/${name}`)

const inside = (path: string, roots: string[]) => {
  const p = path.replace(/\\/g, '/').replace(/\/+$/, '')
  return roots.some((r) => {
    const root = r.replace(/\\/g, '/').replace(/\/+$/, '')
    return p === root || p.startsWith(`${root}/`)
  })
}

/** The texts of an event where a skill's base directory may be said (a user message, a tool result). */
const textsOf = (e: TraceEvent): string[] => {
  if (e.kind === 'user' || e.kind === 'system') return [e.text]
  if (e.kind === 'tool_call') return e.result ? [e.result.text] : []
  if (e.kind === 'tool_result') return [e.result.text]
  return []
}

/**
 * How the skill `name` was used in a trace (its sub-agents too). `roots`: the run's workspace (as the
 * app names it and as the OS resolves it): a skill loaded from inside it is the one under test.
 */
export function skillUse(trace: Trace, name: string, roots: string[]): SkillUse {
  const streams = [trace.events, ...trace.subagents.map((s) => s.events)]
  for (const events of streams) {
    for (let i = 0; i < events.length; i++) {
      const e = events[i]
      if (e.kind !== 'tool_call') continue
      const input = (e.input ?? {}) as Record<string, unknown>
      if (e.name === 'Skill' && (namesSkill(input.skill, name) || namesSkill(input.command, name))) {
        if (e.result?.isError) continue
        // the folder it was loaded from: in the result, or in the message that came with it
        let base: string | undefined
        for (const later of [e, ...events.slice(i + 1, i + 6)]) {
          for (const t of textsOf(later)) base ??= BASE_DIR.exec(t)?.[1]?.trim()
          if (base) break
        }
        return {
          invoked: true,
          how: 'skill-tool',
          line: e.line,
          ...(base ? { from: inside(base, roots) ? ('project' as const) : ('elsewhere' as const) } : {})
        }
      }
      const file = typeof input.file_path === 'string' ? input.file_path : undefined
      if (e.name === 'Read' && file && file.replace(/\\/g, '/').endsWith(`.claude/skills/${name}/SKILL.md`) && !e.result?.isError) {
        const absolute = file.startsWith('/') || /^[A-Za-z]:/.test(file)
        return { invoked: true, how: 'read', line: e.line, from: !absolute || inside(file, roots) ? 'project' : 'elsewhere' }
      }
    }
  }
  return { invoked: false }
}

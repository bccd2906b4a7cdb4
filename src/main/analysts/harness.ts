/**
 * Failures of the harness are not lessons: a rule whose cited runs all failed for a reason of the
 * harness (Claude Code could not start its sandbox, authentication, the turn limit, the spending cap,
 * an API error: the run's one-line `reason`) and whose text is about that failure is set aside before
 * the merge, with that reason. Deterministic and pure; Electron-free.
 */
import type { AnalystRule, SetAside } from '../../shared/skills'

interface HarnessKind {
  /** what the run's reason says */
  reason: RegExp
  /** what a rule about it says */
  about: RegExp
  label: string
}

/** The harness's own failures, as the runs' reasons say them (src/main/agents/claude-code/monitor.ts explain). */
export const HARNESS_FAILURES: HarnessKind[] = [
  {
    label: 'the sandbox could not start',
    reason: /could not start its sandbox|sandbox required but unavailable/i,
    about: /sandbox|bubblewrap|bwrap|seccomp/i
  },
  { label: 'authentication failed', reason: /^authentication failed/i, about: /authenticat|api[ -]?key|log ?in|credential|\b401\b/i },
  { label: 'the turn limit', reason: /^hit the turn limit/i, about: /turn limit|max(imum)?[ -]?turns|turns?\b.*\blimit|too many turns/i },
  { label: 'the spending cap', reason: /^hit the spending cap/i, about: /spending cap|budget|cost (cap|limit)|max[ -]?budget/i },
  {
    label: 'an API error',
    reason: /overloaded|rate limit|\b(429|500|502|503|529)\b|api error|api_error/i,
    about: /overload|rate[ -]?limit|api (error|outage)|\b(429|529)\b/i
  }
]

/** Which failure of the harness a run's reason says, if any. */
export function harnessFailure(reason: string | undefined): HarnessKind | undefined {
  if (!reason) return undefined
  return HARNESS_FAILURES.find((k) => k.reason.test(reason))
}

/**
 * Why a rule is about a failure of the harness (every run it cites failed for such a reason, and its
 * text is about one of them), or null when it is not.
 */
export function harnessRule(rule: Pick<AnalystRule, 'rule' | 'evidence'>, reasonOf: (run: number) => string | undefined): string | null {
  if (!rule.evidence.length) return null
  const kinds = rule.evidence.map((n) => harnessFailure(reasonOf(n)))
  if (kinds.some((k) => !k)) return null
  const hit = kinds.find((k) => k!.about.test(rule.rule))
  if (!hit) return null
  return `a failure of the harness (${hit.label} in every run it cites), not a lesson about the task`
}

/** The analysts' rules split: those kept, and those about a failure of the harness, set aside with why. */
export function setAsideHarness(
  rules: AnalystRule[],
  reasonOf: (run: number) => string | undefined
): { kept: AnalystRule[]; setAside: SetAside[] } {
  const kept: AnalystRule[] = []
  const setAside: SetAside[] = []
  for (const rule of rules) {
    const why = harnessRule(rule, reasonOf)
    if (why) setAside.push({ rule, why })
    else kept.push(rule)
  }
  return { kept, setAside }
}

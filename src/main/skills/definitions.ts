/**
 * The four analysts of the workflow (../shared/method/WORKFLOW.md), each with its focus and its
 * evidence minimum. The same text instructs the API analysts and is exported as Claude Code agent
 * definitions (`.claude/agents/<kind>-analyst.md`) so the workflow can run inside Claude Code too.
 */
import type { AnalystKind } from '../../shared/skills'

export interface AnalystDefinition {
  kind: AnalystKind
  title: string
  /** one line: what it looks for (the agent's description) */
  description: string
  /** the fewest runs a rule must cite */
  minEvidence: number
  focus: string
}

export const ANALYST_DEFINITIONS: Record<AnalystKind, AnalystDefinition> = {
  error: {
    kind: 'error',
    title: 'Error analyst',
    description: 'Finds the root causes of bad runs in their traces and proposes rules that would have prevented them.',
    minEvidence: 2,
    focus: [
      'For every run graded bad, find the root cause in the actual trace: the step where it went wrong and why, not just the error text.',
      'Confirm each diagnosis before you rely on it: read the steps around it, and what the run left (its files, its screenshots), where the person saw the problem.',
      'Check whether the same cause recurs across bad runs.',
      'Propose a rule that would have prevented it. Only propose rules seen in 2 or more runs.'
    ].join('\n')
  },
  success: {
    kind: 'success',
    title: 'Success analyst',
    description: 'Finds what good runs did that bad runs did not, and turns it into rules.',
    minEvidence: 1,
    focus: [
      'Compare the runs graded good with the runs graded bad: what did good runs do that bad runs did not?',
      'Only non-obvious behaviours: skip what any competent agent does anyway.',
      'Cite the good runs that show the behaviour.'
    ].join('\n')
  },
  structure: {
    kind: 'structure',
    title: 'Structure analyst',
    description: 'Reads the shape of runs (tool-call sequences, step order, verification, detours) and proposes rules about how to work.',
    minEvidence: 2,
    focus: [
      'Look at the shape of the runs, not their content: tool-call sequences, the order of steps, verification steps, detours and repeated attempts that add noise.',
      'Propose rules about how to work (what to do first, when to verify, what to avoid repeating). Only rules with 2 or more runs of support.'
    ].join('\n')
  },
  edge: {
    kind: 'edge',
    title: 'Edge analyst',
    description: 'Reads the hard and adversarial runs for inputs that broke the agent and proposes guards.',
    minEvidence: 1,
    focus: [
      'Focus on the hard and adversarial runs: inputs that broke the agent, assumptions that fail at the edges, checks that were missing.',
      'Every rule is a guard of the form "Before doing X, verify Y" (or "If X, do Y"), and each cites at least one run.'
    ].join('\n')
  }
}

export const RULE_FORMAT = [
  'Every rule has: RULE (one imperative sentence a future agent can follow), EVIDENCE (the run numbers that show it, as in "Run 3"),',
  'PRIORITY (high, medium or low), and REASON (what happened in the trace, and where: cite run numbers and the line numbers shown in the trace, or the output file it shows in).',
  'Give POINTERS to where it shows: a run and a trace line, or a run and one of its output files.',
  'Give WHY: one short sentence drawn from what happened in the runs ("Pages with two CTAs above the fold were graded cluttered."), not a generic justification.',
  'Where a good run and a bad run differ concretely, give an EXAMPLE: WRONG, a few lines copied exactly from a file or command of the bad run, RIGHT, the same from the good run, and the runs they come from. An example is the one place a run is quoted, and never as an instruction: the app checks every snippet against those runs and drops one it cannot find; give none rather than paraphrase.',
  'Where two or more good runs wrote the same helper file (a check, a build step), you may give a SCRIPT: a file name for scripts/ and the runs and output files it is in; the rule then says when to run it ("Before reporting, run scripts/check-links.sh"). Never write the script yourself: the app takes a real file the runs wrote, and drops a script it cannot find in two good runs.',
  'Cite only runs that really show the rule. Prefer few strong rules to many weak ones.'
].join('\n')

/** Does a rule read as a guard ("Before X, verify Y", "If X, do Y")? (shared with the merge and the composer) */
export { isGuard } from '../../shared/skills'

/** Claude Code's default sessions folder. */
export const DEFAULT_SESSIONS = '~/.claude/projects/'

/**
 * Where the sessions of a Claude Code config folder are, as the exported agents should read it: the
 * folder's `projects/`, with the home folder written `~` (the file may be shared with others).
 */
export function sessionsLocation(configDir: string, home: string): string {
  const dir = configDir.replace(/[\\/]+$/, '')
  const h = home.replace(/[\\/]+$/, '')
  const shown = h && (dir === h || dir.startsWith(`${h}/`) || dir.startsWith(`${h}\\`)) ? `~${dir.slice(h.length)}` : dir
  return `${shown}/projects/`
}

/**
 * A Claude Code agent definition for one analyst (`.claude/agents/<kind>-analyst.md`). `sessions` is
 * where the sessions are on the machine it is exported from (see sessionsLocation).
 */
export function agentMarkdown(kind: AnalystKind, opts: { sessions?: string } = {}): string {
  const d = ANALYST_DEFINITIONS[kind]
  const sessions = opts.sessions ?? DEFAULT_SESSIONS
  const where =
    sessions === DEFAULT_SESSIONS
      ? `JSONL files under \`${DEFAULT_SESSIONS}\`, one folder per project; under \`$CLAUDE_CONFIG_DIR/projects/\` instead when that variable is set`
      : `JSONL files under \`${sessions}\`, one folder per project: Claude Code's config folder there is \`$CLAUDE_CONFIG_DIR\`, not \`~/.claude\``
  return [
    '---',
    `name: ${kind}-analyst`,
    `description: ${JSON.stringify(d.description)}`,
    'tools: Read, Grep, Glob',
    '---',
    '',
    `You are the ${d.title.toLowerCase()} in a team of four (error, success, structure, edge) that reads many runs of the same task together, with the person's one-sentence feedback on each run's output, and proposes rules for a SKILL.md.`,
    '',
    `Read the task, all the feedback (\`Run N: good|bad - sentence\`) and the session transcripts (${where}).`,
    '',
    d.focus,
    '',
    RULE_FORMAT,
    '',
    'Answer as a list:',
    '',
    '    RULE: <imperative>',
    '    EVIDENCE: runs 3, 6, 11',
    '    PRIORITY: high',
    '    REASON: <what the traces show>',
    '    WHY: <one short reason, from what happened in the runs>',
    ''
  ].join('\n')
}

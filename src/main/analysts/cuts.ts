/**
 * How much of a run the analysts read: full fidelity (FULL) when the window has room, else the cuts of
 * CUT_STEPS one after another (the least telling first: what the agent wrote is also in the final
 * files; screenshots and the steps themselves last), each reported: what, how much, in which runs.
 * Documented in the README ("What the analysts read"). Pure; Electron-free.
 */
import type { Cut } from '../../shared/analysis'

const n = (x: number) => x.toLocaleString('en-US')

/** How much of each kind of content is kept, in characters (Infinity: all). */
export interface Limits {
  assistant: number
  thinking: number
  /** each string in a tool call's input (file contents written, edits, commands) */
  input: number
  result: number
  error: number
  /** one output file's text */
  output: number
  subagents: 'full' | 'summary'
  /** image tokens per screenshot (0: screenshots left out) */
  shotTokens: number
  mobile: boolean
  /** steps kept per run (the start, the end, and every error between) */
  maxSteps: number
}

/** Full fidelity: what the analysts read when the window has room. */
export const FULL: Limits = {
  assistant: 20_000,
  thinking: 8000,
  input: 20_000,
  result: 12_000,
  error: 12_000,
  output: 64_000,
  subagents: 'full',
  shotTokens: 1600,
  mobile: false,
  maxSteps: Number.POSITIVE_INFINITY
}

export interface CutStep {
  id: string
  label: string
  unit: Cut['unit']
  apply(l: Limits): Limits
}

/**
 * The order of cuts when full fidelity does not fit: each step applies on top of the ones before,
 * and the fitting stops at the first that fits. Documented in the README ("What the analysts read").
 */
export const CUT_STEPS: CutStep[] = [
  {
    id: 'inputs',
    label:
      'tool inputs (file contents and edits the agent wrote) cut to 2,000 characters each, head and tail; the final files are shown whole',
    unit: 'chars',
    apply: (l) => ({ ...l, input: Math.min(l.input, 2000) })
  },
  {
    id: 'thinking',
    label: 'thinking cut to 1,000 characters',
    unit: 'chars',
    apply: (l) => ({ ...l, thinking: Math.min(l.thinking, 1000) })
  },
  {
    id: 'results',
    label: 'tool results cut to 2,000 characters (errors to 4,000), head and tail',
    unit: 'chars',
    apply: (l) => ({ ...l, result: Math.min(l.result, 2000), error: Math.min(l.error, 4000) })
  },
  {
    id: 'outputs',
    label: 'output files cut to 16,000 characters, head and tail',
    unit: 'chars',
    apply: (l) => ({ ...l, output: Math.min(l.output, 16_000) })
  },
  {
    id: 'assistant',
    label: "the agent's words cut to 2,000 characters (thinking to 400)",
    unit: 'chars',
    apply: (l) => ({ ...l, assistant: Math.min(l.assistant, 2000), thinking: Math.min(l.thinking, 400) })
  },
  {
    id: 'subagents',
    label: 'sub-agent transcripts summarized (their calls, errors and last words)',
    unit: 'chars',
    apply: (l) => ({ ...l, subagents: 'summary' })
  },
  {
    id: 'harder',
    label: "tool inputs, results and the agent's words cut harder (300, 400 and 600 characters; errors 1,500)",
    unit: 'chars',
    apply: (l) => ({
      ...l,
      input: Math.min(l.input, 300),
      result: Math.min(l.result, 400),
      error: Math.min(l.error, 1500),
      assistant: Math.min(l.assistant, 600),
      thinking: Math.min(l.thinking, 200)
    })
  },
  {
    id: 'outputs-harder',
    label: 'output files cut to 4,000 characters, head and tail',
    unit: 'chars',
    apply: (l) => ({ ...l, output: Math.min(l.output, 4000) })
  },
  { id: 'mobile', label: 'mobile screenshots left out', unit: 'images', apply: (l) => ({ ...l, mobile: false }) },
  {
    id: 'images',
    label: 'screenshots scaled down to 800 tokens each',
    unit: 'image-tokens',
    apply: (l) => ({ ...l, shotTokens: Math.min(l.shotTokens, 800) })
  },
  ...[200, 120, 60, 30].map((keep): CutStep => ({
    id: 'steps',
    label: `steps without errors left out of the middle of long runs (${keep} kept per run: the start, the end, every error)`,
    unit: 'steps',
    apply: (l) => ({ ...l, maxSteps: Math.min(l.maxSteps, keep) })
  })),
  {
    id: 'images-off',
    label: 'screenshots left out of the shared context (an analyst can still look at them)',
    unit: 'images',
    apply: (l) => ({ ...l, shotTokens: 0 })
  },
  {
    id: 'outputs-last',
    label: 'output files cut to 1,000 characters (an analyst can still read them whole)',
    unit: 'chars',
    apply: (l) => ({ ...l, output: Math.min(l.output, 1000), assistant: Math.min(l.assistant, 200), result: Math.min(l.result, 120) })
  }
]

/** One line per cut, for the prompt and for people. */
export function describeCuts(cuts: Cut[]): string[] {
  const unit = (c: Cut) =>
    c.unit === 'chars'
      ? `${n(c.amount)} characters`
      : c.unit === 'steps'
        ? `${n(c.amount)} steps`
        : c.unit === 'images'
          ? `${n(c.amount)} images`
          : `${n(c.amount)} image tokens`
  return cuts.map((c) => `${c.label}: ${unit(c)} left out, in run${c.runs.length === 1 ? '' : 's'} ${c.runs.join(', ')}`)
}

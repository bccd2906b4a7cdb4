/**
 * A skill's text that holds a command, a URL, a pipe into a shell, a credential or text copied from a
 * run, flagged where it is edited (a rule card, the front matter) with what was found and where it came
 * from (badges into the runs, at the line or file), and the confirmation the export asks for before it
 * writes flagged texts where agents obey them. The checks are src/shared/rule-flags.ts, the same as the
 * export's and the CLI's.
 */
import { useMemo } from 'react'
import { describeProvenance, textFlags, type FlaggedText, type FlagKind, type Provenance, type TextFlag } from '@shared/rule-flags'
import { RunBadge } from './RunBadge'

const KIND_LABEL: Record<FlagKind, string> = {
  'pipe-to-shell': 'pipe into a shell',
  url: 'web address',
  command: 'command',
  credential: 'credential',
  verbatim: 'copied from a run'
}

/** Where a flagged text came from: one badge per run (at its line or file), each titled with the place. */
function FromRuns({ from, batchId }: { from: Provenance[]; batchId?: string }) {
  const firstByRun = new Map<number, Provenance>()
  for (const p of from) if (!firstByRun.has(p.run)) firstByRun.set(p.run, p)
  if (!firstByRun.size) return <span className="muted">written by the analysts or the merge, not found in the runs</span>
  return (
    <span className="evidence" title={from.map(describeProvenance).join('\n')}>
      found in {firstByRun.size === 1 ? 'run' : 'runs'}{' '}
      {[...firstByRun.values()].map((p) => (
        <RunBadge
          key={p.run}
          batchId={p.batchId ?? batchId}
          n={p.run}
          line={p.part === 'trace' && !p.agent ? p.line : undefined}
          file={p.part === 'file' ? p.file : undefined}
          testId="flag-from"
        />
      ))}{' '}
      <span className="muted small">({describeProvenance([...firstByRun.values()][0])}…)</span>
    </span>
  )
}

function FlagLine({ flag: f, batchId }: { flag: TextFlag; batchId?: string }) {
  return (
    <li data-testid="text-flag" data-kind={f.kind}>
      <span className="badge warn">{KIND_LABEL[f.kind]}</span> <code className="flag-found">{f.found}</code>{' '}
      <span className="muted">{f.why}</span> <FromRuns from={f.from} batchId={batchId} />
    </li>
  )
}

/** The flags of one text, under it (nothing when it has none). */
export function TextFlagsNote({
  text,
  provenance,
  batchId,
  what = 'this rule'
}: {
  text: string
  provenance?: Provenance[]
  batchId?: string
  what?: string
}) {
  const flags = useMemo(() => textFlags(text, provenance), [text, provenance])
  if (!flags.length) return null
  return (
    <div className="text-flags" role="note" data-testid="text-flags">
      <div className="text-flags-title">
        Check {what} before exporting: an agent will obey it, and run content can carry planted instructions.
      </div>
      <ul>
        {flags.map((f, i) => (
          <FlagLine key={`${f.kind}-${i}`} flag={f} batchId={batchId} />
        ))}
      </ul>
    </div>
  )
}

/** Before an export (or a verification) writes flagged texts: each listed, and a tick to go ahead. */
export function FlaggedConfirm({
  flagged,
  accepted,
  onAccept,
  batchId,
  action = 'export'
}: {
  flagged: FlaggedText[]
  accepted: boolean
  onAccept: (v: boolean) => void
  batchId?: string
  action?: string
}) {
  if (!flagged.length) return null
  return (
    <div className="notice notice-warning flagged-confirm" data-testid="flagged-confirm">
      <div>
        <strong>
          {flagged.length} flagged text{flagged.length === 1 ? '' : 's'}
        </strong>{' '}
        will be written where Claude Code obeys {flagged.length === 1 ? 'it' : 'them'}: read {flagged.length === 1 ? 'it' : 'them'} first.
      </div>
      <ul>
        {flagged.map((t, i) => (
          <li key={`${t.where}-${t.ruleId ?? ''}-${i}`} data-testid="flagged-text">
            <span className="label">{t.label}</span> <q>{t.text.length > 200 ? `${t.text.slice(0, 199)}…` : t.text}</q>
            <ul>
              {t.flags.map((f, k) => (
                <FlagLine key={k} flag={f} batchId={batchId} />
              ))}
            </ul>
          </li>
        ))}
      </ul>
      <label>
        <input type="checkbox" checked={accepted} onChange={(e) => onAccept(e.target.checked)} data-testid="accept-flagged" /> I have read{' '}
        {flagged.length === 1 ? 'it' : `these ${flagged.length}`}: {action} anyway
      </label>
    </div>
  )
}

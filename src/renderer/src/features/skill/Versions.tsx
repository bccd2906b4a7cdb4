import { useState } from 'react'
import { isCandidateLabel } from '@shared/analysis'
import { Link } from '@tanstack/react-router'
import type { SkillView } from '@shared/contract'
import type { VerificationView } from '@shared/verify'
import { useApi, useApiMutation } from '../../data/queries'
import { fmtLocalTime, timeOf } from '../../lib/format'
import { DiffView } from '../../components/DiffView'
import { ErrorLine } from '../../components/ErrorLine'

/** A version's time to the second (two versions made within a second differ by their number). */
function fmtVersionTime(iso: string): string {
  const t = timeOf(iso)
  if (t === null) return fmtLocalTime(iso)
  try {
    return new Date(t).toLocaleString(undefined, {
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit'
    })
  } catch {
    return new Date(t).toISOString()
  }
}

export function Versions({
  view,
  onRestored,
  confirmations = []
}: {
  view: SkillView
  onRestored: (v: SkillView) => void
  /** the skill's confirmations (newest first): each listed at its version */
  confirmations?: VerificationView[]
}) {
  const [picked, setPicked] = useState<string[]>([])
  const [note, setNote] = useState<string | null>(null)
  const restore = useApiMutation('restoreSkillVersion')
  const numberOf = (id: string) => view.versions.find((v) => v.id === id)?.number ?? 0
  // always the older version against the newer, whichever was ticked first
  const [a, b] = [...picked].sort((x, y) => numberOf(x) - numberOf(y))
  const diff = useApi('diffSkillVersions', picked.length === 2 ? { a, b } : null)
  const promote = useApiMutation('promoteSkillVersion')
  const error = restore.error ?? promote.error ?? diff.error
  const restoreVersion = (versionId: string, n: number) =>
    restore.mutate(
      { versionId },
      {
        onSuccess: (r) => {
          setNote(
            r.unchangedSince ? `Version ${n} is what the skill already is (as version ${r.unchangedSince}): nothing to restore.` : null
          )
          onRestored(r)
        }
      }
    )
  // a candidate (one of several versions made from the same runs) becomes the skill: a new version, nothing lost
  const promoteVersion = (versionId: string, n: number) =>
    promote.mutate(
      { versionId },
      {
        onSuccess: (r) => {
          const newest = Math.max(...r.versions.map((v) => v.number))
          setNote(
            r.unchangedSince
              ? `Version ${n} is already the skill (as version ${r.unchangedSince}): nothing to promote.`
              : `Promoted version ${n}: it is the skill now, as version ${newest}.`
          )
          onRestored(r)
        }
      }
    )
  return (
    <details className="card versions" data-testid="versions">
      <summary>Versions ({view.versions.length}): tick two to diff</summary>
      {view.versions
        .slice()
        .reverse()
        .map((v) => (
          <div key={v.id} className="version">
            <label>
              <input
                type="checkbox"
                checked={picked.includes(v.id)}
                onChange={() => setPicked((p) => (p.includes(v.id) ? p.filter((x) => x !== v.id) : [...p.slice(-1), v.id]))}
              />{' '}
              Version {v.number}
            </label>{' '}
            <span className="muted" data-testid="version-time">
              {fmtVersionTime(v.createdAt)} {v.label ? `· ${v.label}` : ''}
            </span>{' '}
            <button className="ghost" onClick={() => restoreVersion(v.id, v.number)}>
              Restore
            </button>
            {isCandidateLabel(v.label) ? (
              <button
                className="ghost"
                data-testid="promote-version"
                disabled={promote.isPending}
                title="Make this candidate the skill (a new version; every version stays)"
                onClick={() => promoteVersion(v.id, v.number)}
              >
                Promote
              </button>
            ) : null}
            {confirmations
              .filter((c) => c.verification.version.id === v.id)
              .map((c) => (
                <div key={c.verification.id} className="small version-confirmation" data-testid="version-confirmation">
                  <Link to="/verification/$verificationId" params={{ verificationId: c.verification.id }}>
                    Rules confirmed
                  </Link>{' '}
                  {fmtVersionTime(c.verification.createdAt)}:{' '}
                  {c.confirm
                    ? `${c.confirm.counts.confirmed} confirmed, ${c.confirm.counts.unconfirmed} unconfirmed, ${c.confirm.counts.harmful} harmful${c.confirm.counts.pending ? `, ${c.confirm.counts.pending} pending` : ''}`
                    : `${c.status.graded} of ${c.status.runs} runs graded`}
                  {c.batchName && c.verification.batchId ? (
                    <>
                      {' · '}
                      <Link to="/review/$batchId" params={{ batchId: c.verification.batchId }}>
                        {c.batchName}
                      </Link>
                    </>
                  ) : null}
                </div>
              ))}
          </div>
        ))}
      {picked.length === 2 && diff.data ? (
        diff.data.identical ? (
          <div className="muted" data-testid="version-diff" data-identical="true">
            Version {numberOf(a)} and version {numberOf(b)} are identical (SKILL.md and{' '}
            {(diff.data.references ?? []).some((r) => r.name !== 'edge-cases') ? 'every reference file' : 'references/edge-cases.md'}).
          </div>
        ) : (
          <>
            <DiffView diff={diff.data.skillMd} testId="version-diff" />
            {/* each reference file of either version (by topic); edge-cases.md alone from an older server */}
            {diff.data.references ? (
              diff.data.references.map((r) => <DiffView key={r.name} diff={r.diff} />)
            ) : (
              <DiffView diff={diff.data.edgeCasesMd} />
            )}
            {diff.data.scripts ? <DiffView diff={diff.data.scripts} testId="version-diff-scripts" /> : null}
          </>
        )
      ) : null}
      {note ? (
        <div className="muted" data-testid="versions-note">
          {note}
        </div>
      ) : null}
      {error ? <ErrorLine error={error.message} /> : null}
    </details>
  )
}

/** Across verifications: the list on the skill page, and the pass rate per version as a chart. */
import { Link } from '@tanstack/react-router'
import { useApi } from '../../data/queries'
import { fmtLocalTime } from '../../lib/format'
import { armName, chartPoints, fmtRateShort, pct, STAGE_WORDS, type ChartPoint } from '../../lib/verify'
import { ErrorLine } from '../../components/ErrorLine'

/** The verifications of a skill, newest first, with the chart of pass rate per version. */
export function VerificationsPanel({ skillId }: { skillId: string }) {
  const list = useApi('listVerifications', { skillId, kind: 'compare' })
  return (
    <div className="card verifications" data-testid="verifications">
      <div className="label">
        Verifications{' '}
        <Link to="/verify/$skillId" params={{ skillId }}>
          Verify…
        </Link>
      </div>
      {list.error ? <ErrorLine error={list.error.message} retry={() => void list.refetch()} /> : null}
      {list.data && !list.data.length ? (
        <div className="muted">
          None yet. Verify runs a version with the skill and without it on fresh variations, graded blind, and says with numbers whether it
          helps.
        </div>
      ) : null}
      {list.data?.length ? (
        <>
          <ul className="list">
            {list.data.map((x) => (
              <li key={x.verification.id}>
                <Link
                  to="/verification/$verificationId"
                  params={{ verificationId: x.verification.id }}
                  data-testid="verification-row"
                  data-stage={x.status.stage}
                >
                  <strong>
                    {x.verification.kind === 'candidates'
                      ? `Candidates: ${(x.verification.candidates ?? []).map((c) => `version ${c.number}`).join(', ') || 'being built'} and no skill`
                      : `Version ${x.verification.version.number} against ${x.verification.against ? `version ${x.verification.against.number}` : 'no skill'}`}
                  </strong>{' '}
                  <span className={`badge state-${x.status.stage}`}>{STAGE_WORDS[x.status.stage]}</span>{' '}
                  <span className="muted">
                    {x.candidates
                      ? x.candidates.suggested === null
                        ? 'no suggestion yet'
                        : `suggested: version ${x.verification.candidates![x.candidates.suggested].number}`
                      : x.report
                        ? `${armName(x, 'with')}: ${fmtRateShort(x.report.arms.with.passRate)} · ${armName(x, 'without')}: ${fmtRateShort(x.report.arms.without.passRate)}`
                        : x.blind
                          ? `graded blind: ${x.blind.graded} of ${x.blind.runs}`
                          : 'no runs yet'}{' '}
                    · {fmtLocalTime(x.verification.createdAt)}
                  </span>
                </Link>
              </li>
            ))}
          </ul>
          <PassRateChart points={chartPoints(list.data)} />
        </>
      ) : null}
    </div>
  )
}

/** The chart of a skill's verifications (the verification page shows it too). */
export function VersionChart({ skillId }: { skillId: string }) {
  const list = useApi('listVerifications', { skillId, kind: 'compare' })
  if (list.error) return <ErrorLine error={list.error.message} retry={() => void list.refetch()} />
  if (!list.data) return <div className="muted">Loading…</div>
  return <PassRateChart points={chartPoints(list.data)} />
}

/** Pass rate per version (x) with 95% intervals as whiskers: the version verified, and the baseline it ran against. */
export function PassRateChart({ points }: { points: ChartPoint[] }) {
  if (!points.length)
    return (
      <div className="muted" data-testid="verify-chart-empty">
        No pairs graded in both arms yet: each version&apos;s pass rate shows here once its runs are graded.
      </div>
    )
  const versions = [...new Set(points.map((p) => p.version))].sort((a, b) => a - b)
  const W = 520
  const H = 220
  const left = 44
  const right = 16
  const top = 12
  const bottom = 30
  const plotW = W - left - right
  const plotH = H - top - bottom
  const x = (version: number) =>
    versions.length === 1 ? left + plotW / 2 : left + 24 + (versions.indexOf(version) / (versions.length - 1)) * (plotW - 48)
  const y = (rate: number) => top + (1 - rate) * plotH
  const shift = { with: 6, without: -6 }
  const series = (arm: 'with' | 'without') => points.filter((p) => p.arm === arm)
  return (
    <figure className="verify-chart" data-testid="verify-chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label="Pass rate per skill version, with 95% intervals">
        {[0, 0.25, 0.5, 0.75, 1].map((t) => (
          <g key={t} className="chart-grid">
            <line x1={left} x2={W - right} y1={y(t)} y2={y(t)} />
            <text x={left - 6} y={y(t) + 4} textAnchor="end">
              {pct(t)}
            </text>
          </g>
        ))}
        {versions.map((ver) => (
          <text key={ver} className="chart-axis" x={x(ver)} y={H - 10} textAnchor="middle">
            v{ver}
          </text>
        ))}
        {(['without', 'with'] as const).map((arm) => {
          const s = series(arm)
          return s.length > 1 ? (
            <polyline
              key={arm}
              className={`chart-line chart-${arm}`}
              points={s.map((p) => `${x(p.version) + shift[arm]},${y(p.rate)}`).join(' ')}
            />
          ) : null
        })}
        {points.map((p) => {
          const cx = x(p.version) + shift[p.arm]
          return (
            <g
              key={`${p.version}-${p.arm}`}
              className={`chart-point chart-${p.arm}`}
              data-testid="chart-point"
              data-version={p.version}
              data-arm={p.arm}
              data-rate={p.rate}
            >
              <title>
                {p.arm === 'with' ? `Version ${p.version}` : `Baseline of version ${p.version} (${p.label})`}: {pct(p.rate)} ({p.passed} of{' '}
                {p.n}), 95% CI {pct(p.low)}–{pct(p.high)}
              </title>
              <line x1={cx} x2={cx} y1={y(p.low)} y2={y(p.high)} />
              <line x1={cx - 3} x2={cx + 3} y1={y(p.low)} y2={y(p.low)} />
              <line x1={cx - 3} x2={cx + 3} y1={y(p.high)} y2={y(p.high)} />
              {p.arm === 'with' ? <circle cx={cx} cy={y(p.rate)} r={4} /> : <rect x={cx - 3.5} y={y(p.rate) - 3.5} width={7} height={7} />}
            </g>
          )
        })}
      </svg>
      <figcaption className="muted small">
        <span className="chart-with">●</span> with the version · <span className="chart-without">■</span> its baseline (no skill, or the
        version it was compared with) · whiskers: 95% intervals · each version&apos;s newest verification with graded pairs
      </figcaption>
    </figure>
  )
}

/** The trace viewer: the conversation as a virtualized timeline of turns. */
import { useVirtualizer } from '@tanstack/react-virtual'
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { Link, useNavigate, useParams } from '@tanstack/react-router'
import type { Trace } from '@shared/trace'
import { SESSION_TIME_TITLE } from '@shared/numbers'
import { useApi, useApiMutation } from '../data/queries'
import { fmtCost, fmtDuration, fmtTime, fmtTokens, shortModel, costTitle, count } from '../lib/format'
import { useShortcut } from '../lib/hotkeys'
import { defaultFilter, flattenRows, isError, matchingRows, nextIndex, traceStats, type Row, type RowFilter } from '../lib/rows'
import { ErrorLine } from './ErrorLine'
import { EventRow } from './EventRow'
import { BadRecord, Boundary } from './Boundary'

/** `#/project/<p>/session/<s>[/line/<n>]`: the trace, with the way back to its project's sessions. */
export function TraceRoute() {
  const { projectId, sessionId } = useParams({ from: '/project/$projectId/session/$sessionId' })
  const { line } = useParams({ strict: false })
  const navigate = useNavigate()
  useShortcut('trace.back', () => void navigate({ to: '/project/$projectId', params: { projectId } }))
  return (
    <>
      <div className="crumbs">
        <Link to="/project/$projectId" params={{ projectId }} activeProps={{}}>
          ← Sessions
        </Link>
      </div>
      <TraceView projectId={projectId} sessionId={sessionId} line={line || undefined} />
    </>
  )
}

export function TraceView({ projectId, sessionId, line }: { projectId: string; sessionId: string; line?: number }) {
  const trace = useApi('getTrace', { sessionId, projectId })
  if (trace.error) return <ErrorLine error={trace.error.message} retry={() => void trace.refetch()} />
  if (!trace.data) return <div className="muted pad">Reading the session…</div>
  return <Timeline trace={trace.data} line={line} />
}

/** Add this past session to a batch, to grade and analyse it like a new run. */
function ImportButton({ sessionId }: { sessionId: string }) {
  const importSessions = useApiMutation('importSessions')
  const navigate = useNavigate()
  return (
    <>
      <button
        data-testid="import-session"
        title="Add this session to a new batch, to grade it and analyse it with others"
        onClick={() =>
          importSessions.mutate(
            { sessions: [{ sessionId }] },
            { onSuccess: (b) => void navigate({ to: '/batch/$batchId', params: { batchId: b.id } }) }
          )
        }
      >
        Add to a batch
      </button>
      {importSessions.error ? <span className="error-text">{importSessions.error.message}</span> : null}
    </>
  )
}

function Timeline({ trace, line }: { trace: Trace; line?: number }) {
  const [open, setOpen] = useState<Set<string>>(new Set())
  const [subOpen, setSubOpen] = useState<Set<string>>(new Set())
  const [filter, setFilter] = useState<RowFilter>(defaultFilter)
  const [find, setFind] = useState('')
  const [cursor, setCursor] = useState(-1)
  const scrollRef = useRef<HTMLDivElement>(null)
  const subs = useMemo(() => new Map(trace.subagents.map((s) => [s.agentId, s])), [trace])
  const rows = useMemo(() => flattenRows(trace, subOpen, filter), [trace, subOpen, filter])
  const matches = useMemo(() => new Set(matchingRows(rows, find)), [rows, find])
  const stats = useMemo(() => traceStats(trace), [trace])

  const virtual = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => 64,
    overscan: 8,
    getItemKey: (i) => rows[i].key
  })

  const toggle = (set: Set<string>, key: string) => {
    const next = new Set(set)
    if (next.has(key)) next.delete(key)
    else next.add(key)
    return next
  }

  const jump = useCallback(
    (pred: (r: Row) => boolean) => {
      const i = nextIndex(rows, cursor, pred)
      if (i >= 0) {
        setCursor(i)
        virtual.scrollToIndex(i, { align: 'start' })
      }
    },
    [rows, cursor, virtual]
  )
  const nextError = useCallback(() => jump((r) => r.type === 'event' && isError(r.event)), [jump])
  // Opened at a line (an analyst's pointer): the step at or after it, in the main conversation.
  useEffect(() => {
    if (!line) return
    const i = rows.findIndex((r) => r.type === 'event' && !r.agentId && r.event.line >= line)
    if (i < 0) return
    setCursor(i)
    requestAnimationFrame(() => virtual.scrollToIndex(i, { align: 'center' }))
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [line, trace])

  useShortcut('trace.next-error', nextError)

  const expandErrors = () => {
    const next = new Set(open)
    rows.forEach((r) => r.type === 'event' && isError(r.event) && next.add(r.key))
    setOpen(next)
  }

  return (
    <section className="trace" data-testid="trace-view" aria-label="Trace">
      <header className="trace-head">
        <div className="stats">
          <span title={trace.file}>{trace.sessionId}</span>
          {trace.fromArchive ? <span className="badge warn">from the archive (original deleted)</span> : null}
          <span>{fmtTime(stats.start)}</span>
          <span data-testid="trace-session-time" title={SESSION_TIME_TITLE}>
            {fmtDuration(stats.durationMs)} session time
          </span>
          <span data-testid="trace-turns">{count(trace.totals.turns, 'turn')}</span>
          <span>{trace.totals.toolCalls} tool calls</span>
          <span className={trace.totals.toolErrors ? 'has-errors' : ''}>{trace.totals.toolErrors} errors</span>
          <span>{trace.models.map(shortModel).join(', ')}</span>
          <span>{fmtTokens(trace.totals.tokens)} tokens</span>
          <span data-testid="trace-cost" data-cost-source={trace.totals.costSource} title={costTitle(trace.totals.costSource)}>
            {fmtCost(trace.totals.costUsd)}
          </span>
          {trace.subagents.length ? <span>{trace.subagents.length} sub-agents</span> : null}
          <ImportButton sessionId={trace.sessionId} />
        </div>
        {trace.warnings.length ? (
          <details className="warnings">
            <summary>
              {trace.warnings.length} warning{trace.warnings.length === 1 ? '' : 's'} while reading
            </summary>
            <ul>
              {trace.warnings.map((w, i) => (
                <li key={i}>
                  line {w.line}: {w.message}
                </li>
              ))}
            </ul>
          </details>
        ) : null}
        <div className="toolbar">
          <label>
            <input type="checkbox" checked={filter.errorsOnly} onChange={(e) => setFilter({ ...filter, errorsOnly: e.target.checked })} />{' '}
            Errors only
          </label>
          <label>
            <input type="checkbox" checked={filter.thinking} onChange={(e) => setFilter({ ...filter, thinking: e.target.checked })} />{' '}
            Thinking
          </label>
          <label>
            <input type="checkbox" checked={filter.meta} onChange={(e) => setFilter({ ...filter, meta: e.target.checked })} /> Bookkeeping
          </label>
          <button onClick={expandErrors} disabled={!stats.errors}>
            Expand all errors
          </button>
          <button onClick={nextError} disabled={!stats.errors} title="Next error (e)">
            Next error (e)
          </button>
          <input
            type="search"
            placeholder="Find in this session"
            value={find}
            onChange={(e) => setFind(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') jump((r) => matches.has(rows.indexOf(r)))
            }}
            aria-label="Find in this session"
          />
          {find ? <span className="muted">{matches.size} found · Enter for next</span> : null}
        </div>
      </header>
      <div className="timeline" ref={scrollRef}>
        <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
          {virtual.getVirtualItems().map((v) => {
            const r = rows[v.index]
            return (
              <div
                key={v.key}
                data-index={v.index}
                ref={virtual.measureElement}
                className={`row depth-${Math.min(r.depth, 4)}${v.index === cursor ? ' cursor' : ''}${r.depth > 0 ? ' nested' : ''}`}
                style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${v.start}px)` }}
              >
                <Boundary
                  resetKeys={[r]}
                  fallback={(error) => <BadRecord error={error} line={r.type === 'event' ? r.event.line : undefined} />}
                >
                  {r.type === 'turn' ? (
                    <div className="turn-head">Turn {r.turn}</div>
                  ) : r.type === 'subagent-start' ? (
                    <div className="subagent-head" data-testid="subagent-transcript" data-agent-id={r.agentId}>
                      Sub-agent {r.agentType ? `(${r.agentType}) ` : ''}
                      {r.description ?? r.agentId}
                    </div>
                  ) : r.type === 'subagent-end' ? (
                    <div className="subagent-end muted">end of sub-agent</div>
                  ) : (
                    <EventRow
                      event={r.event}
                      open={open.has(r.key)}
                      onToggle={() => setOpen((s) => toggle(s, r.key))}
                      subagent={r.event.kind === 'tool_call' && r.event.subagentId ? subs.get(r.event.subagentId) : undefined}
                      subagentOpen={r.event.kind === 'tool_call' && !!r.event.subagentId && subOpen.has(r.event.subagentId)}
                      onToggleSubagent={() =>
                        r.event.kind === 'tool_call' &&
                        r.event.subagentId &&
                        setSubOpen((s) => toggle(s, (r.event as { subagentId: string }).subagentId))
                      }
                      match={matches.has(v.index)}
                    />
                  )}
                </Boundary>
              </div>
            )
          })}
        </div>
        {rows.length === 0 ? <div className="empty">Nothing to show with these filters.</div> : null}
      </div>
    </section>
  )
}

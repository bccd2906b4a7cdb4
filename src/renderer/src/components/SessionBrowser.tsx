/** A project's sessions: sortable, filterable, searchable across full text, pinnable. */
import { useVirtualizer } from '@tanstack/react-virtual'
import { useMemo, useRef, useState } from 'react'
import { useNavigate } from '@tanstack/react-router'
import type { SessionSummary } from '@shared/trace'
import { SESSION_TIME_TITLE } from '@shared/numbers'
import { useApi, useApiMutation } from '../data/queries'
import { fmtBytes, fmtCost, fmtDuration, fmtRelative, fmtTime, fmtTokens, oneLine, shortModel, costTitle } from '../lib/format'
import { useDebounced } from '../lib/hooks'
import { useShortcut } from '../lib/hotkeys'
import { sortSessions, type SortKey } from '../lib/sessions'
import { ErrorLine } from './ErrorLine'
import { SearchHitBody } from './SearchHitBody'

/**
 * Short labels (each says in full what it is when hovered) in columns wide enough for them and their
 * sort arrow. In a narrow table, Started, Size and Agents give way (styles.css: `.table` container).
 */
const COLUMNS: { key: SortKey; label: string; title: string; className: string }[] = [
  { key: 'firstPrompt', label: 'First prompt', title: 'The first prompt of the session', className: 'col-prompt' },
  { key: 'start', label: 'Started', title: 'When the session started', className: 'col-start' },
  { key: 'end', label: 'Ended', title: 'When the session ended (its last record)', className: 'col-end' },
  { key: 'durationMs', label: 'Session time', title: SESSION_TIME_TITLE, className: 'col-duration' },
  {
    key: 'turns',
    label: 'Turns',
    title: "Turns: the model's responses in the main conversation (what --max-turns counts)",
    className: 'num col-turns'
  },
  { key: 'toolCalls', label: 'Tools', title: 'Tool calls, sub-agents included', className: 'num col-tools' },
  { key: 'toolErrors', label: 'Errors', title: 'Tool calls that failed, sub-agents included', className: 'num col-errors' },
  { key: 'models', label: 'Model', title: 'Models used', className: 'col-model' },
  {
    key: 'tokens',
    label: 'Tokens',
    title: 'Tokens: input, output, cache writes and reads, sub-agents included',
    className: 'num col-tokens'
  },
  {
    key: 'costUsd',
    label: 'Cost',
    title: "Cost: Claude Code's figure where it reported one, else estimated from tokens at list prices",
    className: 'num col-cost'
  },
  { key: 'bytes', label: 'Size', title: 'Size of the session file', className: 'num col-size' },
  { key: 'subagents', label: 'Agents', title: 'Sub-agents started', className: 'num col-agents' }
]

export function SessionBrowser({ projectId }: { projectId: string }) {
  // kept current by sessionsChanged (data/cache.ts)
  const sessions = useApi('listSessions', { projectId })
  const pin = useApiMutation('pinSession')
  const importSessions = useApiMutation('importSessions')
  const navigate = useNavigate()
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: 'end', desc: true })
  const [filter, setFilter] = useState('')
  const [query, setQuery] = useState('')
  const debounced = useDebounced(query.trim(), 250)
  const [selected, setSelected] = useState(0)
  const [picked, setPicked] = useState<Set<string>>(new Set())
  const [importError, setImportError] = useState<string | null>(null)
  const searchRef = useRef<HTMLInputElement>(null)
  const listRef = useRef<HTMLDivElement>(null)

  const hits = useApi('searchSessions', debounced ? { projectId, query: debounced } : null)

  const rows = useMemo(() => {
    const q = filter.trim().toLowerCase()
    const list = (sessions.data ?? []).filter(
      (s) => !q || s.firstPrompt.toLowerCase().includes(q) || s.models.some((m) => m.toLowerCase().includes(q)) || s.sessionId.includes(q)
    )
    return sortSessions(list, sort.key, sort.desc)
  }, [sessions.data, filter, sort])

  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => listRef.current, estimateSize: () => 38, overscan: 12 })

  const open = (s: { sessionId: string }) =>
    void navigate({ to: '/project/$projectId/session/$sessionId', params: { projectId, sessionId: s.sessionId } })
  const listing = !debounced
  useShortcut('sessions.search', (e) => {
    e.preventDefault()
    searchRef.current?.focus()
  })
  useShortcut('sessions.clear', () => {
    if (document.activeElement !== searchRef.current) return
    setQuery('')
    searchRef.current?.blur()
  })
  useShortcut(
    'sessions.move',
    (e) => {
      e.preventDefault()
      setSelected((i) => {
        const n = Math.max(0, Math.min(rows.length - 1, i + (e.key === 'ArrowDown' ? 1 : -1)))
        virtual.scrollToIndex(n)
        return n
      })
    },
    { enabled: listing }
  )
  useShortcut('sessions.pick', () => rows[selected] && togglePick(rows[selected].sessionId), { enabled: listing })
  useShortcut('sessions.open', () => rows[selected] && open(rows[selected]), { enabled: listing })

  const togglePin = async (s: SessionSummary) => {
    try {
      await pin.mutateAsync({ sessionId: s.sessionId, pinned: !s.pinned })
    } catch (err) {
      alert((err as Error).message)
    }
  }

  const togglePick = (id: string) =>
    setPicked((p) => {
      const n = new Set(p)
      if (n.has(id)) n.delete(id)
      else n.add(id)
      return n
    })
  const importPicked = async () => {
    setImportError(null)
    try {
      const b = await importSessions.mutateAsync({
        name: `Sessions of ${projectId.split('/').pop()} (${picked.size})`,
        sessions: [...picked].map((sessionId) => ({ sessionId, projectId }))
      })
      void navigate({ to: '/batch/$batchId', params: { batchId: b.id } })
    } catch (err) {
      setImportError((err as Error).message)
    }
  }

  return (
    <section className="browser" aria-label="Sessions">
      <div className="toolbar">
        <input
          ref={searchRef}
          className="search"
          data-testid="session-search"
          type="search"
          placeholder="Search all session text  ( / )"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          aria-label="Search session contents"
        />
        <input
          className="filter"
          placeholder="Filter by prompt or model"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          aria-label="Filter sessions"
        />
        {picked.size ? (
          <span className="picked-bar">
            <button
              className="primary"
              onClick={() => void importPicked()}
              data-testid="import-picked"
              title="A new batch with these sessions as runs, to grade and analyse"
            >
              Add {picked.size} to a batch
            </button>
            <button className="ghost" onClick={() => setPicked(new Set())}>
              Clear
            </button>
            {importError ? <span className="error-text">{importError}</span> : null}
          </span>
        ) : (
          <span className="muted small">Tick sessions (or x) to grade and analyse them as a batch</span>
        )}
        <span className="muted">
          {sessions.data ? `${rows.length} of ${sessions.data.length} sessions` : ''}
          {sessions.isFetching && sessions.data ? ' · refreshing…' : ''}
        </span>
      </div>
      {sessions.error ? <ErrorLine error={sessions.error.message} retry={() => void sessions.refetch()} /> : null}
      {debounced ? (
        <div className="hits" aria-label="Search results">
          {hits.isFetching && !hits.data ? <div className="muted pad">Searching…</div> : null}
          {hits.error ? <ErrorLine error={hits.error.message} retry={() => void hits.refetch()} /> : null}
          {hits.data && hits.data.length === 0 ? <div className="empty">No session contains “{debounced}”.</div> : null}
          {hits.data?.map((h) => (
            <button key={h.sessionId} className="search-hit" data-testid="search-hit" onClick={() => open(h)}>
              <SearchHitBody hit={h}>{oneLine(h.firstPrompt || h.sessionId, 140)}</SearchHitBody>
            </button>
          ))}
        </div>
      ) : (
        <div className="table" role="table" aria-rowcount={rows.length}>
          <div className="tr th" role="row">
            <span className="td col-pick" role="columnheader" aria-label="Pick" />
            {COLUMNS.map((c) => (
              <button
                key={c.key}
                role="columnheader"
                className={`td ${c.className}`}
                title={c.title}
                aria-sort={sort.key === c.key ? (sort.desc ? 'descending' : 'ascending') : 'none'}
                onClick={() => setSort((s) => ({ key: c.key, desc: s.key === c.key ? !s.desc : c.key !== 'firstPrompt' }))}
              >
                {c.label}
                {sort.key === c.key ? (
                  <span className="sort-arrow" aria-hidden="true">
                    {sort.desc ? '▾' : '▴'}
                  </span>
                ) : null}
              </button>
            ))}
            <span className="td col-pin" role="columnheader" title="Keep: a pinned session stays readable after Claude Code deletes it">
              Keep
            </span>
          </div>
          {sessions.isPending ? <div className="muted pad">Reading sessions…</div> : null}
          {sessions.data && sessions.data.length === 0 ? <div className="empty">This project has no sessions.</div> : null}
          <div className="tbody" ref={listRef}>
            <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
              {virtual.getVirtualItems().map((v) => {
                const s = rows[v.index]
                return (
                  <div
                    key={s.sessionId}
                    role="row"
                    data-testid="session-row"
                    data-session-id={s.sessionId}
                    className={`tr${v.index === selected ? ' selected' : ''}`}
                    style={{ position: 'absolute', top: 0, left: 0, right: 0, height: v.size, transform: `translateY(${v.start}px)` }}
                    onClick={() => open(s)}
                    onMouseEnter={() => setSelected(v.index)}
                  >
                    <span className="td col-pick" role="cell" onClick={(e) => e.stopPropagation()}>
                      <input
                        type="checkbox"
                        checked={picked.has(s.sessionId)}
                        onChange={() => togglePick(s.sessionId)}
                        aria-label="Pick this session"
                        data-testid="pick-session"
                      />
                    </span>
                    <span className="td col-prompt" role="cell" title={s.firstPrompt}>
                      {oneLine(s.firstPrompt || '(no prompt)', 160)}
                      {s.missing ? <span className="badge warn">original deleted</span> : null}
                    </span>
                    <span className="td col-start" role="cell" title={fmtTime(s.start)}>
                      {fmtRelative(s.start)}
                    </span>
                    <span className="td col-end" role="cell" title={`${fmtTime(s.start)} → ${fmtTime(s.end)}`}>
                      {fmtRelative(s.end)}
                    </span>
                    <span className="td col-duration" role="cell">
                      {fmtDuration(s.durationMs)}
                    </span>
                    <span
                      className="td num col-turns"
                      role="cell"
                      title={s.prompts !== undefined ? `${s.prompts} prompt${s.prompts === 1 ? '' : 's'} from a person` : undefined}
                    >
                      {s.turns}
                    </span>
                    <span className="td num col-tools" role="cell">
                      {s.toolCalls}
                    </span>
                    <span className={`td num col-errors${s.toolErrors > 0 ? ' has-errors' : ''}`} role="cell">
                      {s.toolErrors}
                    </span>
                    <span className="td col-model" role="cell" title={s.models.join(', ')}>
                      {s.models.map(shortModel).join(', ') || '—'}
                    </span>
                    <span className="td num col-tokens" role="cell">
                      {fmtTokens(s.usage.input + s.usage.output + s.usage.cacheRead + s.usage.cacheCreation)}
                    </span>
                    <span
                      className="td num col-cost"
                      role="cell"
                      data-cost-source={s.costSource ?? 'estimated'}
                      title={costTitle(s.costSource)}
                    >
                      {fmtCost(s.costUsd)}
                    </span>
                    <span className="td num col-size" role="cell" title={`${s.bytes.toLocaleString('en-US')} bytes`}>
                      {fmtBytes(s.bytes)}
                    </span>
                    <span className="td num col-agents" role="cell">
                      {s.subagents || ''}
                    </span>
                    <span className="td col-pin" role="cell">
                      <button
                        className={`pin${s.pinned ? ' on' : ''}`}
                        aria-pressed={s.pinned}
                        title={
                          s.pinned
                            ? 'Pinned: archived in the app, kept after Claude Code deletes it'
                            : 'Pin: keep a copy after Claude Code deletes old sessions'
                        }
                        onClick={(e) => {
                          e.stopPropagation()
                          void togglePin(s)
                        }}
                      >
                        {s.pinned ? '★' : '☆'}
                      </button>
                    </span>
                  </div>
                )
              })}
            </div>
          </div>
        </div>
      )}
    </section>
  )
}

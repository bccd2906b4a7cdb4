/** One row of the trace timeline. */
import { useState } from 'react'
import type { ImageRef, SubagentTrace, ToolResult, TraceEvent } from '@shared/trace'
import { useApi } from '../data/queries'
import { fmtClock, fmtTime, oneLine, timeOf } from '../lib/format'
import { isError, keyArgument } from '../lib/rows'
import { Markdown } from './Markdown'

const RESULT_LINES = 40

export function ImageThumb({ image }: { image: ImageRef }) {
  const img = useApi('getImage', { ref: image })
  const src = img.data?.dataUrl ?? null
  const error = img.error?.message ?? null
  const [big, setBig] = useState(false)
  if (error) return <span className="muted">[image: {error}]</span>
  if (!src) return <span className="thumb loading">{image.mediaType} · loading…</span>
  return (
    <>
      <img className="thumb" src={src} alt="image from the session" onClick={() => setBig(true)} />
      {big ? (
        <div className="overlay" onClick={() => setBig(false)} role="dialog" aria-label="Image">
          <img src={src} alt="image from the session, enlarged" />
        </div>
      ) : null}
    </>
  )
}

function ResultText({ result }: { result: ToolResult }) {
  const [all, setAll] = useState(false)
  const lines = result.text.split('\n')
  const cut = !all && lines.length > RESULT_LINES
  return (
    <div className={`tool-result${result.isError ? ' error' : ''}`} data-testid="tool-result">
      <pre>{cut ? lines.slice(0, RESULT_LINES).join('\n') : result.text || '(empty result)'}</pre>
      {cut ? (
        <button className="ghost" onClick={() => setAll(true)}>
          Show all {lines.length} lines
        </button>
      ) : null}
      {result.images.map((img, i) => (
        <ImageThumb key={i} image={img} />
      ))}
    </div>
  )
}

function Json({ value }: { value: unknown }) {
  return <pre className="json">{JSON.stringify(value, null, 2)}</pre>
}

export interface RowProps {
  event: TraceEvent
  open: boolean
  onToggle: () => void
  subagent?: SubagentTrace
  subagentOpen?: boolean
  onToggleSubagent?: () => void
  match?: boolean
}

export function EventRow({ event: e, open, onToggle, subagent, subagentOpen, onToggleSubagent, match }: RowProps) {
  const cls = `event event-${e.kind}${match ? ' match' : ''}`
  switch (e.kind) {
    case 'user':
      return (
        <div className={`${cls}${e.isMeta ? ' meta-user' : ''}`}>
          <div className="who">{e.isMeta ? 'context' : 'user'}</div>
          <div className="body">
            {e.isMeta ? <pre className="quiet">{oneLine(e.text, 400)}</pre> : <Markdown text={e.text} />}
            {e.images.map((img, i) => (
              <ImageThumb key={i} image={img} />
            ))}
          </div>
          <Time ts={e.ts} />
        </div>
      )
    case 'assistant':
      return (
        <div className={cls}>
          <div className="who">assistant</div>
          <div className="body">
            <Markdown text={e.text} />
          </div>
          <Time ts={e.ts} />
        </div>
      )
    case 'thinking':
      return (
        <div className={cls}>
          <div className="who">thinking</div>
          <div className="body">
            {e.redacted ? (
              <span className="muted">(redacted thinking)</span>
            ) : (
              <details open={open} onToggle={(ev) => (ev.currentTarget.open !== open ? onToggle() : undefined)}>
                <summary>{oneLine(e.text, 140)}</summary>
                <pre className="thinking">{e.text}</pre>
              </details>
            )}
          </div>
          <Time ts={e.ts} />
        </div>
      )
    case 'tool_call': {
      const err = !!e.result?.isError
      return (
        <div
          className={`${cls}${err ? ' is-error' : ''}`}
          data-testid="tool-call"
          data-tool-name={e.name}
          data-error={err ? 'true' : 'false'}
        >
          <div className="who">tool</div>
          <div className="body">
            <button className="tool-head" data-testid="tool-call-toggle" aria-expanded={open} onClick={onToggle}>
              <span className="caret">{open ? '▾' : '▸'}</span>
              <strong>{e.name}</strong> <span className="arg">{oneLine(keyArgument(e.name, e.input), 160)}</span>
              {err ? <span className="badge error">error</span> : e.result ? null : <span className="badge">no result</span>}
            </button>
            {!open && err && e.result ? <div className="error-peek">{oneLine(e.result.text, 200)}</div> : null}
            {open ? (
              <div className="tool-detail">
                <div className="label">Input</div>
                <Json value={e.input} />
                {e.result ? (
                  <>
                    <div className="label">Result {e.result.ts ? <span className="muted">{fmtTime(e.result.ts)}</span> : null}</div>
                    <ResultText result={e.result} />
                  </>
                ) : null}
              </div>
            ) : null}
            {subagent ? (
              <button className="subagent-toggle" data-testid="subagent-toggle" aria-expanded={subagentOpen} onClick={onToggleSubagent}>
                {subagentOpen ? '▾' : '▸'} Sub-agent: {subagent.description ?? subagent.agentId} · {subagent.events.length} events
                {subagent.events.some(isError) ? <span className="badge error">has errors</span> : null}
              </button>
            ) : null}
          </div>
          <Time ts={e.ts} />
        </div>
      )
    }
    case 'tool_result':
      return (
        <div className={`${cls}${e.result.isError ? ' is-error' : ''}`}>
          <div className="who">result</div>
          <div className="body">
            <div className="muted">result for an unseen call {e.toolUseId}</div>
            <ResultText result={e.result} />
          </div>
          <Time ts={e.ts} />
        </div>
      )
    case 'compaction':
      return (
        <div className={cls} role="separator">
          <div className="compaction-line">
            Context compacted{e.trigger ? ` (${e.trigger})` : ''}
            {e.preTokens ? ` · ${e.preTokens.toLocaleString('en-US')} tokens before` : ''}
          </div>
          {e.summary ? (
            <details>
              <summary>Summary the conversation continued from</summary>
              <Markdown text={e.summary} />
            </details>
          ) : null}
        </div>
      )
    case 'summary':
    case 'system':
      return (
        <div className={`${cls} quiet-row`}>
          <div className="who">{e.kind}</div>
          <div className="body">
            <span>{e.kind === 'system' && e.subtype ? `${e.subtype}: ` : ''}</span>
            {oneLine(e.text, 300)}
          </div>
          <Time ts={e.ts} />
        </div>
      )
    case 'malformed':
      return (
        <div className={`${cls} quiet-row is-error`}>
          <div className="who">line {e.line}</div>
          <div className="body">
            <span className="error-text">
              Unreadable line ({e.error}, {e.bytes} bytes):
            </span>{' '}
            <code>{oneLine(e.text, 200)}</code>
          </div>
        </div>
      )
    default:
      return (
        <div className={`${cls} quiet-row`}>
          <div className="who">{e.kind === 'meta' ? 'meta' : 'unknown'}</div>
          <div className="body">
            <button className="ghost" onClick={onToggle} aria-expanded={open}>
              {open ? '▾' : '▸'} {e.recordType}
              {metaDetail(e.raw)}
            </button>
            {open ? <Json value={e.raw} /> : null}
          </div>
          <Time ts={e.ts} />
        </div>
      )
  }
}

/** A word on what a bookkeeping record is (e.g. the attachment's own type). */
function metaDetail(raw: unknown): string {
  if (!raw || typeof raw !== 'object') return ''
  const r = raw as Record<string, unknown>
  const a = r.attachment as Record<string, unknown> | undefined
  if (a && typeof a.type === 'string') return `: ${a.type}`
  if (typeof r.operation === 'string') return `: ${r.operation}`
  if (typeof r.subtype === 'string') return `: ${r.subtype}`
  return ''
}

/** The record's time; a time that is not a date says so (it never throws). */
function Time({ ts }: { ts?: string }) {
  const bad = ts !== undefined && ts !== null && ts !== '' && timeOf(ts) === null
  return (
    <div
      className={bad ? 'time bad-time' : 'time'}
      title={bad ? `this record's time is not a date: ${oneLine(String(ts), 80)}` : undefined}
    >
      {fmtClock(ts)}
    </div>
  )
}

/**
 * Error boundaries: one bad record or one broken view shows as such, and the rest of the app keeps
 * working. A boundary starts over when its `resetKeys` change (another route, another record).
 */
import { Component, type ReactNode } from 'react'
import { oneLine } from '../lib/format'

interface Props {
  fallback: (error: Error) => ReactNode
  resetKeys?: unknown[]
  /** told once per error caught (e.g. to drop the cached data that broke the view) */
  onError?: (error: Error) => void
  children?: ReactNode
}

interface State {
  error: Error | null
}

const changed = (a: unknown[] = [], b: unknown[] = []) => a.length !== b.length || a.some((v, i) => !Object.is(v, b[i]))

export class Boundary extends Component<Props, State> {
  override state: State = { error: null }

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) }
  }

  override componentDidCatch(error: Error): void {
    this.props.onError?.(error)
  }

  override componentDidUpdate(prev: Props, prevState: State): void {
    if (this.state.error && prevState.error && changed(prev.resetKeys, this.props.resetKeys)) this.setState({ error: null })
  }

  override render(): ReactNode {
    return this.state.error ? this.props.fallback(this.state.error) : this.props.children
  }
}

const message = (e: Error) => oneLine(String(e?.message || e), 300) || 'unknown error'

/** A trace record the viewer could not draw: a small, inert row in its place. */
export function BadRecord({ error, line }: { error: Error; line?: number }) {
  return (
    <div className="event quiet-row is-error bad-record" data-testid="bad-record">
      <div className="who">{line ? `line ${line}` : 'record'}</div>
      <div className="body">
        <span className="error-text">This record could not be shown: {message(error)}</span>
      </div>
    </div>
  )
}

/** A view that broke: its error, in place of the view; the sidebar and the navigation keep working. */
export function BadView({ error }: { error: Error }) {
  return (
    <div className="error-line" role="alert" data-testid="bad-view">
      <span>
        This page could not be shown: {message(error)}. Pick another page on the left, or <a href="#/">go to the start</a>.
      </span>
    </div>
  )
}

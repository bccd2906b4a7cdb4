/**
 * A run cited as evidence: a badge into the review deck, at the trace line (`…/line/<n>`) or the
 * output file (`…/file/<path>`) an analyst pointed to. Used by the composer and the analysis page.
 */
import { Link } from '@tanstack/react-router'
import type { Pointer } from '@shared/skills'

/** Where an analyst pointed in run `n` (its first pointer there with a trace line or an output file), as RunBadge's props. */
export function pointerAt(pointers: Pointer[] | undefined, n: number): { line?: number; file?: string } {
  const p = pointers?.find((x) => x.run === n && (x.line || x.file))
  return { line: p?.line, file: p?.file }
}

export function RunBadge({
  batchId,
  n,
  line,
  file,
  testId
}: {
  batchId?: string
  n: number
  line?: number
  file?: string
  testId?: string
}) {
  const title = file ? `Run ${n}: open it in the review deck at ${file}` : `Run ${n}: open it in the review deck`
  if (!batchId)
    return (
      <a className="run-badge" title={title} data-testid={testId}>
        {n}
      </a>
    )
  return line ? (
    <Link
      className="run-badge"
      to="/review/$batchId/$run/line/$line"
      params={{ batchId, run: n, line }}
      title={`Run ${n}: open it in the review deck, at line ${line} of its trace`}
      data-testid={testId}
      activeProps={{}}
    >
      {n}
    </Link>
  ) : file ? (
    <Link
      className="run-badge"
      to="/review/$batchId/$run/file/$"
      params={{ batchId, run: n, _splat: file }}
      title={title}
      data-testid={testId}
      data-file={file}
      activeProps={{}}
    >
      {n}
    </Link>
  ) : (
    <Link className="run-badge" to="/review/$batchId/$run" params={{ batchId, run: n }} title={title} data-testid={testId} activeProps={{}}>
      {n}
    </Link>
  )
}

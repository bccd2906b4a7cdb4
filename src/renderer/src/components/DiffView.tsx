/**
 * A unified diff (as main makes them with `diff`'s createTwoFilesPatch) drawn by react-diff-view:
 * lines added and removed, with both line numbers. File contents are untrusted; they are rendered as
 * React text (never as HTML), so a file full of markup stays inert. A text that is not a diff (main's
 * "identical in version 2 and version 3") is shown as it is.
 */
import { useMemo } from 'react'
import { Diff, Hunk, parseDiff, type FileData } from 'react-diff-view'
import 'react-diff-view/style/index.css'

/**
 * The hunks of a patch, whatever its header says (`===` lines, paths with spaces such as `version 2/
 * SKILL.md`): the header react-diff-view's parser expects is put in front of the first hunk.
 */
export function parsePatch(patch: string): FileData | null {
  const lines = patch.replace(/\r\n?/g, '\n').split('\n')
  const first = lines.findIndex((l) => l.startsWith('@@'))
  if (first < 0) return null
  try {
    const [file] = parseDiff(['diff --git a/file b/file', '--- a/file', '+++ b/file', ...lines.slice(first)].join('\n'))
    return file?.hunks.length ? file : null
  } catch {
    return null
  }
}

export function DiffView({ diff, testId }: { diff: string; testId?: string }) {
  const file = useMemo(() => parsePatch(diff), [diff])
  if (!file) {
    return (
      <pre className="diff-text" data-testid={testId}>
        {diff}
      </pre>
    )
  }
  return (
    <div className="diff-view" data-testid={testId}>
      <Diff viewType="unified" diffType={file.type} hunks={file.hunks}>
        {(hunks) => hunks.map((h) => <Hunk key={h.content} hunk={h} />)}
      </Diff>
    </div>
  )
}

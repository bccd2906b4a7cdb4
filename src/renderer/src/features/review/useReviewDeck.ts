import { useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState } from 'react'
import { useQueryClient } from '@tanstack/react-query'
import { useNavigate, useRouterState, useSearch } from '@tanstack/react-router'
import { type Run } from '@shared/runs'
import { putFeedback } from '../../data/cache'
import { apiKeyPrefix } from '../../data/keys'
import { deckFrom } from '../../lib/deck-from'
import { useApi, useApiMutation } from '../../data/queries'
import { createGradeHistory, type Grade } from '../../lib/grades'
import { typing, useHelp, useShortcut } from '../../lib/hotkeys'
import { createSaver } from '../../lib/saver'
import { gradedByGrader } from '../../components/GraderMark'
import { finished, useBatchRuns, useBlind, verificationOf } from './runs'

/**
 * The run numbers in the address (`#/review/<batch>/<run>/line/<line>`; 0 where there is none), and
 * the output file pointed to (`#/review/<batch>/<run>/file/<path>`; '' where there is none).
 */
function useDeckAddress(): { start: number; line: number; file: string } {
  return useRouterState({
    select: (s) => {
      const p = (s.matches[s.matches.length - 1]?.params ?? {}) as { run?: number; line?: number; _splat?: string }
      return { start: p.run ?? 0, line: p.line ?? 0, file: p._splat ?? '' }
    },
    structuralSharing: true
  })
}
/**
 * The deck's state: the run on screen (from the address, else the first ungraded), each run's grade
 * (kept synchronously, put in the cache and saved in order), undo and redo, moving on, and its keys.
 */
export function useReviewDeck(batchId: string) {
  const { start, line, file } = useDeckAddress()
  const navigate = useNavigate()
  const client = useQueryClient()
  const { loaded, runs } = useBatchRuns(batchId)
  // the same entry as the gallery's and compare's: one request per batch
  const signals = useApi('getSignals', { batchId })
  const saveFeedback = useApiMutation('saveFeedback')
  // the grader's pre-grades still to confirm (a run the person has graded since is left out by main)
  const pregrade = useApi('getPregrade', { batchId })
  const help = useHelp()
  const [view, setView] = useState<'desktop' | 'mobile'>('desktop')
  const [blindSetting, setBlind] = useBlind()
  const verificationId = verificationOf(loaded.data)
  const blind = blindSetting || !!verificationId
  // opened from a skill's evidence badge: the way back leads there, at the rule
  const from = deckFrom(useSearch({ strict: false }).from)
  const fromSkill = useApi('getSkill', from ? { skillId: from.skillId } : null)
  // per run: the save state belongs to the run on screen, never to the one graded before it
  const [saveStates, setSaveStates] = useState<Record<string, string>>({})
  const input = useRef<HTMLInputElement>(null)
  const analyse = useRef<HTMLAnchorElement>(null)
  const [focusAnalyse, setFocusAnalyse] = useState(0)
  const send = useRef(saveFeedback.mutateAsync)
  send.current = saveFeedback.mutateAsync
  const saver = useMemo(
    () =>
      createSaver<Grade>(
        (runId, v) => send.current({ runId, label: v.label, text: v.text }),
        (runId, s, e) => {
          setSaveStates((m) => ({ ...m, [runId]: s === 'error' ? `not saved: ${e}` : s }))
          // main leaves out the pre-grade of a run graded: read again once the grade is saved (an undone one shows again)
          if (s === 'saved') void client.invalidateQueries({ queryKey: apiKeyPrefix('getPregrade', { batchId }) })
        }
      ),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    []
  )
  const gradable = runs.filter(finished)
  const gradableRef = useRef(gradable)
  gradableRef.current = gradable

  // The latest grade per run, updated synchronously: a key pressed right after another must not
  // build on a render that has not happened yet. It is also put in the cache (the gallery, compare
  // and the count read it there) and saved in the background, in order.
  const latest = useRef(new Map<string, Grade>())
  const [, rerender] = useReducer((n: number) => n + 1, 0)
  const gradeOf = (r: Run): Grade => latest.current.get(r.id) ?? { label: r.feedback?.label ?? null, text: r.feedback?.text ?? '' }
  const apply = (runId: string, next: Grade) => {
    latest.current.set(runId, next)
    putFeedback(client, batchId, runId, next)
    rerender()
    void saver.save(runId, next)
  }
  const isGraded = (r: Run) => !!gradeOf(r).label
  /** The grader's pre-grade of a run the person has not graded (as the deck now has it), or undefined. */
  const pendingOf = (r: Run) => (gradeOf(r).label ? undefined : pregrade.data?.grades[r.id])

  // The run on screen, by number. Where the deck opens: the run named in the address, else the first
  // ungraded one (decided once, when the batch is there).
  const [shown, setShown] = useState<number | null>(null)
  useLayoutEffect(() => {
    if (!gradable.length) return
    if (start && start !== shown && gradable.some((r) => r.number === start)) setShown(start)
    else if (shown === null) setShown((gradable.find((r) => !isGraded(r)) ?? gradable[0]).number)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [start, gradable.length > 0])
  const run = gradable.find((r) => r.number === shown) ?? gradable[0]
  const index = run ? gradable.indexOf(run) : -1
  const graded = gradable.filter(isGraded).length
  const pointed = !!line && !!run && run.number === start
  const pointedFile = file && run && run.number === start ? file : ''
  // The run on screen is in the address, so a reload (or a link) comes back to it.
  useEffect(() => {
    if (run && shown !== null && run.number !== start)
      void navigate({ to: '/review/$batchId/$run', params: { batchId, run: run.number }, replace: true })
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [batchId, run?.number, shown])

  // Undo and redo (Ctrl+Z, Ctrl+Shift+Z outside the sentence field): a grade key and the sentence
  // typed after it are one change, ended when the sentence is left.
  const undoable = useMemo(
    () =>
      createGradeHistory((runId) => {
        const r = gradableRef.current.find((x) => x.id === runId)
        return latest.current.get(runId) ?? (r ? { label: r.feedback?.label ?? null, text: r.feedback?.text ?? '' } : undefined)
      }),
    []
  )
  const commit = () => undoable.commit()
  const undo = (redo: boolean) => {
    const change = redo ? undoable.redo() : undoable.undo()
    if (!change) return
    apply(change.runId, redo ? change.after : change.before)
    const r = gradableRef.current.find((x) => x.id === change.runId)
    if (r) setShown(r.number)
  }
  const update = (patch: Partial<Grade>) => {
    if (!run) return
    undoable.begin(run.id)
    apply(run.id, { ...gradeOf(run), ...patch })
  }
  /**
   * Confirm the grader's pre-grade of the run on screen (its reason becomes the sentence, unless one is
   * typed), or flip it (the other label, no sentence put in the person's mouth). Saved as the person's
   * grade like any other (main then leaves the pre-grade out), one change for undo: undone, the run is
   * ungraded again and the grader's pre-grade shows again.
   */
  const confirmPending = (flip: boolean): boolean => {
    if (!run) return false
    const now = gradeOf(run)
    const other = (l: 'good' | 'bad') => (l === 'good' ? 'bad' : 'good')
    // a grade the grader gave on its own (a verification graded by it): confirmed as it is, or flipped
    if (now.label && gradedByGrader(run)) {
      undoable.begin(run.id)
      apply(run.id, flip ? { label: other(now.label), text: '' } : now)
      return true
    }
    const p = pendingOf(run)
    if (!p) return false
    update(flip ? { label: other(p.label), text: now.text } : { label: p.label, text: now.text || p.reason })
    return true
  }
  const move = (d: number) => {
    commit()
    setShown((n) => {
      const list = gradableRef.current
      const i = Math.max(
        0,
        list.findIndex((r) => r.number === n)
      )
      return list[Math.max(0, Math.min(list.length - 1, i + d))]?.number ?? n
    })
  }
  /** The next run without a grade after this one (wrapping); when all are graded, on to the analysis. */
  const nextUngraded = () => {
    commit()
    for (let k = 1; k <= gradable.length; k++) {
      const r = gradable[(index + k) % gradable.length]
      if (!isGraded(r)) return setShown(r.number)
    }
    setShown(gradable[Math.min(index + 1, gradable.length - 1)].number)
    setFocusAnalyse((n) => n + 1)
  }
  useEffect(() => {
    if (focusAnalyse) analyse.current?.focus()
  }, [focusAnalyse])

  /** Compare with a run graded the other way (or the next run when there is none). */
  const compareWith = (r: Run) => {
    const other = gradeOf(r).label === 'good' ? 'bad' : 'good'
    const partner =
      gradable.find((x) => x.id !== r.id && gradeOf(x).label === other) ?? gradable[(gradable.indexOf(r) + 1) % gradable.length]
    if (partner && partner.id !== r.id)
      void navigate({ to: '/compare/$batchId/$a/$b', params: { batchId, a: String(r.number), b: String(partner.number) } })
  }

  const ready = !!run
  useShortcut(
    'deck.grade',
    (e) => {
      e.preventDefault()
      update({ label: e.key.toLowerCase() === 'g' ? 'good' : 'bad' })
      // At once, not after a render: the next key typed belongs to the sentence. (The letter itself
      // is not typed into it: this keydown's default is prevented.)
      input.current?.focus()
    },
    { enabled: ready }
  )
  useShortcut(
    'deck.enter',
    (e) => {
      if (e.target === input.current) {
        // Saving goes on in the background, in order; the next run is shown at once.
        e.preventDefault()
        input.current?.blur()
        nextUngraded()
      } else if (!typing(e) && !(e.target instanceof HTMLElement && e.target.closest('a, button'))) {
        // a run the grader pre-graded: Enter confirms its grade and goes on (walk the deck with one key)
        e.preventDefault()
        if (confirmPending(false)) nextUngraded()
        else input.current?.focus()
      }
    },
    { enabled: ready }
  )
  useShortcut(
    'deck.flip',
    (e) => {
      if (!confirmPending(true)) return
      // the grader was wrong: the sentence is the person's to write (the f is not typed into it)
      e.preventDefault()
      input.current?.focus()
    },
    { enabled: ready }
  )
  useShortcut('deck.leave', (e) => typing(e) && (e.target as HTMLElement).blur(), { enabled: ready })
  useShortcut('deck.move', (e) => move(e.key === 'j' || e.key === 'J' || e.key === 'ArrowRight' ? 1 : -1), { enabled: ready })
  useShortcut('deck.view', (e) => setView(e.key.toLowerCase() === 'd' ? 'desktop' : 'mobile'), { enabled: ready })
  useShortcut('deck.compare', () => run && compareWith(run), { enabled: ready })
  // Ctrl+Z in the sentence field is the field's own text undo
  useShortcut(
    'deck.undo',
    (e) => {
      e.preventDefault()
      undo(false)
    },
    { enabled: ready }
  )
  useShortcut(
    'deck.redo',
    (e) => {
      e.preventDefault()
      undo(true)
    },
    { enabled: ready }
  )

  return {
    analyse,
    blind,
    commit,
    confirmPending,
    nextUngraded,
    pendingOf,
    pregrade,
    compareWith,
    from,
    fromSkill,
    gradable,
    gradeOf,
    graded,
    help,
    index,
    input,
    line,
    loaded,
    pointed,
    pointedFile,
    run,
    saveStates,
    setBlind,
    setView,
    signals,
    undoable,
    update,
    verificationId,
    view
  }
}

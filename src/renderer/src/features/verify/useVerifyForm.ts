/**
 * The verify setup's state: the version, what it is compared against, the variations and repeats, and
 * the run settings (the shared run-settings form; an empty field keeps the learned batch's), read into
 * what the verification would be (asked once the form stops changing) and how it starts.
 */
import { useMemo, useState } from 'react'
import { useNavigate } from '@tanstack/react-router'
import type { RequestInput } from '@shared/contract'
import { parseNumberedList } from '@shared/runs'
import { VerificationSchema, type VerifySettings } from '@shared/verify'
import { useApi, useApiMutation } from '../../data/queries'
import { useDebounced } from '../../lib/hooks'
import { useShortcut } from '../../lib/hotkeys'
import { formDefaults, limitsOf, runSettingsFormSchema } from '../run-settings/schema'
import { useRunSettingsForm } from '../run-settings/useRunSettingsForm'

export type Source = 'fresh' | 'batch' | 'pasted'
export type Grade = 'person' | 'auto' | 'assist'

/** A verification's repeats per arm, bounded by its schema; the run settings may each be left empty. */
const VERIFY_FORM = runSettingsFormSchema({ optional: true, repeats: VerificationSchema.shape.repeats, repeatsLabel: 'Repeats per arm' })
export const REPEATS_LIMITS = limitsOf(VerificationSchema.shape.repeats)
/** Two repeats per arm unless the person says otherwise. */
const VERIFY_DEFAULTS = formDefaults(false, 2)

export function useVerifyForm(skillId: string) {
  const skill = useApi('getSkill', { skillId })
  const access = useApi('getModelAccess', {})
  // the runs it was learned from: the settings a verification starts from (an empty field keeps theirs)
  const learnedId = skill.data?.skill.batchIds[skill.data.skill.batchIds.length - 1]
  const learned = useApi('getBatch', learnedId ? { batchId: learnedId } : null)
  const inherited = learned.data && learned.data.runs.some((r) => !r.imported) ? learned.data.batch.settings : null
  const startVerification = useApiMutation('startVerification')
  const navigate = useNavigate()

  const versions = useMemo(() => (skill.data?.versions ?? []).slice().sort((a, b) => b.number - a.number), [skill.data])
  const [versionPick, setVersionPick] = useState('')
  const [againstPick, setAgainstPick] = useState('none')
  const [source, setSource] = useState<Source>('fresh')
  const [pasteText, setPasteText] = useState('')
  // who grades: the person, blind, or the grader alone with the task's rubric (found through the batch it was learned from)
  const [gradePick, setGrade] = useState<Grade>('person')
  const rubric = useApi('getRubric', learnedId ? { batchId: learnedId } : null)
  const measured = useApi('latestGrader', learnedId && rubric.data ? { batchId: learnedId } : null)
  const autoBlocked = !learnedId
    ? 'The skill was learned from imported sessions, not a task: there is no rubric to grade with.'
    : rubric.error
      ? `The task's rubric could not be read: ${rubric.error.message}`
      : rubric.data === null
        ? "The task has no rubric yet: build it from a graded batch of the task (the batch page's grader panel)."
        : rubric.data === undefined
          ? 'Reading the task’s rubric…'
          : null
  const grade: Grade = autoBlocked ? 'person' : gradePick
  const run = useRunSettingsForm({ schema: VERIFY_FORM, defaults: VERIFY_DEFAULTS, inherited })
  const { values, preset, domains } = run

  const versionId = versions.some((v) => v.id === versionPick) ? versionPick : (versions[0]?.id ?? '')
  const against = againstPick !== versionId && versions.some((v) => v.id === againstPick) ? againstPick : 'none'
  const pasted = useMemo(() => (source === 'pasted' ? parseNumberedList(pasteText) : null), [source, pasteText])

  const problems = [
    ...run.problems,
    pasted && (pasted.errors.length || !pasted.items.length) ? 'Fix the pasted list first (its problems are shown under it).' : '',
    pasted?.items.some((v) => v.nearMiss)
      ? `Take the near misses out of the pasted list (item ${pasted.items.findIndex((v) => v.nearMiss) + 1}): a verification runs only instances of the task.`
      : ''
  ].filter(Boolean)

  const settings: VerifySettings = {
    ...(preset ? { permission: preset } : {}),
    ...(values?.model ? { model: values.model } : {}),
    ...(values?.maxTurns ? { maxTurns: values.maxTurns } : {}),
    ...(values?.concurrency ? { concurrency: values.concurrency } : {}),
    ...(values?.maxBudgetUsd ? { maxBudgetUsd: values.maxBudgetUsd } : {}),
    ...(values?.claudePath ? { claudePath: values.claudePath } : {}),
    ...(preset === 'sandboxed' && domains.domains.length ? { allowedDomains: domains.domains } : {})
  }
  const input: RequestInput<'startVerification'> | null =
    versionId && values && !problems.length
      ? {
          skillId,
          versionId,
          against,
          variations:
            source === 'pasted' ? { source, items: pasted!.items.map(({ difficulty, prompt }) => ({ difficulty, prompt })) } : { source },
          repeats: values.repeats!,
          settings,
          ...(grade !== 'person' ? { grade } : {})
        }
      : null

  // what it would be, asked once the form has stopped changing
  const key = input ? JSON.stringify(input) : ''
  const settled = useDebounced(key, 300)
  const estimate = useApi('estimateVerification', settled ? (JSON.parse(settled) as RequestInput<'estimateVerification'>) : null, {
    keepPrevious: true
  })
  const estimating = settled !== key || estimate.isFetching

  // a version with flagged texts (a command, a URL, text copied from a run) is installed only once the person ticked that they read them
  const [acceptFlagged, setAcceptFlagged] = useState(false)
  const flagged = !!estimate.data?.warnings.some((w) => w.kind === 'flagged')
  const canStart =
    !!input &&
    !startVerification.isPending &&
    !!run.usable?.available &&
    !run.claude.bad &&
    (!learnedId || !!learned.data || !!learned.error) &&
    (!flagged || acceptFlagged)
  const start = () => {
    if (!canStart || !input) return
    startVerification.mutate(flagged ? { ...input, acceptFlagged } : input, {
      onSuccess: (view) => void navigate({ to: '/verification/$verificationId', params: { verificationId: view.verification.id } })
    })
  }
  useShortcut('verify.start', (e) => {
    e.preventDefault()
    start()
  })

  return {
    skill,
    access,
    inherited,
    versions,
    versionId,
    setVersionPick,
    against,
    setAgainstPick,
    source,
    setSource,
    pasteText,
    setPasteText,
    grade,
    setGrade,
    autoBlocked,
    rubric,
    measured,
    pasted,
    run,
    problems,
    input,
    estimate,
    estimating,
    flagged,
    acceptFlagged,
    setAcceptFlagged,
    canStart,
    start,
    startVerification
  }
}

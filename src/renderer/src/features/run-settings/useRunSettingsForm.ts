/**
 * The run-settings form's state (batch and verify): react-hook-form with the zod resolver over the
 * schema of schema.ts, what it reads as right now, the preset in effect (the one picked, else the
 * learned batch's where it works here, else this machine's default) and the `claude` check.
 */
import { useMemo } from 'react'
import { useForm, useWatch } from 'react-hook-form'
import { zodResolver } from '@hookform/resolvers/zod'
import { parseDomains, type RunSettings } from '@shared/runs'
import { useApi } from '../../data/queries'
import { useDebounced } from '../../lib/hooks'
import type { RunSettingsFormSchema, RunSettingsInput, RunSettingsOutput } from './schema'

/** How long the claude binary field must stay unchanged before it is checked. */
export const CLAUDE_CHECK_DELAY_MS = 400

export function useRunSettingsForm(opts: {
  schema: RunSettingsFormSchema
  defaults: RunSettingsInput
  /** the settings of the runs a verification was learned from (an empty field keeps theirs) */
  inherited?: RunSettings | null
}) {
  const { schema, inherited } = opts
  const form = useForm<RunSettingsInput, unknown, RunSettingsOutput>({
    resolver: zodResolver(schema),
    defaultValues: opts.defaults,
    mode: 'onChange'
  })
  const watched = useWatch({ control: form.control })
  const input = { ...opts.defaults, ...watched } as RunSettingsInput
  const key = JSON.stringify(input)
  // what the form reads as now, by the resolver's own schema (for the estimate, before any submit)
  // eslint-disable-next-line react-hooks/exhaustive-deps -- keyed on the values, not on the new object each render
  const read = useMemo(() => schema.safeParse(input), [schema, key])
  const fieldProblems = read.success ? [] : [...new Set(read.error.issues.map((i) => i.message))]

  const pre = useApi('checkSandbox', {})
  const learnedPreset = inherited && pre.data?.presets[inherited.permission].available ? inherited.permission : null
  const preset = input.permission ?? learnedPreset ?? pre.data?.defaultPreset ?? null
  const usable = preset && pre.data ? pre.data.presets[preset] : null
  const domains = useMemo(() => parseDomains(input.domainsText), [input.domainsText])
  const domainProblem = preset === 'sandboxed' && domains.errors.length ? domains.errors[0] : null

  // the claude binary runs are started with: checked (a process is started) once the field has settled
  const path = input.claudePath.trim() || inherited?.claudePath || ''
  const settledPath = useDebounced(path, CLAUDE_CHECK_DELAY_MS)
  const settled = settledPath === path
  const check = useApi('checkClaude', { path: settledPath || undefined })

  return {
    form,
    /** the form as typed */
    input,
    /** the form read by its schema; null while a field is not valid */
    values: read.success ? read.data : null,
    /** each field's problem, in the words the person reads */
    fieldProblems,
    /** the first host that is not one, when sandboxed */
    domainProblem,
    problems: domainProblem ? [...fieldProblems, domainProblem] : fieldProblems,
    pre,
    /** picked by the person (null: not yet) */
    picked: input.permission,
    learnedPreset,
    preset,
    usable,
    domains,
    claude: { settled, check, bad: settled && !!check.data && !check.data.ok }
  }
}
export type RunSettingsForm = ReturnType<typeof useRunSettingsForm>

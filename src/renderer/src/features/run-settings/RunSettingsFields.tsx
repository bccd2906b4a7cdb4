/**
 * The run settings, as the batch form and the verify form both ask them: the model, runs at once, max
 * turns, the spending cap, the `claude` binary and the permissions. Their bounds are the schema's
 * (schema.ts); `prefix` names the test ids (`claude-path`, `presets`... or `verify-claude-path`...).
 */
import type { ReactNode } from 'react'
import { MODELS, modelLabel } from '@shared/models'
import type { PermissionPreset } from '@shared/runs'
import { PresetChoice } from './RunPermissions'
import { LIMITS, type Limits, type RunSettingsInput } from './schema'
import type { RunSettingsForm } from './useRunSettingsForm'

/** The models on offer (src/shared/models.ts), for an <input list={id}>. */
export function ModelOptions({ id }: { id: string }) {
  return (
    <datalist id={id}>
      {MODELS.map((m) => (
        <option key={m.id} value={m.id}>
          {modelLabel(m)}
        </option>
      ))}
    </datalist>
  )
}

type NumberName = 'maxTurns' | 'concurrency' | 'repeats' | 'maxBudgetUsd'

/** A number field of the form, its min and max from the schema. */
export function NumberField(props: {
  s: RunSettingsForm
  name: NumberName
  label: string
  limits?: Limits
  testId?: string
  placeholder?: string
  step?: string
}) {
  const { s, name } = props
  const l = props.limits ?? LIMITS[name]
  return (
    <label>
      {props.label}{' '}
      <input
        type="number"
        min={l.min}
        max={l.exclusive ? undefined : l.max}
        step={props.step}
        {...s.form.register(name)}
        placeholder={props.placeholder}
        aria-label={props.label}
        aria-invalid={s.form.formState.errors[name] ? true : undefined}
        data-testid={props.testId}
      />
    </label>
  )
}

export function RunSettingsFields(props: {
  s: RunSettingsForm
  /** '' (the batch form) or 'verify-' */
  prefix: '' | 'verify-'
  placeholders: Partial<Record<keyof RunSettingsInput, string>>
  /** fields after "Runs at once" (the batch's repeats) */
  children?: ReactNode
  /** beside a preset's name, e.g. " (default here)" */
  noteFor: (p: PermissionPreset) => string
  domainsPlaceholder: string
  /** offer the opt-in to the user's own Claude Code settings */
  offerMine?: boolean
}) {
  const { s, prefix, placeholders: ph } = props
  const { register, setValue } = s.form
  const id = (name: string) => (prefix ? `${prefix}${name}` : undefined)
  const listId = prefix ? `${prefix}models` : 'run-models'
  return (
    <>
      <div className="grid-form">
        <label>
          Model <input {...register('model')} placeholder={ph.model} list={listId} aria-label="Run model" data-testid={id('model')} />
          <ModelOptions id={listId} />
        </label>
        <NumberField s={s} name="concurrency" label="Runs at once" placeholder={ph.concurrency} testId={id('concurrency')} />
        {props.children}
        <NumberField s={s} name="maxTurns" label="Max turns" placeholder={ph.maxTurns} testId={id('turns')} />
        <NumberField
          s={s}
          name="maxBudgetUsd"
          label="Spending cap per run ($)"
          step="0.5"
          placeholder={ph.maxBudgetUsd}
          testId={id('budget')}
        />
        <label>
          claude binary{' '}
          <input {...register('claudePath')} placeholder={ph.claudePath} aria-label="claude binary" data-testid={`${prefix}claude-path`} />
        </label>
      </div>
      <PresetChoice
        prefix={prefix}
        preset={s.preset}
        pick={(p) => setValue('permission', p, { shouldValidate: true })}
        pre={s.pre}
        noteFor={props.noteFor}
        usable={s.usable}
        domainsText={s.input.domainsText}
        setDomainsText={(text) => setValue('domainsText', text, { shouldValidate: true })}
        domainErrors={s.domains.errors}
        domainsPlaceholder={props.domainsPlaceholder}
        mine={
          props.offerMine
            ? { on: s.input.useMyClaudeSettings, set: (on) => setValue('useMyClaudeSettings', on, { shouldValidate: true }) }
            : undefined
        }
      />
    </>
  )
}

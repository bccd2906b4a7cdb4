/**
 * What runs may do and whether they can run here, as the batch form and the verify form both ask it:
 * the permission presets (with the hosts sandboxed runs may reach, a warning for Full access, and a way
 * out when a preset cannot work here), the `claude` check and the preset line. `prefix` names their
 * test ids (`presets`, `preset-sandboxed`... or `verify-presets`...).
 */
import type { ReactNode } from 'react'
import type { UseQueryResult } from '@tanstack/react-query'
import type { RequestOutput } from '@shared/contract'
import {
  DEFAULT_TOOLS,
  describePreset,
  PERMISSION_PRESETS,
  PRESET_LABELS,
  type PermissionPreflight,
  type PermissionPreset,
  type PresetAvailability
} from '@shared/runs'

export const PRESET_HELP: Record<PermissionPreset, string> = {
  sandboxed:
    "Claude Code's sandbox: Bash writes only inside the run's folder and reaches only the hosts you allow (none by default); file edits stay inside the run's folder.",
  'accept-edits': `no sandbox; runs may edit files and use ${DEFAULT_TOOLS.join(', ')} without asking, with your user's access to files and network.`,
  'full-access': 'no permission checks at all (bypassPermissions).'
}

type Preflight = Pick<UseQueryResult<PermissionPreflight, Error>, 'data' | 'error'>

export function PresetChoice(props: {
  prefix: string
  preset: PermissionPreset | null
  pick: (p: PermissionPreset) => void
  pre: Preflight
  /** beside a preset's name, e.g. " (default here)" */
  noteFor: (p: PermissionPreset) => string
  usable: PresetAvailability | null
  domainsText: string
  setDomainsText: (text: string) => void
  domainErrors: string[]
  domainsPlaceholder: string
}) {
  const { prefix, preset, pre, usable } = props
  return (
    <>
      <fieldset className="presets" data-testid={`${prefix}presets`}>
        <legend>Permissions</legend>
        {PERMISSION_PRESETS.map((p) => (
          <label className="check" key={p}>
            <input
              type="radio"
              name={`${prefix}preset`}
              data-testid={`${prefix}preset-${p}`}
              checked={preset === p}
              disabled={!pre.data}
              onChange={() => props.pick(p)}
            />
            <span>
              <strong>{PRESET_LABELS[p]}</strong>
              {props.noteFor(p)}: {PRESET_HELP[p]}
              {pre.data && !pre.data.presets[p].available ? (
                <span className="error-text" data-testid={`${prefix}preset-why-${p}`}>
                  {' '}
                  Not available here: {pre.data.presets[p].reason ?? 'the check gave no reason'}.
                </span>
              ) : null}
            </span>
          </label>
        ))}
      </fieldset>
      {preset === 'sandboxed' ? (
        <label>
          Hosts runs may reach (none by default; e.g. registry.npmjs.org, *.example.com, localhost:8080)
          <input
            data-testid={`${prefix}allowed-domains`}
            value={props.domainsText}
            onChange={(e) => props.setDomainsText(e.target.value)}
            placeholder={props.domainsPlaceholder}
            aria-label="Allowed hosts"
          />
          {props.domainErrors.map((e) => (
            <div key={e} className="error-text">
              {e}
            </div>
          ))}
        </label>
      ) : null}
      {preset === 'full-access' ? (
        <div className="notice notice-warning inline">
          Full access lets every run execute any command without asking, in its workspace and beyond it, with your files and network.
          Adversarial variations are written to break the agent: use it only on a machine or container you can throw away.
        </div>
      ) : null}
      {preset && usable && !usable.available ? (
        <div className="notice notice-warning inline" data-testid={`${prefix}preset-unavailable`}>
          <div>
            <strong>{PRESET_LABELS[preset]} is not available here:</strong> {usable.reason}.
            {preset === 'sandboxed' ? (
              <div className="row-form">
                <button data-testid={`${prefix}use-accept-edits`} onClick={() => props.pick('accept-edits')}>
                  Run with Accept edits instead (no sandbox)
                </button>
              </div>
            ) : null}
          </div>
        </div>
      ) : null}
    </>
  )
}

/** Whether `claude` can be run: checking, the version found, or why not and how to install it. */
export function ClaudeCheckLine(props: {
  testId: string
  /** the path typed has settled (it is checked only then) */
  settled: boolean
  check: Pick<UseQueryResult<RequestOutput<'checkClaude'>, Error>, 'data' | 'error' | 'isFetching'>
}) {
  const { check } = props
  return (
    <div data-testid={props.testId}>
      {!props.settled || check.isFetching ? (
        'Checking claude…'
      ) : check.error ? (
        <span className="error-text">✗ Could not check claude: {check.error.message}</span>
      ) : check.data?.ok ? (
        `✓ ${check.data.version}`
      ) : check.data ? (
        <span className="error-text">
          ✗ {check.data.error}. {check.data.install}
        </span>
      ) : null}
    </div>
  )
}

/** The chosen preset in one line, ✓ where it works here, then `after`. */
export function PresetLine(props: {
  testId?: string
  pre: Preflight
  preset: PermissionPreset | null
  usable: PresetAvailability | null
  domains: string[]
  after?: ReactNode
}) {
  const { pre, preset } = props
  return (
    <div data-testid={props.testId}>
      {pre.error ? (
        <span className="error-text">Could not check the sandbox: {pre.error.message}</span>
      ) : !preset || !pre.data ? (
        'Checking the sandbox…'
      ) : (
        <>
          {props.usable?.available ? '✓' : '✗'} {describePreset({ permission: preset, allowedDomains: props.domains })}.
          {props.after ? <> {props.after}</> : null}
        </>
      )}
    </div>
  )
}

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
  type PresetAvailability,
  type TemplateInspection
} from '@shared/runs'

export const PRESET_HELP: Record<PermissionPreset, string> = {
  sandboxed:
    "Claude Code's sandbox: Bash writes only inside the run's folder and reaches only the hosts you allow (none by default); file edits stay inside the run's folder.",
  'accept-edits': `no sandbox; runs may edit files and use ${DEFAULT_TOOLS.join(', ')} without asking, with your user's access to files and network.`,
  'full-access': 'no permission checks at all (bypassPermissions).'
}

/** What no preset confines, and what every run is denied all the same (src/main/agents/claude-code/isolation.ts). */
export const READS_NOTE =
  'No preset confines reads: a run can read any file your user can, except what trace2skill denies every run: ~/.ssh, ~/.gnupg, ~/.aws, ~/.azure, ~/.config/gcloud, ~/.kube, ~/.docker/config.json, ~/.netrc, ~/.npmrc, ~/.git-credentials, ~/.config/gh and other credential files, Claude Code’s login and your other sessions (its config folder), and trace2skill’s data folder (other runs and batches). Under Sandboxed neither Bash nor Claude Code’s tools can read them; under Accept edits and Full access only the tools are denied, Bash is not. Each run gets a minimal environment (not the app’s variables) and a temporary folder of its own.'

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
  /** the batch's opt-in to the user's own Claude Code settings (absent: not offered) */
  mine?: { on: boolean; set: (on: boolean) => void }
}) {
  const { prefix, preset, pre, usable, mine } = props
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
      <p className="muted" data-testid={`${prefix}reads-note`}>
        {READS_NOTE}
      </p>
      {mine ? (
        <label className="check">
          <input
            type="checkbox"
            data-testid={`${prefix}my-claude-settings`}
            checked={mine.on}
            onChange={(e) => mine.set(e.target.checked)}
          />
          <span>
            <strong>Use my Claude Code settings (hooks, allow rules, MCP servers)</strong>: off, runs load only the app’s settings. On, your
            hooks and MCP servers run outside the sandbox with your user’s access, and your allow rules let runs do what they allow. A
            template’s own settings never load.
          </span>
        </label>
      ) : null}
      {mine?.on ? (
        <div className="notice notice-warning inline" data-testid={`${prefix}my-claude-settings-on`}>
          Runs of this batch load your own Claude Code settings: every hook runs outside the sandbox, on every run, with your files and
          network; a run can write the scripts a hook calls (the lint script in its package.json, say).
        </div>
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

/**
 * What a task's template brings for Claude Code, before the first run: its settings and MCP servers
 * (never loaded in a run) and its skills, agents, commands and CLAUDE.md (loaded as any project's).
 */
export function TemplateClaudeFiles(props: {
  testId: string
  inspection: Pick<UseQueryResult<TemplateInspection | null, Error>, 'data' | 'error'>
}) {
  const { data, error } = props.inspection
  if (error) return <div className="error-text">Could not read the template folder: {error.message}</div>
  if (!data?.entries.length) return null
  const blocked = data.entries.filter((e) => !e.loaded)
  return (
    <div data-testid={props.testId}>
      The template’s Claude Code files
      {blocked.length ? ' (its settings and MCP servers never load in a run: hooks would run outside the sandbox)' : ''}:
      <ul className="template-claude">
        {data.entries.map((e) => (
          <li key={e.path}>
            <code>{e.path}</code>
            {e.detail ? ` (${e.detail})` : ''}: {e.loaded ? 'loaded' : <strong>not loaded</strong>}
          </li>
        ))}
      </ul>
    </div>
  )
}

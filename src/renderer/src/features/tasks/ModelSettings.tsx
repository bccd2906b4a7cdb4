/** Where variations are written from: the API key's source and the API base URL. */
import { useState } from 'react'
import { useApiMutation } from '../../data/queries'
import { ErrorLine } from '../../components/ErrorLine'

export function ModelSettings({ baseUrl, source }: { baseUrl: string | null; source: string | null }) {
  const [value, setValue] = useState<string | null>(null)
  const setBaseUrl = useApiMutation('setBaseUrl')
  const save = (v: string | null) => setBaseUrl.mutate({ baseUrl: v }, { onSuccess: () => setValue(null) })
  return (
    <details className="model-settings">
      <summary className="muted">
        Model access:{' '}
        {source
          ? `API key from ${source === 'env' ? 'ANTHROPIC_API_KEY' : source === 'keychain' ? 'the OS keychain' : 'this session'}`
          : 'no API key'}
        {baseUrl ? ` · ${baseUrl}` : ''}
      </summary>
      <div className="row-form">
        <input
          value={value ?? baseUrl ?? ''}
          onChange={(e) => setValue(e.target.value)}
          placeholder="https://api.anthropic.com (default)"
          aria-label="API base URL"
        />
        <button onClick={() => save((value ?? baseUrl ?? '').trim() || null)}>Set base URL</button>
        {baseUrl ? (
          <button className="ghost" onClick={() => save(null)}>
            Default
          </button>
        ) : null}
      </div>
      {setBaseUrl.error ? <ErrorLine error={setBaseUrl.error.message} /> : null}
    </details>
  )
}

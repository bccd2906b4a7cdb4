/**
 * Model access for the runs domain (variations) and the analysts: the API key and base URL, the
 * environment first, then a pasted key kept by a SecretStore. Electron-free.
 */
import { fail, type ModelAccessInfo } from '../../shared/contract'
import type { Store } from '../store/store'
import type { ModelAccess } from './variations'

/** Where a pasted API key is kept: the OS keychain in Electron; memory only elsewhere. */
export interface SecretStore {
  persistent: boolean
  get(): Promise<string | null>
  set(key: string): Promise<void>
}

export function memorySecrets(): SecretStore {
  let key: string | null = null
  return { persistent: false, get: async () => key, set: async (k) => void (key = k) }
}

/** The API key and base URL for model calls: the environment first, then a pasted key. */
export function createModelAccess(store: Store, secrets: SecretStore, env: NodeJS.ProcessEnv) {
  const ctx = { secrets, env }
  const access = async (): Promise<ModelAccessInfo & { key: string | null }> => {
    const envKey = ctx.env.ANTHROPIC_API_KEY || null
    const saved = envKey ? null : await ctx.secrets.get()
    const key = envKey ?? saved
    return {
      hasKey: !!key,
      source: envKey ? 'env' : saved ? (ctx.secrets.persistent ? 'keychain' : 'session') : null,
      baseUrl: store.index.settings().baseUrl ?? ctx.env.ANTHROPIC_BASE_URL ?? null,
      canStoreKey: ctx.secrets.persistent,
      key
    }
  }
  const modelAccess = async (): Promise<ModelAccess> => {
    const a = await access()
    if (!a.key)
      throw fail(
        'No Anthropic API key: set ANTHROPIC_API_KEY or paste a key on a task page (variations can also be pasted as a numbered list, and analysts can run through your Claude Code login).',
        'no-api-key'
      )
    return { apiKey: a.key, baseURL: a.baseUrl ?? undefined }
  }
  /** what the UI may know: never the key itself */
  const publicAccess = async (): Promise<ModelAccessInfo> => {
    const { key: _key, ...info } = await access()
    void _key
    return info
  }
  return { access, modelAccess, publicAccess }
}

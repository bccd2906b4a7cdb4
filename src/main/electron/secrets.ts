/** A pasted API key kept encrypted with the OS keychain (Electron safeStorage), in the data dir. */
import { safeStorage } from 'electron'
import { readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { SecretStore } from '../app/runs-handlers'
import { memorySecrets } from '../app/runs-handlers'

export function keychainSecrets(dataDir: string): SecretStore {
  if (!safeStorage.isEncryptionAvailable()) return memorySecrets()
  const file = join(dataDir, 'api-key.bin')
  return {
    persistent: true,
    async get() {
      try {
        return safeStorage.decryptString(await readFile(file))
      } catch {
        return null
      }
    },
    async set(key) {
      await writeFile(`${file}.tmp`, safeStorage.encryptString(key), { mode: 0o600 })
      await rename(`${file}.tmp`, file)
    }
  }
}

import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import react from '@vitejs/plugin-react'

export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        // index: the Electron shell. cli: the same core, headless (CLI and `web` mode). No electron in cli.
        input: {
          index: resolve('src/main/index.ts'),
          cli: resolve('src/main/cli/index.ts'),
          'summary-worker': resolve('src/main/traces/summary-worker.ts'),
          'image-worker': resolve('src/main/analysts/image-worker.ts')
        }
      }
    }
  },
  preload: {
    // A sandboxed preload must be one CommonJS file with everything bundled in.
    build: {
      externalizeDeps: false,
      isolatedEntries: true,
      rollupOptions: { input: { index: resolve('src/preload/index.ts') }, output: { format: 'cjs' } }
    }
  },
  renderer: {
    root: 'src/renderer',
    resolve: { alias: { '@shared': resolve('src/shared') } },
    build: { rollupOptions: { input: { index: resolve('src/renderer/index.html') } } },
    plugins: [react()]
  }
})

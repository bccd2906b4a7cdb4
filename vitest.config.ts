import { resolve } from 'node:path'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  // the renderer's own alias (electron.vite.config.ts), for its component tests
  resolve: { alias: { '@shared': resolve('src/shared') } },
  test: {
    // *.test.tsx: renderer component tests, each in jsdom (`// @vitest-environment jsdom`)
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // The real claude CLI runs in several suites; two cores.
    maxWorkers: 2,
    reporters: ['default']
  }
})

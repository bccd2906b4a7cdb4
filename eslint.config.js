// Lint (run by `npm test`): typescript-eslint's recommended rules and the rules of hooks; formatting is Prettier's job.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import reactHooks from 'eslint-plugin-react-hooks'
import prettier from 'eslint-config-prettier'
import globals from 'globals'

export default tseslint.config(
  { ignores: ['out/', 'node_modules/', '.bench/', '.tmp/', 'test-results/', 'playwright-report/', 'test/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // we match control characters on purpose: to refuse them in ids, names and paths
      'no-control-regex': 'off'
    }
  },
  // the rules of hooks; not the React Compiler's rules (we do not use the compiler, and its "latest value in a ref" rule forbids a pattern we rely on)
  {
    files: ['src/renderer/**/*.{ts,tsx}', 'test/renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' }
  },
  prettier
)

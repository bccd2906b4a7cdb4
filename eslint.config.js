// Lint (run by `npm test`): typescript-eslint's recommended rules and the rules of hooks; formatting is Prettier's job.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import reactHooks from 'eslint-plugin-react-hooks'
import prettier from 'eslint-config-prettier'
import globals from 'globals'

/**
 * The main process's layers, bottom first (README, Architecture): a folder imports only folders of the
 * layers below its own, never one beside or above it, so no folder cycles either. `src/shared` is below
 * them all and imports nothing of main's; only the Electron shell (src/main/electron, src/main/index.ts)
 * imports electron.
 */
const LAYERS = [
  ['base'],
  ['log'],
  ['store'],
  ['operations'],
  ['traces'],
  // an agent's driver and a place to run know nothing of each other: the runner joins them
  ['agents', 'backends'],
  ['runs'],
  ['skills'],
  ['analysts'],
  // a rubric and a grader learned from the person's sentences (verify may use the grader)
  ['grading'],
  ['review', 'verify', 'triggers'],
  ['app'],
  ['web', 'electron'],
  ['cli']
]
const ELECTRON = { name: 'electron', message: 'Only the Electron shell (src/main/electron, src/main/index.ts) imports electron.' }
const layerRules = LAYERS.flatMap((layer, i) =>
  layer.map((folder) => {
    const banned = LAYERS.slice(i + 1)
      .flat()
      .concat(layer.filter((f) => f !== folder))
    return {
      files: [`src/main/${folder}/**/*.ts`],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            paths: folder === 'electron' ? [] : [ELECTRON],
            patterns: banned.map((f) => ({
              // from the folder itself and from folders inside it (agents/claude-code/)
              group: [`../${f}/*`, `../../${f}/*`, `../../../${f}/*`, `../../main/${f}/*`],
              message: `src/main/${folder} may not import src/main/${f} (a layer above or beside it; see LAYERS in eslint.config.js).`
            }))
          }
        ]
      }
    }
  })
)

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
  ...layerRules,
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [ELECTRON], patterns: [{ group: ['../main/*', '../../main/*'], message: 'src/shared imports nothing of src/main.' }] }
      ]
    }
  },
  prettier
)

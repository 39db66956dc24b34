// @ts-check
/**
 * Lint with type information. The rules that catch real bugs here (a promise nobody awaits, an
 * async callback where a sync one is expected, a switch that forgets a new union member) plus the
 * layering of docs/ARCHITECTURE.md, enforced in the editor as well as by
 * test/unit/architecture/import-direction.test.ts. Formatting is Prettier's job, not ESLint's.
 */
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const NODE_AND_IO = [
  { group: ['node:*'], message: 'shared/ runs in the browser too: no Node built-ins (do the I/O in main/).' },
  { group: ['dockerode', 'conf', '@napi-rs/*', 'electron', '@kubernetes/*'], message: 'shared/ is pure: no I/O libraries (do the I/O in main/).' },
];
const layer = (/** @type {string} */ name, /** @type {string[]} */ areas) => ({
  group: areas.flatMap((a) => [`**/${a}/*`, `**/${a}`]),
  message: `${name} must not import ${areas.join(', ')} (imports point one way: see docs/ARCHITECTURE.md).`,
});

export default tseslint.config(
  { ignores: ['dist/', 'release/', 'coverage/', 'test-results/', 'node_modules/', '.tmp/', 'docs/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['src/renderer/**/*.tsx', 'src/renderer/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  {
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.json', './tsconfig.web.json', './tsconfig.browser-tests.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: true }],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // import('…') types stay allowed: tests type modules they import only after vi.mock.
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-control-regex': 'off',
      // A let read by a closure before its one assignment (wiring that refers to itself) stays a let.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    files: ['src/shared/**'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [...NODE_AND_IO, layer('shared/', ['main', 'cli', 'renderer', 'preload'])] }] },
  },
  {
    files: ['src/main/**'],
    ignores: ['src/main/electron/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'Only src/main/electron/ imports electron: main/ runs in plain Node (serve, CLI, tests).' }],
          patterns: [layer('main/', ['cli', 'renderer', 'preload'])],
        },
      ],
    },
  },
  {
    files: ['src/main/electron/**'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [layer('main/electron/', ['cli', 'renderer', 'preload'])] }] },
  },
  {
    files: ['src/cli/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The CLI runs in plain Node: never import electron.' }],
          patterns: [layer('cli/', ['renderer', 'preload', 'electron'])],
        },
      ],
    },
  },
  {
    files: ['src/renderer/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer talks only through the contract (window.runnerTray or the HTTP bridge).' }],
          patterns: [
            { group: ['node:*'], message: 'The renderer runs in a sandboxed page: no Node built-ins.' },
            layer('renderer/', ['main', 'cli', 'preload']),
          ],
        },
      ],
    },
  },
  {
    files: ['src/preload/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: ['node:*'], message: 'The preload runs sandboxed: only electron.' }, layer('preload/', ['main', 'cli', 'renderer'])] },
      ],
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
  {
    // Tests may do what production code may not (cast, stub a listener, leave a catch empty).
    files: ['test/**', 'bench/**', 'scripts/**'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);

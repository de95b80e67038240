import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const banned = (name, message) => ({ selector: `MemberExpression[object.name='${name.split('.')[0]}'][property.name='${name.split('.')[1]}']`, message });

export default tseslint.config(
  // examples/angular is linted like the rest (its TypeScript and e2e scripts); its build output is not.
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'examples/angular/dist/**', 'examples/angular/.angular/**', 'examples/angular/e2e/artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', 'spec/**/*.ts', 'bench/**', 'examples/**', 'scripts/**', 'src/testing/**', 'src/stores/jsonl/**', 'src/stores/redis/**'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // The browser suite runs in Node and hands functions to the page (page.evaluate, addInitScript).
    files: ['examples/angular/e2e/**'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  {
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Time and randomness are injected: library code never reads the wall clock or arms raw timers.
    files: ['src/**/*.ts'],
    ignores: ['src/testing/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        banned('Date.now', 'Use scheduler.now() from an injected SchedulerLike.'),
        banned('performance.now', 'Use scheduler.now() from an injected SchedulerLike.'),
        banned('Math.random', 'Use an injected random() function.'),
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Use timer(ms, scheduler).' },
        { name: 'setInterval', message: 'Use interval(ms, scheduler).' },
      ],
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*'], message: 'node:* is only allowed in l0-rx/testing.' }, { group: ['rxjs/internal/*'], message: 'Never import rxjs internals.' }] }],
    },
  },
  {
    // The Node-only stores are their own entries (l0-rx/stores/jsonl, l0-rx/stores/redis): node:* is fine there.
    files: ['src/stores/jsonl/**', 'src/stores/redis/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['rxjs/internal/*'], message: 'Never import rxjs internals.' }] }] },
  },
);

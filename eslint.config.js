// Lint rules for the whole repository (`npm run lint`, part of `npm run verify`, zero warnings allowed).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * A folder's `_internals/` belong to that folder and its subfolders. An import path in which
 * `_internals/` follows a named folder (`./check/_internals/…`, `../delivery/_internals/…`) reaches into
 * another folder's internals; `./_internals/…` and `../_internals/…` (an enclosing folder's) are fine.
 */
const FOREIGN_INTERNALS = '(^|/)[^./][^/]*/_internals/';

export default tseslint.config(
  { ignores: ['node_modules/', '.kata/', 'docs-site/', 'coverage/', '**/*.mistake.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: FOREIGN_INTERNALS,
              message:
                "This reaches into another folder's _internals: import the folder's index.ts (its public surface) instead.",
            },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
);

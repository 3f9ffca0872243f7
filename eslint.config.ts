import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Process boundaries (ARCHITECTURE.md): each rule below is one arrow in the layering diagram.
const electronOnlyInElectronLayer = {
  name: 'electron',
  message: 'Only src/main/electron and src/main/hosts/desktop may import electron.',
};
const rawIpcOnlyInPreload = {
  group: ['electron'],
  importNames: ['ipcRenderer', 'contextBridge'],
  message: 'Only src/preload touches ipcRenderer/contextBridge.',
};

// Test infrastructure stays out of the product (issue 14): src/** never imports testing/**
// (tests next to the code may: they are not shipped), and bench/** imports no e2e/** file (what
// both need lives in testing/support/). A tiny local rule rather than no-restricted-imports,
// because flat config replaces a rule's options per file: a second no-restricted-imports block on
// src/** would silently drop the process-boundary patterns above.
const importBoundaries = {
  rules: {
    'no-import-from': {
      meta: {
        type: 'problem' as const,
        schema: [
          {
            type: 'object' as const,
            properties: {
              pattern: { type: 'string' as const },
              message: { type: 'string' as const },
            },
            required: ['pattern', 'message'],
          },
        ],
      },
      create(context: {
        options: readonly unknown[];
        report(descriptor: { node: unknown; message: string }): void;
      }) {
        const { pattern, message } = context.options[0] as { pattern: string; message: string };
        const forbidden = new RegExp(pattern);
        const check = (node: { source?: { value?: unknown } | null }): void => {
          const source = node.source?.value;
          if (typeof source === 'string' && forbidden.test(source)) {
            context.report({ node, message: `${message} (imports ${source})` });
          }
        };
        return {
          ImportDeclaration: check,
          ExportNamedDeclaration: check,
          ExportAllDeclaration: check,
          ImportExpression: check,
        };
      },
    },
  },
};

export default defineConfig(
  {
    ignores: ['out/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', '.cache/**'],
  },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^node:', message: 'src/shared is environment-free: no node:* imports.' },
            { regex: '^electron', message: 'src/shared never imports electron.' },
            {
              regex: '(^|/)(main|renderer|preload)/',
              message: 'src/shared imports nothing above it.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message:
                'The renderer reaches main only through window.rapido (src/renderer/bridge.ts).',
            },
          ],
          patterns: [
            {
              regex: '^node:',
              message: 'The renderer is a sandboxed web page: no node:* imports.',
            },
            {
              regex: '(^|/)(main|preload)/',
              message: 'The renderer never imports main or preload code.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'require', message: 'The renderer is sandboxed.' },
      ],
    },
  },
  {
    files: ['src/main/**/*.ts'],
    ignores: ['src/main/electron/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronOnlyInElectronLayer],
          patterns: [
            rawIpcOnlyInPreload,
            { regex: '(^|/)renderer/', message: 'Main never imports the renderer.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/main/services/**/*.ts', 'src/main/hosts/headless/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            electronOnlyInElectronLayer,
            { name: 'electron-log/main', message: 'Use electron-log/node in services.' },
          ],
          patterns: [
            { regex: '(^|/)renderer/', message: 'The main process never imports the renderer.' },
            { regex: '(^|/)electron/', message: 'Services never import the Electron layer.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/main/electron/**/*.ts'],
    ignores: ['src/main/electron/ipc-main-guard.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            rawIpcOnlyInPreload,
            {
              group: ['electron'],
              importNames: ['ipcMain'],
              message: 'Only ipc-main-guard.ts uses ipcMain: every call must pass its checks.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/main/electron/ipc-main-guard.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [rawIpcOnlyInPreload] }],
    },
  },
  {
    files: ['**/*.test.ts', 'e2e/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts', 'testing/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: [
      'eslint.config.ts',
      'electron.vite.config.ts',
      'vitest.config.ts',
      'playwright.config.ts',
      'playwright.electron.config.ts',
    ],
    rules: { 'no-restricted-syntax': 'off' },
  },
  // Test infrastructure out of the product (see importBoundaries above).
  {
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    plugins: { 'import-boundaries': importBoundaries },
    rules: {
      'import-boundaries/no-import-from': [
        'error',
        {
          pattern: '(^|/)testing/',
          message: 'Product code never imports testing/ (reference servers, harness, fixtures).',
        },
      ],
    },
  },
  {
    files: ['bench/**/*.ts'],
    plugins: { 'import-boundaries': importBoundaries },
    rules: {
      'import-boundaries/no-import-from': [
        'error',
        {
          pattern: '(^|/)e2e/',
          message: 'bench/ imports no e2e/ file: shared rigs live in testing/support/.',
        },
      ],
    },
  },
  // The harness pages are web pages, built by testing/harness/vite.config.ts.
  {
    files: ['testing/harness/**/*.ts'],
    ignores: ['testing/harness/vite.config.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['testing/harness/vite.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);

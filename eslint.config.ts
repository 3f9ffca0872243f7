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
    files: ['**/*.test.ts', 'e2e/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
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
  // h4 (issue 14): bin/rapido.mjs, the `rapido` bin, is plain JS outside every tsconfig (it only
  // starts tsx on src/main/hosts/cli/rapido.ts): lint it untyped.
  {
    files: ['bin/**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { parserOptions: { projectService: false } },
  },
);

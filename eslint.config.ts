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

// Inside the renderer (ARCHITECTURE.md): engine <- outputs <- features, and only bridge/ touches
// window.rapido. Flat config replaces a rule's options per file rather than merging them, so the
// renderer's own import limits are constants that every renderer block repeats.
const rendererImportPaths = [
  {
    name: 'electron',
    message: 'The renderer reaches main only through window.rapido (src/renderer/bridge/).',
  },
];
const rendererImportPatterns = [
  { regex: '^node:', message: 'The renderer is a sandboxed web page: no node:* imports.' },
  { regex: '(^|/)(main|preload)/', message: 'The renderer never imports main or preload code.' },
];
const namedExportsOnly = { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' };
const windowRapidoOnlyInBridge = {
  selector: "MemberExpression[object.name=/^(window|globalThis|self)$/][property.name='rapido']",
  message: 'Only src/renderer/bridge/ touches window.rapido; import { rapido } from the bridge.',
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
        { paths: rendererImportPaths, patterns: rendererImportPatterns },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'require', message: 'The renderer is sandboxed.' },
      ],
      'no-restricted-syntax': ['error', namedExportsOnly, windowRapidoOnlyInBridge],
    },
  },
  // Renderer layering (issue 14): the engine is the program only and knows no output, feature or
  // store; an output consumes the engine and knows no feature or store; window.rapido is the
  // bridge's alone.
  {
    files: ['src/renderer/engine/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: rendererImportPaths,
          patterns: [
            ...rendererImportPatterns,
            {
              regex: '(^|/)(outputs|features|store)/',
              message:
                'The engine is the program only: outputs observe it (ProgramObserver), features and the store adapt it; it imports none of them.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/renderer/outputs/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: rendererImportPaths,
          patterns: [
            ...rendererImportPatterns,
            {
              regex: '(^|/)(features|store)/',
              message:
                'An output takes the program and reports through its own events; the program root (features/program) connects it to the store.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/renderer/bridge/**/*.{ts,tsx}'],
    rules: { 'no-restricted-syntax': ['error', namedExportsOnly] },
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
);

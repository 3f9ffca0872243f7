import js from '@eslint/js';
import type { Linter } from 'eslint';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Process boundaries (ARCHITECTURE.md): each rule below is one arrow in the layering diagram.
const electronOnlyInElectronLayer = {
  name: 'electron',
  message: 'Only src/main/electron may import electron (src/main/hosts/desktop starts it).',
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

// ---- Main services: who may use whom (issue 14) ------------------------------------------------
// Each folder under src/main/services names the sibling services it may import; any other
// sibling is an error. The table is the dependency graph of the main process (ARCHITECTURE.md
// "services/"): platform/ is the bottom and imports no service; logging/ only platform/.
// A new service folder gets a row here (its siblings are checked only against the table's keys).
// The blocks use @typescript-eslint/no-restricted-imports, a rule of its own, so they add to the
// core no-restricted-imports blocks above and below instead of replacing their options.
// No service imports the layers that host it: src/main/wiring (the composition root) and
// src/main/hosts; src/main/electron is barred by the services block above.
const serviceSiblings: Record<string, readonly string[]> = {
  platform: [],
  logging: ['platform'],
  ipc: ['logging', 'platform'],
  secrets: ['logging', 'platform'],
  lesson: ['logging', 'platform'],
  recording: ['logging', 'platform'],
  export: ['logging', 'platform', 'recording'],
  live: ['logging', 'platform', 'secrets'],
  speech: ['logging', 'platform', 'secrets'],
  // ipc: the CallContext of a request (which renderer asked); speech: the resampler.
  avatar: ['logging', 'platform', 'ipc', 'speech'],
  pipeline: ['logging', 'platform', 'ipc', 'lesson', 'speech', 'avatar'],
};
const mainServiceLayering = Object.entries(serviceSiblings).map(
  ([service, allowed]): Linter.Config => {
    const barred = Object.keys(serviceSiblings).filter(
      (other) => other !== service && !allowed.includes(other),
    );
    const patterns = [
      {
        // Relative paths only: a service reaches its siblings as ../<sibling>/ (or ../../ from a
        // subfolder); src/shared/lesson and the like never match.
        regex: '^(\\.\\./)+(wiring|hosts)/',
        message:
          'Services never import src/main/wiring or src/main/hosts: those build on services.',
      },
    ];
    if (barred.length > 0) {
      patterns.push({
        regex: `^(\\.\\./)+(${barred.join('|')})/`,
        message:
          allowed.length === 0
            ? `src/main/services/${service} imports no other service.`
            : `src/main/services/${service} may use only ${allowed.join(', ')} (eslint.config.ts serviceSiblings).`,
      });
    }
    return {
      name: `rapido/main-services/${service}`,
      files: [`src/main/services/${service}/**/*.ts`],
      rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
    };
  },
);

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
  ...mainServiceLayering,
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
  // Issue 17 (property tests): the fuzz run's vitest config is a config file like the others
  // above (vitest wants its default export).
  {
    files: ['vitest.fuzz.config.ts'],
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
  // h4 (issue 14): bin/rapido.mjs, the `rapido` bin, is plain JS outside every tsconfig (it only
  // starts tsx on src/main/hosts/cli/rapido.ts): lint it untyped.
  {
    files: ['bin/**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { parserOptions: { projectService: false } },
  },
);

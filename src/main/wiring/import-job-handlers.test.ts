import { mkdtemp, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ImportJobProgress } from '../../shared/ipc/contract.ts';
import type { CallContext } from '../services/ipc/dispatcher.ts';
import { createImportJobHandlers } from './import-job-handlers.ts';
import type { HostAbilities } from './host-abilities.ts';

const context = { clientId: 'page' } as CallContext;
const abilities = (job?: HostAbilities['importJob']): HostAbilities => ({
  host: 'headless',
  chooseFolder: null,
  showFile: null,
  emit: () => undefined,
  ...(job ? { importJob: job } : {}),
});

describe('the import job channels', () => {
  it('give the page the one source file main was started with, by no path of its own', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rapido-import-job-'));
    const sourcePath = join(dir, 'deck.pdf');
    await writeFile(sourcePath, Buffer.from('%PDF-1.7 test'));
    const reports: ImportJobProgress[] = [];
    const handlers = createImportJobHandlers(
      abilities({ sourcePath, onProgress: (p) => reports.push(p) }),
    );
    const read = await handlers.invoke['import:read-source']({}, context);
    expect(read.ok && read.value.fileName).toBe('deck.pdf');
    expect(read.ok && Buffer.from(read.value.bytes).toString()).toBe('%PDF-1.7 test');
    const progress: ImportJobProgress = { phase: 'opening', done: 0, total: 0, message: 'x' };
    handlers.send['import:progress'](progress, context);
    expect(reports).toEqual([progress]);
  });

  it('refuse without an import job, and a source over the transport’s limit', async () => {
    const none = createImportJobHandlers(abilities());
    expect(await none.invoke['import:read-source']({}, context)).toMatchObject({
      ok: false,
      error: { code: 'not-available' },
    });
    const dir = await mkdtemp(join(tmpdir(), 'rapido-import-job-'));
    const sourcePath = join(dir, 'huge.pdf');
    await writeFile(sourcePath, '');
    await truncate(sourcePath, 61 * 1024 * 1024); // sparse: no 61 MB written
    const big = createImportJobHandlers(abilities({ sourcePath, onProgress: () => undefined }));
    expect(await big.invoke['import:read-source']({}, context)).toMatchObject({
      ok: false,
      error: {
        code: 'invalid-request',
        message: `${sourcePath} is 61 MB; the import reads at most 60 MB`,
      },
    });
    const gone = createImportJobHandlers(
      abilities({ sourcePath: join(dir, 'absent.pdf'), onProgress: () => undefined }),
    );
    expect(await gone.invoke['import:read-source']({}, context)).toMatchObject({
      ok: false,
      error: { code: 'io-failed' },
    });
  });
});

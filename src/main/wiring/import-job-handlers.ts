import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { err, errorMessage, ok } from '../../shared/result.ts';
import type { HostAbilities, InvokeHandlersOf, SendHandlersOf } from './host-abilities.ts';

/** What the headless transport carries in one message (headless-server's cap), less framing. */
const maxSourceBytes = 60 * 1024 * 1024;

/**
 * The `import:*` channels of the command line's import job (launch mode 'import'): the page reads
 * the one source file main was started with (it names no path), and reports progress to the
 * host, which prints it. Without an import job both answer "not available".
 */
export function createImportJobHandlers(abilities: HostAbilities): {
  invoke: InvokeHandlersOf<'import'>;
  send: SendHandlersOf<'import'>;
} {
  const job = abilities.importJob;
  return {
    invoke: {
      'import:read-source': async () => {
        if (!job) return err('not-available', 'There is no import job in this session.');
        try {
          const size = (await stat(job.sourcePath)).size;
          if (size > maxSourceBytes) {
            return err(
              'invalid-request',
              `${job.sourcePath} is ${Math.round(size / 1048576)} MB; the import reads at most ${maxSourceBytes / 1048576} MB`,
            );
          }
          return ok({ fileName: basename(job.sourcePath), bytes: await readFile(job.sourcePath) });
        } catch (error) {
          return err('io-failed', `Could not read ${job.sourcePath}: ${errorMessage(error)}`);
        }
      },
    },
    send: {
      'import:progress': (progress) => job?.onProgress(progress),
    },
  };
}

import type { Reporter } from 'vitest/node';

/**
 * Collects the `[fuzz] name: N cases, seed S` lines the property tests print (testing/fuzz.ts)
 * and prints them as one table at the end of `npm run test:fuzz`: how many cases each parser
 * got, and the seed to replay its run.
 */
export class FuzzSummaryReporter implements Reporter {
  private readonly lines: string[] = [];
  private startMs = 0;

  onTestRunStart(): void {
    this.startMs = performance.now();
  }

  onUserConsoleLog(log: { content: string }): void {
    for (const line of log.content.split('\n')) {
      if (line.startsWith('[fuzz] ')) this.lines.push(line.slice('[fuzz] '.length));
    }
  }

  onTestRunEnd(): void {
    const seconds = ((performance.now() - this.startMs) / 1000).toFixed(1);
    const out = [
      '',
      `Property tests: ${this.lines.length} properties in ${seconds} s`,
      ...this.lines.sort().map((line) => `  ${line}`),
      '',
    ];
    process.stdout.write(`${out.join('\n')}\n`);
  }
}

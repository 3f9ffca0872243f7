import { describe, expect, it } from 'vitest';
import type { LogLine } from '../testing/support/render-cli.ts';
import { renderWall, type RenderOutcome } from './render.ts';

function line(eventType: string, timestamp: string): LogLine {
  return {
    timestamp,
    level: 'INFO',
    logger: 'rapido',
    message: eventType,
    lesson_id: null,
    event_type: eventType,
    event_source: 'frontend',
  };
}

function outcome(lines: LogLine[], firstProgressMs: number | null = 4_000): RenderOutcome {
  return {
    outPath: '/tmp/x.mp4',
    code: 0,
    stderr: '',
    stdout: '',
    cliWallMs: 30_000,
    firstProgressMs,
    lines,
  };
}

describe('renderWall', () => {
  it("prefers the exporter's own bracket", () => {
    const wall = renderWall(
      outcome([
        line('recording_start', '2026-11-24T08:00:00.000Z'),
        line('export_start', '2026-11-24T08:00:01.000Z'),
        line('export_end', '2026-11-24T08:00:13.500Z'),
        line('recording_end', '2026-11-24T08:00:20.000Z'),
      ]),
    );
    expect(wall).toEqual({ ms: 12_500, source: 'log export_start to export_end' });
  });

  it("uses the live recording's first start and last end lines", () => {
    const wall = renderWall(
      outcome([
        line('recording_start', '2026-11-24T08:00:00.000Z'),
        line('recording_start', '2026-11-24T08:00:00.100Z'),
        line('recording_end', '2026-11-24T08:00:19.900Z'),
        line('recording_end', '2026-11-24T08:00:20.000Z'),
      ]),
    );
    expect(wall).toEqual({ ms: 20_000, source: 'log recording_start to recording_end' });
  });

  it('falls back to the CLI wall time less its start-up, and says so', () => {
    expect(renderWall(outcome([line('export_start', '2026-11-24T08:00:00.000Z')]))).toEqual({
      ms: 26_000,
      source: 'CLI wall time minus time to the first progress line',
    });
    expect(renderWall(outcome([], null))).toBeNull();
  });
});

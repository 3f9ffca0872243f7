import { test } from '@playwright/test';
import { startHarnessServer, type HarnessServer } from '../../testing/support/harness-server.ts';
import {
  liveKitServerBinary,
  startLiveKitServer,
  type LiveKitTestServer,
} from '../../testing/support/livekit-server.ts';
import { subscriberBuildProblem } from '../../testing/support/livekit-subscriber.ts';

/**
 * What every LiveKit suite needs, registered as the file's hooks: a real LiveKit server on free
 * loopback ports and the page server for the viewer page, started once per file; the server's
 * log attached to a failing test; and a skip that says how to get the server where it is
 * missing (never a silent pass).
 */
export function useLiveKitRig(): () => { harness: HarnessServer; liveKit: LiveKitTestServer } {
  const binary = liveKitServerBinary();
  test.skip('skipReason' in binary, 'skipReason' in binary ? binary.skipReason : '');
  let harness: HarnessServer | undefined;
  let liveKit: LiveKitTestServer | undefined;
  test.beforeAll(async () => {
    const problem = subscriberBuildProblem();
    if (problem) throw new Error(problem);
    harness = await startHarnessServer();
    liveKit = await startLiveKitServer();
  });
  test.afterAll(async () => {
    await liveKit?.stop();
    await harness?.close();
  });
  test.afterEach(async ({ page: _page }, testInfo) => {
    if (liveKit && testInfo.status !== testInfo.expectedStatus) {
      await testInfo.attach('livekit-server.log', {
        path: liveKit.logPath,
        contentType: 'text/plain',
      });
    }
  });
  return () => {
    if (!harness || !liveKit) throw new Error('the servers did not start');
    return { harness, liveKit };
  };
}

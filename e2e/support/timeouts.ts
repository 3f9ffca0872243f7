/**
 * A test's own time limit, scaled on a machine known to be loaded: `.ci/run`'s phase under load
 * (scripts/e2e-under-load.sh) sets RAPIDO_E2E_TIMEOUT_SCALE, since everything there takes longer
 * while every wait inside a test is on an app event. 1 otherwise.
 */
export const timeoutScale = Math.max(1, Number(process.env.RAPIDO_E2E_TIMEOUT_SCALE ?? '1') || 1);

export function scaled(ms: number): number {
  return Math.round(ms * timeoutScale);
}

import type { NarrationEstimateInfo, QuotaInfo } from '../../../shared/ipc/contract.ts';
import type { Fetched } from './use-eleven-labs.ts';
import { describeEstimate, describeQuota, exceedsQuota } from './voice-choice.ts';

/**
 * What going live will cost, before it does: characters still to synthesise (cached sentences
 * are free) against what the plan has left. `estimate` is null for the offline voice.
 */
export function CostSection({
  estimate,
  quota,
  onRefresh,
}: {
  estimate: Fetched<NarrationEstimateInfo> | null;
  quota: Fetched<QuotaInfo> | null;
  onRefresh: () => void;
}) {
  if (estimate === null) {
    return (
      <p className="voice-cost" data-testid="voice-cost">
        Offline voice: no cost
      </p>
    );
  }
  const left = quota?.phase === 'ready' ? quota.value : null;
  return (
    <div className="voice-cost">
      <div className="field-row voice-cost-line">
        <p data-testid="voice-cost" aria-live="polite">
          {estimate.phase === 'ready'
            ? `${describeEstimate(estimate.value)} · ${left ? describeQuota(left) : 'characters left on your plan unknown'}`
            : estimate.phase === 'loading'
              ? 'Working out what this lesson costs…'
              : `Cost unknown: ${estimate.error.message}`}
        </p>
        <button type="button" className="small" onClick={onRefresh} aria-label="Refresh the cost">
          Refresh
        </button>
      </div>
      {estimate.phase === 'failed' && estimate.error.hint ? (
        <p className="hint">{estimate.error.hint}</p>
      ) : null}
      {estimate.phase === 'ready' && exceedsQuota(estimate.value, left) ? (
        <p className="voice-warning" role="alert" data-testid="voice-cost-warning">
          This lesson exceeds what is left on your plan: the offline voice will speak the rest.
        </p>
      ) : null}
    </div>
  );
}

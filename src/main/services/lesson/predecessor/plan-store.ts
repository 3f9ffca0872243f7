import type { PredecessorPlan } from '../../../../shared/lesson/predecessor-import.ts';
import type { PlannedAsset } from './plan-common.ts';

/**
 * The plans main read, by plan id, so the page can ask for a plan's assets by id and key and
 * never by URL or path. Bounded: the oldest is forgotten (a page reading file after file cannot
 * grow main's memory); reading the file again makes a new plan.
 */

export interface StoredPlan {
  plan: PredecessorPlan;
  /** Where each asset comes from (URLs and paths stay in main). */
  assets: ReadonlyMap<string, PlannedAsset>;
}

export interface PlanStore {
  put(stored: StoredPlan): void;
  get(planId: string): StoredPlan | null;
}

export const defaultPlanStoreSize = 8;

export function createPlanStore(size = defaultPlanStoreSize): PlanStore {
  const plans = new Map<string, StoredPlan>();
  return {
    put(stored) {
      plans.delete(stored.plan.planId);
      plans.set(stored.plan.planId, stored);
      while (plans.size > size) {
        const oldest = plans.keys().next().value;
        if (oldest === undefined) break;
        plans.delete(oldest);
      }
    },
    get(planId) {
      const stored = plans.get(planId);
      if (stored === undefined) return null;
      // Used again: now the newest.
      plans.delete(planId);
      plans.set(planId, stored);
      return stored;
    },
  };
}

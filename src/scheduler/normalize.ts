// helper.DefaultNormalizeScore: scale raw scores so the best node gets
// MAX_NODE_SCORE; `reverse` for plugins whose raw score counts something bad
// (untolerated PreferNoSchedule taints), so fewer is better.

import { MAX_NODE_SCORE } from "./framework";

export function defaultNormalizeScore(scores: number[], reverse: boolean, maxPriority = MAX_NODE_SCORE): void {
  let max = 0;
  for (const s of scores) if (s > max) max = s;
  if (max === 0) {
    // Nothing to tell the nodes apart: reversed, "no bad taints anywhere" is the best score for all.
    if (reverse) scores.fill(maxPriority);
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    // Integer division as upstream (int64 arithmetic).
    const s = Math.floor((maxPriority * scores[i]) / max);
    scores[i] = reverse ? maxPriority - s : s;
  }
}

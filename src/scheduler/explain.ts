// A schedulePod result as plain JSON, for an "explain" endpoint or annotation:
// per node, what each filter plugin said and what each score plugin gave
// (raw, normalised, weighted), the final score and the chosen node, in the
// spirit of kube-scheduler-simulator's per-plugin results.

import type { Pod } from "../model/types";
import { Code, type NodeInfo } from "./framework";
import { podKey } from "./node-info";
import { nodeScores, type PluginScore, type ScheduleResult } from "./schedule-one";

interface ExplainedFilter {
  plugin: string;
  code: Code;
  reasons: string[];
}

interface ExplainedNode {
  name: string;
  /** False for nodes the cycle never reached (it stops once enough feasible nodes are found). */
  evaluated: boolean;
  feasible: boolean;
  selected: boolean;
  filter: {
    /** The deciding verdict: Success, or the first rejection. */
    code: Code | "NotEvaluated";
    reasons: string[];
    /** The plugin whose rejection decided (upstream stops at the first). */
    decidedBy?: string;
    /** Every filter plugin's verdict; present when scheduled with `explain: true`. */
    plugins?: ExplainedFilter[];
  };
  score?: { plugins: PluginScore[]; final: number };
}

export interface Explanation {
  pod: string;
  selectedNode: string | null;
  code: Code;
  message?: string;
  numAllNodes: number;
  numNodesToFind: number;
  evaluated: number;
  feasible: number;
  /** Why scores may be missing: one feasible node is taken without scoring, as upstream. */
  scoring: "scored" | "single-feasible-node" | "none-feasible" | "error";
  skippedScorePlugins: string[];
  nodes: ExplainedNode[];
  /**
   * DefaultPreemption, when no node fit: the node nominated and the pods to evict
   * there, or why preemption could not help (`message`); per node tried, its
   * victims or the reasons evicting lower-priority pods would not make room.
   */
  preemption?: {
    nominatedNode: string | null;
    victims: string[];
    message?: string;
    nodes: { node: string; victims?: string[]; reasons?: string[] }[];
  };
}

/** `snapshot` gives the node order and the names of nodes never evaluated. */
export function explainSchedule(pod: Pod, snapshot: readonly (NodeInfo | string)[], result: ScheduleResult): Explanation {
  const scores = new Map((result.scores ? nodeScores(result.scores) : []).map((s) => [s.node, s]));
  const nodes: ExplainedNode[] = snapshot.map((n) => {
    const name = typeof n === "string" ? n : n.name;
    const rejected = result.diagnosis.get(name);
    const verdicts = result.filterVerdicts?.get(name);
    const evaluated = !!rejected || !!verdicts || scores.has(name) || result.node === name;
    const feasible = evaluated && !rejected && result.status.code !== Code.Error;
    const node: ExplainedNode = {
      name,
      evaluated,
      feasible,
      selected: result.node === name,
      filter: {
        code: !evaluated ? "NotEvaluated" : rejected ? rejected.code : Code.Success,
        reasons: rejected?.reasons ?? [],
        ...(rejected?.plugin ? { decidedBy: rejected.plugin } : {}),
        ...(verdicts ? { plugins: verdicts.map((v) => ({ plugin: v.plugin, code: v.status.code, reasons: v.status.reasons })) } : {}),
      },
    };
    const s = scores.get(name);
    if (s) node.score = { plugins: s.plugins, final: s.total };
    return node;
  });
  // Highest score first, then feasible-unscored, then rejected, then never evaluated.
  const rank = (n: ExplainedNode) => (n.score ? 0 : n.feasible ? 1 : n.evaluated ? 2 : 3);
  nodes.sort((a, b) => rank(a) - rank(b) || (b.score?.final ?? 0) - (a.score?.final ?? 0));

  const scoring =
    result.status.code === Code.Error ? "error" : result.scores ? "scored" : result.feasible === 1 ? "single-feasible-node" : "none-feasible";
  return {
    pod: podKey(pod),
    selectedNode: result.node ?? null,
    code: result.status.code,
    ...(result.message ? { message: result.message } : {}),
    numAllNodes: result.numAllNodes,
    numNodesToFind: result.numNodesToFind,
    evaluated: result.evaluated,
    feasible: result.feasible,
    scoring,
    skippedScorePlugins: result.skippedScorePlugins ?? [],
    nodes,
    ...(result.preemption
      ? {
          preemption: {
            nominatedNode: result.preemption.candidate?.node ?? null,
            victims: result.preemption.candidate?.victims.map((v) => v.key) ?? [],
            ...(result.preemption.message ? { message: result.preemption.message } : {}),
            nodes: result.preemption.nodes,
          },
        }
      : {}),
  };
}

// Label and field selectors, one import for the API handlers and controllers.
export {
  type LabelRequirement,
  parseLabelSelector,
  matchesLabels,
  equalityPushdown,
  selectorFromLabelSelector,
  formatLabelSelector,
} from "./label-selector";
export {
  parseFieldSelector,
} from "./field-selector";

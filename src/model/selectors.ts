// Label and field selectors, one import for the API handlers and controllers.
export {
  type LabelOperator,
  type LabelRequirement,
  parseLabelSelector,
  matchesLabels,
  equalityPushdown,
  selectorFromLabelSelector,
  formatLabelSelector,
} from "./label-selector";
export {
  type FieldOperator,
  type FieldRequirement,
  type FieldSelectorPushdown,
  type ParsedFieldSelector,
  parseFieldSelector,
} from "./field-selector";

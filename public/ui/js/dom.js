// DOM building for the dashboard. Text from the API only ever becomes text nodes
// (textContent), never markup: an object named `<img onerror=...>` shows as its name.

/** @typedef {string | number | Node | null | undefined | false} Child */

/**
 * @typedef {object} Props
 * @property {string} [class]
 * @property {string} [title]
 * @property {Record<string, (e: any) => void>} [on]
 * @property {Record<string, string>} [attrs]
 * @property {string} [width] a CSS width, for bars
 */

/**
 * An element with properties and children (strings become text nodes).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Props} [props]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  if (props.title) el.title = props.title;
  if (props.width !== undefined) el.style.width = props.width;
  for (const [k, v] of Object.entries(props.attrs ?? {})) el.setAttribute(k, v);
  for (const [k, v] of Object.entries(props.on ?? {})) el.addEventListener(k, v);
  append(el, children);
  return el;
}

/**
 * @param {Node} el
 * @param {Child[]} children
 */
export function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
}

/**
 * @param {string} id
 * @returns {HTMLElement}
 */
export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`no element #${id}`);
  return el;
}

/**
 * How long ago an instant was, as kubectl's AGE column says it.
 * @param {number} ms
 */
export function age(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m}m`;
  const hrs = Math.floor(m / 60);
  return hrs < 48 ? `${hrs}h` : `${Math.floor(hrs / 24)}d`;
}

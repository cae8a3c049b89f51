// The page state (program, inputs, output, options) and its URL form.
// The query grammar is the server's (app/query.py): `source`, `output` and
// the option names are reserved, every other parameter binds an input, and
// options equal to their defaults are left out. So the page URL is the
// permalink, and /api/v1/graph.svg and /embed take the same query.

const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const TRUE = new Set(["1", "true", "yes", "on"]);

/** `x=5, w=[1, 2]` -> {inputs: {x: 5, w: [1, 2]}} or {error}. */
export function parseInputs(text, reserved) {
  const inputs = {};
  const parts = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "[") depth++;
    else if (c === "]") depth--;
    else if (c === "," && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  for (const raw of parts) {
    const part = raw.trim();
    if (!part) continue;
    const eq = part.indexOf("=");
    const name = eq < 0 ? part : part.slice(0, eq).trim();
    if (eq < 0 || !IDENTIFIER.test(name) || reserved.has(name)) {
      return { error: `Write each input as name=value, like x=5 or w=[1, 2] (not “${part}”).` };
    }
    const value = parseValue(part.slice(eq + 1));
    if (value === undefined) {
      return { error: `Input ${name} must be a number or a list like [1, 2].` };
    }
    inputs[name] = value;
  }
  return { inputs };
}

export function parseValue(text) {
  const t = text.trim();
  if (!t) return undefined;
  if (t.startsWith("[")) {
    try {
      const value = JSON.parse(t);
      return numbersOnly(value) ? value : undefined;
    } catch {
      return undefined;
    }
  }
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

function numbersOnly(value) {
  if (Array.isArray(value)) return value.every(numbersOnly);
  return typeof value === "number" && Number.isFinite(value);
}

export function formatInputs(inputs) {
  return Object.entries(inputs)
    .map(([k, v]) => `${k}=${JSON.stringify(v).replace(/,/g, ", ")}`)
    .join(", ");
}

/** The state as the canonical query string (without the leading `?`). */
export function toQuery(state, inputs, defaults) {
  const params = new URLSearchParams();
  params.set("source", state.source);
  if (state.output) params.set("output", state.output);
  for (const [name, fallback] of Object.entries(defaults)) {
    const value = state.options[name];
    if (value !== fallback) params.set(name, String(value));
  }
  for (const [name, value] of Object.entries(inputs)) {
    params.set(name, Array.isArray(value) ? JSON.stringify(value) : String(value));
  }
  return params.toString();
}

/** A query string back to a state; unknown or malformed values fall back to defaults. */
export function fromQuery(search, defaults) {
  const params = new URLSearchParams(search);
  const options = { ...defaults };
  const inputs = {};
  let source = null;
  let output = "";
  for (const [name, text] of params) {
    if (name === "source") source = text;
    else if (name === "output") output = text;
    else if (name in defaults) {
      options[name] = typeof defaults[name] === "boolean" ? TRUE.has(text.toLowerCase()) : text;
    } else if (IDENTIFIER.test(name)) {
      const value = parseValue(text);
      if (value !== undefined) inputs[name] = value;
    }
  }
  return { source, output, options, inputsText: formatInputs(inputs) };
}

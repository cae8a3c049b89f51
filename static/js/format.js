// Numbers and tensors as the page prints them; the same rules as
// app/api/pages.py (format_number, format_value), so the server-rendered
// page and the live one agree to the character.

const NON_FINITE = { inf: "∞", "-inf": "−∞", nan: "NaN" };

function strip(text) {
  return text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
}

function exponential(x) {
  const [mantissa, exponent] = x.toExponential(5).split("e");
  return `${strip(mantissa)}e${parseInt(exponent, 10)}`;
}

/** At least 6 significant digits, no trailing zeros; ∞, −∞ and NaN for the JSON strings. */
export function formatNumber(x) {
  if (typeof x === "string") return NON_FINITE[x] ?? x;
  if (typeof x === "boolean") return x ? "True" : "False";
  if (typeof x !== "number") return JSON.stringify(x);
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  const magnitude = Math.abs(x);
  if (magnitude < 1e-4 || magnitude >= 1e6) return exponential(x);
  const text = x.toPrecision(6);
  return text.includes("e") ? exponential(Number(text)) : strip(text);
}

export function formatArray(value, indent = 1) {
  if (!Array.isArray(value)) return formatNumber(value);
  if (value.length && Array.isArray(value[0])) {
    const rows = value.map((row) => formatArray(row, indent + 1));
    return "[" + rows.join(",\n" + " ".repeat(indent)) + "]";
  }
  return "[" + value.map(formatNumber).join(", ") + "]";
}

export function formatShape(shape) {
  if (shape === null || shape === undefined) return "";
  return shape.length === 0 ? "scalar" : shape.join(" × ");
}

/** A node's value or grad may be a value document ({value, shape, ...}) or the bare value. */
export function asValueDoc(x) {
  if (x && typeof x === "object" && !Array.isArray(x) && "value" in x) return x;
  return { value: x, shape: Array.isArray(x) ? null : [] };
}

/** A value document ({value, shape, truncated, min, max, mean}) as text. */
export function formatValue(doc) {
  const value = doc.value;
  if ((doc.shape === null || doc.shape === undefined) && typeof value === "string") {
    return `'${value}'`;
  }
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    return JSON.stringify(value);
  }
  if (value === null || value === undefined) return "None";
  let text = formatArray(value);
  if (doc.truncated) {
    const summary = ["min", "max", "mean"]
      .filter((k) => k in doc)
      .map((k) => `${k} ${formatNumber(doc[k])}`)
      .join(", ");
    text = text.slice(0, -1) + ", …]" + (summary ? "\n" + summary : "");
  }
  return text;
}

export function formatMeta(doc) {
  const parts = [];
  if (doc.dtype) parts.push(doc.dtype);
  if (doc.shape !== null && doc.shape !== undefined) {
    parts.push(doc.shape.length === 0 ? "scalar" : "shape " + doc.shape.join(" × "));
  }
  return parts.join(" · ");
}

/** Where the program finds a gradient, in a student's words: the same words
 * as app/api/pages.py kept_note (the answer's `kept`, `rebound`, `rebound_line`). */
export function keptNote(name, grad) {
  if (!grad) return "";
  const variable = name.split(" ")[0]; // "x (line 1)" is x's
  const kept = grad.kept;
  if (grad.rebound) {
    const now = grad.rebound_line ? `line ${grad.rebound_line}'s result` : "another value";
    if (kept === "leaf" || kept === "retain_grad") return `kept in this tensor's .grad, but ${variable} now names ${now}`;
    return `not kept by torch, and ${variable} now names ${now}`;
  }
  if (kept === "leaf") return `kept in ${variable}.grad`;
  if (kept === "retain_grad") return `kept in ${variable}.grad (retain_grad)`;
  if (kept === "visualizer") return `not kept: ${variable}.grad is None (${variable}.retain_grad() keeps it)`;
  return "";
}

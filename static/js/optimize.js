// The gradient-descent panel (#optimize): runs POST /api/v1/optimize and
// steps through the trajectories on the plot.
//
// Without JavaScript the panel is a GET form that opens /api/v1/optimize.svg.
// With it, the answer's SVG is shown as an <img> (from a blob: URL, so the
// drawing cannot touch the page) and an overlay of the same size marks the
// current step of every run. The answer says where the plot's axes are in
// the SVG (`axes`), so walking the steps never asks the server for a new
// picture: a slider, ‹ › and Play move a marker per run and fill a table.

import { formatNumber } from "./format.js";

const PLAY_MS = 90;
const SVG_NS = "http://www.w3.org/2000/svg";
const PRESET = {
  source: "def objective(theta):\n    return theta*torch.cos(4*theta) + 2*torch.abs(theta)",
  variable: "theta",
  init: "-3.5",
  lr: "0.05, 0.07, 0.15",
  steps: "100",
  method: "sgd",
  range: "",
};

const $ = (id) => document.getElementById(id);

class OptimizePanel {
  constructor(root) {
    this.root = root;
    this.form = $("optimize-form");
    this.fields = {
      source: $("opt-source"),
      variable: $("opt-variable"),
      init: $("opt-init"),
      lr: $("opt-lr"),
      steps: $("opt-steps"),
      method: $("opt-method"),
      range: $("opt-range"),
    };
    this.img = $("opt-plot");
    this.overlay = $("opt-overlay");
    this.slider = $("opt-step");
    this.doc = null;
    this.step = 0;
    this.timer = null;
    this.controller = null;
    this.sequence = 0;
    this.blobUrl = null;
    this.query = "";

    // This script checks the fields itself and says what is wrong; the
    // browser's own check would block the next submit on a field's stale
    // message (without the script, the browser's check stays).
    this.form.noValidate = true;
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.run();
    });
    this.fields.source.addEventListener("keydown", (event) => {
      if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
        event.preventDefault();
        event.stopPropagation(); // not the editor's Run
        this.run();
      }
    });
    $("opt-preset").hidden = false;
    $("opt-preset").addEventListener("click", () => {
      this.load(PRESET);
      this.run();
    });
    this.slider.addEventListener("input", () => this.go(Number(this.slider.value)));
    $("opt-prev").addEventListener("click", () => this.go(this.step - 1));
    $("opt-next").addEventListener("click", () => this.go(this.step + 1));
    $("opt-play").addEventListener("click", () => this.togglePlay());
    $("opt-copy").addEventListener("click", () => this.copySnippet());
    // The page's theme toggle: redraw the plot in the new colours.
    new MutationObserver(() => {
      if (this.doc) this.run();
    }).observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
    this.runWhenVisible();
  }

  runWhenVisible() {
    if (!("IntersectionObserver" in window)) return this.run();
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        observer.disconnect();
        if (!this.doc) this.run();
      }
    });
    observer.observe(this.root);
  }

  load(values) {
    for (const [name, value] of Object.entries(values)) this.fields[name].value = value;
  }

  theme() {
    const set = document.documentElement.dataset.theme;
    if (set === "light" || set === "dark") return set;
    return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  /** The request body from the fields, or {error} naming the field at fault. */
  request() {
    const f = this.fields;
    const numbers = (text) =>
      text
        .replace(/[[\]]/g, "")
        .split(",")
        .map((part) => part.trim())
        .filter((part) => part !== "")
        .map(Number);
    const init = Number(f.init.value.trim());
    const lr = numbers(f.lr.value);
    const steps = Number(f.steps.value);
    const range = numbers(f.range.value);
    for (const field of Object.values(f)) field.setCustomValidity?.("");
    const bad = (field, message) => {
      field.setCustomValidity?.(message);
      return { error: message, field };
    };
    if (!f.source.value.trim()) return bad(f.source, "Write an objective first.");
    if (f.init.value.trim() === "" || !Number.isFinite(init)) return bad(f.init, "Start must be a number.");
    if (!lr.length || !lr.every((x) => Number.isFinite(x) && x > 0)) {
      return bad(f.lr, "Learning rates must be positive numbers, separated by commas.");
    }
    if (f.steps.value.trim() === "" || !Number.isInteger(steps) || steps < 0) {
      return bad(f.steps, "Steps must be a whole number.");
    }
    if (range.length && (range.length !== 2 || !range.every(Number.isFinite))) {
      return bad(f.range, "Range must be two numbers: lo, hi.");
    }
    const body = { source: f.source.value, init, lr, steps, method: f.method.value, theme: this.theme() };
    const variable = f.variable.value.trim();
    if (variable) body.variable = variable;
    if (range.length) body.range = range;
    const query = new URLSearchParams({ source: body.source });
    if (variable) query.set("variable", variable);
    query.set("init", String(init));
    query.set("lr", lr.join(","));
    query.set("steps", String(steps));
    if (body.method !== "sgd") query.set("method", body.method);
    if (range.length) query.set("range", range.join(","));
    return { body, query: query.toString() };
  }

  async run() {
    const built = this.request();
    if (built.error) {
      this.showProblem({ title: "Check the fields", detail: built.error });
      built.field.focus();
      return;
    }
    const mine = ++this.sequence;
    this.controller?.abort();
    this.controller = new AbortController();
    this.stopPlay();
    this.say("Running…");
    this.root.classList.add("is-busy");
    const started = performance.now();
    let response;
    let doc;
    try {
      response = await fetch("/api/v1/optimize", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify(built.body),
        signal: this.controller.signal,
      });
      doc = await response.json();
    } catch (error) {
      if (error.name === "AbortError" || mine !== this.sequence) return;
      this.root.classList.remove("is-busy");
      this.showProblem({ title: "No answer", detail: "The server did not answer. Is it running?" });
      return;
    }
    if (mine !== this.sequence) return;
    this.root.classList.remove("is-busy");
    if (!response.ok) {
      this.showProblem(doc && doc.detail ? doc : { title: `Error ${response.status}`, detail: response.statusText });
      return;
    }
    this.query = built.query;
    this.show(doc);
    this.say(`${Math.round(performance.now() - started)} ms`);
  }

  show(doc) {
    this.doc = doc;
    $("opt-error").hidden = true;
    this.root.classList.remove("is-stale");
    if (this.blobUrl) URL.revokeObjectURL(this.blobUrl);
    this.blobUrl = URL.createObjectURL(new Blob([doc.svg], { type: "image/svg+xml" }));
    this.img.src = this.blobUrl;
    this.img.alt = altText(doc);
    this.img.hidden = false;
    $("opt-empty").hidden = true;

    const { width, height } = doc.axes;
    this.overlay.setAttribute("viewBox", `0 0 ${width} ${height}`);
    this.overlay.replaceChildren(
      ...doc.runs.map((run) => {
        const g = document.createElementNS(SVG_NS, "g");
        g.setAttribute("class", "plot-marker");
        const halo = document.createElementNS(SVG_NS, "circle");
        halo.setAttribute("r", "9");
        halo.setAttribute("class", "plot-marker-halo");
        halo.setAttribute("stroke", run.color);
        const dot = document.createElementNS(SVG_NS, "circle");
        dot.setAttribute("r", "4.5");
        dot.setAttribute("fill", run.color);
        dot.setAttribute("class", "plot-marker-dot");
        g.append(halo, dot);
        return g;
      }),
    );
    this.overlay.removeAttribute("hidden"); // an SVG element has no .hidden property

    $("opt-col-param").textContent = doc.variable;
    const rows = doc.runs.map((run) => {
      const tr = document.createElement("tr");
      const th = document.createElement("th");
      th.scope = "row";
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = run.color; // a CSSOM property, allowed by the CSP
      th.append(swatch, run.lr.toString());
      tr.append(th);
      for (let i = 0; i < 4; i++) tr.insertCell().className = "num";
      const final = tr.cells[4];
      final.textContent = formatNumber(run.final.parameter);
      if (run.stopped) final.title = run.stopped;
      return tr;
    });
    $("opt-rows").replaceChildren(...rows);
    $("opt-table-box").hidden = false;

    const warnings = $("opt-warnings");
    warnings.replaceChildren(
      ...(doc.warnings || []).map((w) => Object.assign(document.createElement("li"), { textContent: w })),
    );
    warnings.hidden = !(doc.warnings || []).length;

    const last = Math.max(...doc.runs.map((run) => run.steps_run));
    this.slider.max = String(last);
    $("opt-stepper").hidden = false;
    const svgUrl = `/api/v1/optimize.svg?${this.query}`;
    $("opt-svg").href = svgUrl;
    $("opt-links").hidden = false;
    this.go(last);
  }

  go(step) {
    const doc = this.doc;
    if (!doc) return;
    const last = Number(this.slider.max);
    this.step = Math.max(0, Math.min(step, last));
    this.slider.value = String(this.step);
    $("opt-step-count").textContent = `step ${this.step} / ${last}`;
    $("opt-prev").disabled = this.step === 0;
    $("opt-next").disabled = this.step === last;
    const markers = this.overlay.children;
    const rows = $("opt-rows").rows;
    doc.runs.forEach((run, i) => {
      const k = Math.min(this.step, run.trajectory.length - 1);
      const point = run.trajectory[k];
      const at = place(doc.axes, point.parameter, point.objective);
      markers[i].setAttribute("transform", at ? `translate(${at.x.toFixed(2)} ${at.y.toFixed(2)})` : "");
      markers[i].style.display = at ? "" : "none";
      const cells = rows[i].cells;
      cells[1].textContent = formatNumber(point.parameter);
      cells[2].textContent = formatNumber(point.objective);
      cells[3].textContent = formatNumber(point.gradient);
    });
    const updates = `${this.step} update${this.step === 1 ? "" : "s"}`;
    const rule = {
      sgd: `of ${doc.variable} -= lr × gradient`,
      momentum: "of SGD with momentum 0.9",
      adam: "of Adam",
    }[doc.method];
    $("opt-caption").textContent =
      this.step === 0
        ? `Step 0: every run starts at ${doc.variable} = ${formatNumber(doc.init)}.`
        : `After ${updates} ${rule}.`;
  }

  togglePlay() {
    if (this.timer) return this.stopPlay();
    if (!this.doc) return;
    if (this.step >= Number(this.slider.max)) this.go(0);
    $("opt-play").setAttribute("aria-pressed", "true");
    $("opt-play").textContent = "Pause";
    this.timer = setInterval(() => {
      this.go(this.step + 1);
      if (this.step >= Number(this.slider.max)) this.stopPlay();
    }, PLAY_MS);
  }

  stopPlay() {
    clearInterval(this.timer);
    this.timer = null;
    $("opt-play").setAttribute("aria-pressed", "false");
    $("opt-play").textContent = "Play";
  }

  showProblem(problem) {
    const box = $("opt-error");
    const title = Object.assign(document.createElement("strong"), {
      className: "error-title",
      textContent: problem.title || "Error",
    });
    const parts = [title];
    if (problem.line) {
      const where = `Line ${problem.line}, column ${problem.column}`;
      parts.push(" ", Object.assign(document.createElement("span"), { className: "error-where", textContent: where }));
    }
    parts.push(Object.assign(document.createElement("p"), { className: "error-detail", textContent: problem.detail || "" }));
    box.replaceChildren(...parts);
    box.hidden = false;
    this.root.classList.toggle("is-stale", Boolean(this.doc));
    this.say("");
  }

  say(text) {
    $("opt-status").textContent = text;
  }

  async copySnippet() {
    const url = `${window.location.origin}/api/v1/optimize.svg?${this.query}`;
    const snippet = `<img src="${url.replace(/&/g, "&amp;").replace(/"/g, "&quot;")}" alt="Gradient descent">`;
    const status = $("opt-copy-status");
    try {
      await navigator.clipboard.writeText(snippet);
      status.textContent = "<img> snippet copied";
    } catch {
      status.textContent = "No clipboard here: use Open SVG and copy its address";
    }
    setTimeout(() => (status.textContent = ""), 2500);
  }
}

/** A data point to SVG user units, or null when it is off the plotted area. */
function place(axes, x, y) {
  if (typeof x !== "number" || typeof y !== "number") return null;
  const [x0, x1] = axes.x;
  const [y0, y1] = axes.y;
  if (x < x0 || x > x1 || y < y0 || y > y1) return null;
  return {
    x: axes.left + ((x - x0) / (x1 - x0)) * (axes.right - axes.left),
    y: axes.bottom - ((y - y0) / (y1 - y0)) * (axes.bottom - axes.top),
  };
}

function altText(doc) {
  const runs = doc.runs
    .map((run) => `step size ${run.lr} ends at ${doc.variable} = ${formatNumber(run.final.parameter)}`)
    .join("; ");
  return `The objective over ${doc.variable} from ${formatNumber(doc.range[0])} to ${formatNumber(doc.range[1])}, with the gradient-descent steps from ${formatNumber(doc.init)}: ${runs}.`;
}

const root = document.getElementById("optimize");
if (root) new OptimizePanel(root);

// Pan and zoom of the graph's SVG, chosen to be read: the drawing's
// viewBox is the part of the graph in view, `scale` CSS pixels per graph
// unit (Graphviz's points). On arrival the scale is the largest that shows
// the whole graph if its text is then at least MIN_TEXT_PX tall, else the
// one that fits the width, between MIN_TEXT_PX and READING_SCALE times it,
// from the top: a 30-iteration loop is read, not seen as a strip.
//
// Input, as people expect it on a page that is mostly text:
// - a mouse drags the drawing; Ctrl (or ⌘) + wheel, and a trackpad's pinch,
//   zoom at the pointer; a plain wheel pans the drawing while there is more
//   of it that way, then scrolls the page (`wheel: "pan"`), or always
//   scrolls the page (`wheel: "page"`, the embed: a course page must
//   scroll past an iframe);
// - one finger scrolls the page (CSS touch-action), two fingers pan and pinch;
// - on the focused drawing, arrows pan, + and − zoom, 0 shows it whole.
// An overview map (the whole graph, the view as a rectangle) appears when
// the drawing is larger than the pane; a press there moves the view.

export const MIN_TEXT_PX = 10; // the body text of nodes, never smaller on arrival
const MAX_SCALE = 1.3; // a three-node graph should not fill the screen
// A graph too big to show whole is shown this much above the least readable
// scale, at most: fitting a narrow graph's width would blow it up, and every
// bit of scale shows less of the rest.
const READING_SCALE = 1.15;
const MAX_ZOOM = 6;
const KEY_STEP = 0.15; // of the pane, per arrow press (Shift: three times)
const OVERVIEW_PX = 150; // the overview's longest side

export class Viewport {
  /** `frame`: the element the SVG fills; `overview`: where the map goes (or null). */
  constructor(frame, overview, { wheel = "pan", onChange } = {}) {
    this.frame = frame;
    this.overview = overview;
    this.wheelMode = wheel;
    this.onChange = onChange || (() => {});
    this.svg = null;
    this.box = { x: 0, y: 0, width: 1, height: 1 }; // the graph, in its units
    this.scale = 1;
    this.x = 0; // the view's top-left, in graph units
    this.y = 0;
    this.fontUnits = 10; // the drawing's body text size, in graph units
    this.touched = false; // the reader moved or zoomed since the last fit
    this.mapURL = null;
    this.size = [frame.clientWidth, frame.clientHeight];
    this.#listen();
    // The pane's size changes as the page settles (the editor mounts, fonts
    // load) and with the window: the view follows.
    new ResizeObserver(() => {
      const size = [frame.clientWidth, frame.clientHeight];
      if (size[0] === this.size[0] && size[1] === this.size[1]) return;
      this.size = size;
      this.resized();
    }).observe(frame);
  }

  /** Take over `svg` (sized by its viewBox, as Graphviz writes it). */
  attach(svg) {
    this.svg = svg;
    const box = svg.viewBox.baseVal;
    this.box = box && box.width ? { x: box.x, y: box.y, width: box.width, height: box.height } : { x: 0, y: 0, width: 100, height: 100 };
    this.fontUnits = bodyFontUnits(svg);
    svg.setAttribute("preserveAspectRatio", "xMinYMin meet");
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    this.touched = false;
    this.#makeMap(svg);
    this.readable();
  }

  detach() {
    this.svg = null;
    if (this.mapURL) URL.revokeObjectURL(this.mapURL);
    this.mapURL = null;
    if (this.overview) this.overview.hidden = true;
  }

  get paneWidth() {
    return Math.max(this.frame.clientWidth, 1);
  }

  get paneHeight() {
    return Math.max(this.frame.clientHeight, 1);
  }

  /** The smallest scale at which the body text is MIN_TEXT_PX. */
  get minReadable() {
    return MIN_TEXT_PX / this.fontUnits;
  }

  /** The size of the body text on screen, in CSS pixels. */
  get textPx() {
    return this.fontUnits * this.scale;
  }

  /** The arrival's view: whole if readable so, else the width, from the top. */
  readable() {
    if (!this.svg) return;
    const whole = Math.min(this.paneWidth / this.box.width, this.paneHeight / this.box.height);
    if (whole >= this.minReadable) {
      this.#setWhole(Math.min(whole, MAX_SCALE));
    } else {
      const width = this.paneWidth / this.box.width;
      this.scale = Math.min(Math.max(width, this.minReadable), this.minReadable * READING_SCALE);
      this.x = this.box.x + Math.min(0, (this.box.width - this.paneWidth / this.scale) / 2);
      this.y = this.box.y;
      this.#apply();
    }
    this.touched = false;
  }

  /** The whole graph in the pane, however small its text (the Fit button). */
  whole() {
    if (!this.svg) return;
    const fit = Math.min(this.paneWidth / this.box.width, this.paneHeight / this.box.height);
    this.#setWhole(Math.min(fit, MAX_SCALE));
  }

  /** The pane resized: the arrival's view again, unless the reader moved it. */
  resized() {
    if (!this.svg) return;
    if (this.touched) this.#apply();
    else this.readable();
  }

  zoomBy(factor, atX = this.paneWidth / 2, atY = this.paneHeight / 2) {
    if (!this.svg) return;
    const scale = Math.min(Math.max(this.scale * factor, this.#minZoom()), MAX_ZOOM);
    // The graph point under (atX, atY) stays there.
    const gx = this.x + atX / this.scale;
    const gy = this.y + atY / this.scale;
    this.scale = scale;
    this.x = gx - atX / scale;
    this.y = gy - atY / scale;
    this.touched = true;
    this.#apply();
  }

  /** Move the drawing by (dx, dy) screen pixels; how far it moved. */
  panBy(dx, dy) {
    if (!this.svg) return [0, 0];
    const before = [this.x, this.y];
    this.x -= dx / this.scale;
    this.y -= dy / this.scale;
    this.touched = true;
    this.#apply();
    return [(before[0] - this.x) * this.scale, (before[1] - this.y) * this.scale];
  }

  /** Bring a screen rectangle (getBoundingClientRect of drawn elements) into
   * view, centred, if any of it is outside the pane; no move if it is in. */
  reveal(rect, margin = 24) {
    if (!this.svg || !rect) return false;
    const pane = this.frame.getBoundingClientRect();
    const inside =
      rect.left >= pane.left + margin / 2 &&
      rect.right <= pane.right - margin / 2 &&
      rect.top >= pane.top + margin / 2 &&
      rect.bottom <= pane.bottom - margin / 2;
    if (inside) return false;
    const cx = (rect.left + rect.right) / 2 - pane.left;
    const cy = (rect.top + rect.bottom) / 2 - pane.top;
    this.x += (cx - this.paneWidth / 2) / this.scale;
    this.y += (cy - this.paneHeight / 2) / this.scale;
    this.#apply();
    return true;
  }

  /** Whether the drawing is larger than the pane at this scale. */
  get overflowing() {
    return (
      this.box.width * this.scale > this.paneWidth + 1 || this.box.height * this.scale > this.paneHeight + 1
    );
  }

  #minZoom() {
    const fit = Math.min(this.paneWidth / this.box.width, this.paneHeight / this.box.height);
    return Math.min(fit, MAX_SCALE) * 0.5;
  }

  #setWhole(scale) {
    this.scale = scale;
    // Centred: a small graph sits in the middle of the pane.
    this.x = this.box.x - (this.paneWidth / scale - this.box.width) / 2;
    this.y = this.box.y - (this.paneHeight / scale - this.box.height) / 2;
    this.#apply();
  }

  /** Keep some of the graph in view, write the viewBox, update the map. */
  #apply() {
    const w = this.paneWidth / this.scale;
    const h = this.paneHeight / this.scale;
    const { x, y, width, height } = this.box;
    // Larger than the pane: no empty band beyond its edges. Smaller: centred.
    this.x = width > w ? Math.min(Math.max(this.x, x), x + width - w) : x - (w - width) / 2;
    this.y = height > h ? Math.min(Math.max(this.y, y), y + height - h) : y - (h - height) / 2;
    this.svg?.setAttribute("viewBox", `${round(this.x)} ${round(this.y)} ${round(w)} ${round(h)}`);
    this.frame.dataset.scale = this.scale.toFixed(4);
    this.frame.dataset.textPx = this.textPx.toFixed(2);
    this.#drawMap();
    this.onChange(this);
  }

  // ---- overview map ----------------------------------------------------------

  #makeMap(svg) {
    if (!this.overview) return;
    if (this.mapURL) URL.revokeObjectURL(this.mapURL);
    const copy = svg.cloneNode(true);
    copy.setAttribute("viewBox", `${this.box.x} ${this.box.y} ${this.box.width} ${this.box.height}`);
    const blob = new Blob([new XMLSerializer().serializeToString(copy)], { type: "image/svg+xml" });
    this.mapURL = URL.createObjectURL(blob);
    const ratio = Math.min(OVERVIEW_PX / this.box.width, OVERVIEW_PX / this.box.height);
    this.mapScale = ratio;
    const img = this.overview.querySelector("img");
    img.src = this.mapURL;
    img.width = Math.max(Math.round(this.box.width * ratio), 1);
    img.height = Math.max(Math.round(this.box.height * ratio), 1);
  }

  #drawMap() {
    if (!this.overview) return;
    this.overview.hidden = !this.svg || !this.overflowing;
    if (this.overview.hidden) return;
    const r = this.mapScale;
    const view = this.overview.querySelector(".overview-view");
    const left = Math.max((this.x - this.box.x) * r, 0);
    const top = Math.max((this.y - this.box.y) * r, 0);
    const width = Math.min((this.paneWidth / this.scale) * r, this.box.width * r - left);
    const height = Math.min((this.paneHeight / this.scale) * r, this.box.height * r - top);
    // CSSOM, not a style attribute: allowed under the page's CSP.
    view.style.transform = `translate(${left.toFixed(1)}px, ${top.toFixed(1)}px)`;
    view.style.width = `${Math.max(width, 4).toFixed(1)}px`;
    view.style.height = `${Math.max(height, 4).toFixed(1)}px`;
  }

  #centreOnMap(event) {
    const img = this.overview.querySelector("img").getBoundingClientRect();
    const gx = this.box.x + (event.clientX - img.left) / this.mapScale;
    const gy = this.box.y + (event.clientY - img.top) / this.mapScale;
    this.x = gx - this.paneWidth / this.scale / 2;
    this.y = gy - this.paneHeight / this.scale / 2;
    this.touched = true;
    this.#apply();
  }

  // ---- input -----------------------------------------------------------------

  #listen() {
    const frame = this.frame;
    let drag = null;
    frame.addEventListener("pointerdown", (event) => {
      if (!this.svg || event.pointerType === "touch" || event.button !== 0) return;
      drag = { id: event.pointerId, x: event.clientX, y: event.clientY, moved: false };
    });
    frame.addEventListener("pointermove", (event) => {
      if (!drag || event.pointerId !== drag.id) return;
      const dx = event.clientX - drag.x;
      const dy = event.clientY - drag.y;
      if (!drag.moved && Math.hypot(dx, dy) < 3) return; // a click, not a drag
      if (!drag.moved) {
        // Captured only once it is a drag (it then follows the pointer out of
        // the pane): a capture from the press would retarget a plain click's
        // event to the pane, and a click on a node (a collapsed loop's box)
        // would never reach the node's handler.
        drag.moved = true;
        frame.setPointerCapture(event.pointerId);
      }
      frame.classList.add("is-dragging");
      this.panBy(dx, dy);
      drag.x = event.clientX;
      drag.y = event.clientY;
    });
    const end = (event) => {
      if (!drag || event.pointerId !== drag.id) return;
      if (drag.moved) {
        // The click that ends a drag is not a click on a node. It comes in
        // the same task as this pointerup, if at all (none after a cancel):
        // the guard goes after it, so it never eats a later, real click.
        const guard = (e) => e.stopImmediatePropagation();
        frame.addEventListener("click", guard, { capture: true, once: true });
        setTimeout(() => frame.removeEventListener("click", guard, { capture: true }), 0);
      }
      frame.classList.remove("is-dragging");
      drag = null;
    };
    frame.addEventListener("pointerup", end);
    frame.addEventListener("pointercancel", end);
    frame.addEventListener("wheel", (event) => this.#wheel(event), { passive: false });
    frame.addEventListener("dblclick", (event) => {
      const pane = frame.getBoundingClientRect();
      this.zoomBy(event.shiftKey ? 0.5 : 2, event.clientX - pane.left, event.clientY - pane.top);
    });
    frame.addEventListener("keydown", (event) => this.#key(event));
    this.#listenTouch();
    if (this.overview) {
      let mapDrag = false;
      this.overview.addEventListener("pointerdown", (event) => {
        event.stopPropagation();
        mapDrag = true;
        this.overview.setPointerCapture(event.pointerId);
        this.#centreOnMap(event);
      });
      this.overview.addEventListener("pointermove", (event) => mapDrag && this.#centreOnMap(event));
      const stop = () => (mapDrag = false);
      this.overview.addEventListener("pointerup", stop);
      this.overview.addEventListener("pointercancel", stop);
      this.overview.addEventListener("wheel", (event) => event.stopPropagation());
    }
  }

  #wheel(event) {
    if (!this.svg) return;
    const pane = this.frame.getBoundingClientRect();
    if (event.ctrlKey || event.metaKey) {
      // Ctrl + wheel, and a trackpad's pinch (which browsers send as it).
      event.preventDefault();
      const factor = Math.exp(-event.deltaY * (event.deltaMode === 1 ? 0.05 : 0.002));
      this.zoomBy(factor, event.clientX - pane.left, event.clientY - pane.top);
      return;
    }
    if (this.wheelMode !== "pan") return; // the page scrolls (an embed)
    const lines = event.deltaMode === 1 ? 16 : event.deltaMode === 2 ? this.paneHeight : 1;
    const dx = (event.shiftKey ? event.deltaY : event.deltaX) * lines;
    const dy = (event.shiftKey ? 0 : event.deltaY) * lines;
    const [movedX, movedY] = this.panBy(-dx, -dy);
    // At the drawing's edge the page scrolls, as a scrolling box would let it.
    if (Math.abs(movedX) + Math.abs(movedY) > 0.5) event.preventDefault();
  }

  #key(event) {
    if (event.target !== this.frame || event.ctrlKey || event.metaKey || event.altKey) return;
    const step = (event.shiftKey ? 3 : 1) * KEY_STEP;
    const moves = {
      ArrowLeft: [step * this.paneWidth, 0],
      ArrowRight: [-step * this.paneWidth, 0],
      ArrowUp: [0, step * this.paneHeight],
      ArrowDown: [0, -step * this.paneHeight],
    };
    if (event.key in moves) this.panBy(...moves[event.key]);
    else if (event.key === "+" || event.key === "=") this.zoomBy(1.25);
    else if (event.key === "-" || event.key === "_") this.zoomBy(0.8);
    else if (event.key === "0") this.whole();
    else if (event.key === "1") this.readable();
    else return;
    event.preventDefault();
  }

  #listenTouch() {
    // One finger is the page's (touch-action: pan-x pan-y in app.css); two
    // fingers pan and pinch the drawing.
    let pinch = null;
    const centre = (touches) => [
      (touches[0].clientX + touches[1].clientX) / 2,
      (touches[0].clientY + touches[1].clientY) / 2,
    ];
    const spread = (touches) =>
      Math.hypot(touches[0].clientX - touches[1].clientX, touches[0].clientY - touches[1].clientY);
    this.frame.addEventListener(
      "touchstart",
      (event) => {
        if (event.touches.length !== 2 || !this.svg) return;
        event.preventDefault();
        pinch = { centre: centre(event.touches), spread: spread(event.touches) };
      },
      { passive: false },
    );
    this.frame.addEventListener(
      "touchmove",
      (event) => {
        if (!pinch || event.touches.length !== 2) return;
        event.preventDefault();
        const [cx, cy] = centre(event.touches);
        const pane = this.frame.getBoundingClientRect();
        this.panBy(cx - pinch.centre[0], cy - pinch.centre[1]);
        const now = spread(event.touches);
        if (pinch.spread > 0) this.zoomBy(now / pinch.spread, cx - pane.left, cy - pane.top);
        pinch = { centre: [cx, cy], spread: now };
      },
      { passive: false },
    );
    const end = (event) => {
      if (event.touches.length < 2) pinch = null;
    };
    this.frame.addEventListener("touchend", end);
    this.frame.addEventListener("touchcancel", end);
  }
}

function round(x) {
  return Math.round(x * 100) / 100;
}

/** The font size most of the nodes' text has, in graph units. */
function bodyFontUnits(svg) {
  const counts = new Map();
  for (const text of svg.querySelectorAll("g.node text[font-size]")) {
    const size = parseFloat(text.getAttribute("font-size"));
    if (size > 0) counts.set(size, (counts.get(size) || 0) + 1);
  }
  let best = 10;
  let most = 0;
  for (const [size, count] of counts) {
    if (count > most || (count === most && size > best)) [best, most] = [size, count];
  }
  return best;
}

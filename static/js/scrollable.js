// Boxes of text that scroll (a 100-element value, a model's weight gradient,
// a long print) reachable by the keyboard: while a box's content is taller or
// wider than the box, it is a named region in the tab order, so arrow keys
// scroll it (WCAG 2.1.1; axe-core's scrollable-region-focusable). A box
// whose content fits is not a tab stop: a stop that scrolls nothing is noise.
// Whether a box scrolls depends on the layout (viewport, theme's fonts), so
// it is decided after layout and again whenever the box's size changes.

const boxes = new Map(); // element -> its accessible name
const observer = typeof ResizeObserver === "undefined" ? null : new ResizeObserver(() => update());

function update() {
  for (const [box, name] of boxes) {
    // 1 px of slack: sub-pixel line boxes make scrollHeight round up.
    const scrolls = box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1;
    if (scrolls) {
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", name);
    } else {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  }
}

/** Watch exactly these boxes (each [element, its name]); earlier ones are
 * forgotten, as the page replaces its tables rather than editing them. */
export function watchScrollables(entries) {
  observer?.disconnect();
  boxes.clear();
  for (const [box, name] of entries) {
    if (!box) continue;
    boxes.set(box, name);
    observer?.observe(box);
  }
  update(); // now, for content that changed inside a box of the same size
}

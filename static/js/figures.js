// The figures a program draws with matplotlib, beside its graph.
//
// Each figure of an answer (`figures: [{svg, title}]`) is shown as an <img>
// of its SVG (a blob: URL: the drawing stays an image, its ids and styles
// never meet the page's), with its title, a Copy <img> button for the
// figure's own URL (GET /api/v1/figure.svg?...&n=0) and downloads. The
// server-rendered page shows the same figures as images of their URLs;
// an answer of the script carries the SVGs, so no request is made for them.
// What is shown and downloaded is in the page's theme; the copied <img> is
// not (a dark page must not hand out dark embeds, as the graph's links).
// Without a query that fits a link (a program too long to share), the
// copy and the PNG download are off and say why; the SVG download works.

const PATH = "/api/v1/figure";

export class FiguresPanel {
  constructor(root) {
    this.root = root;
    this.list = root.querySelector("#figure-list");
    this.count = root.querySelector("#figures-count");
    this.status = root.querySelector("#figures-status");
    this.blobs = [];
    this.timer = null;
  }

  /** Show an answer's figures. `query` is the program's query (without the
   * theme), or null when it is too long for a link (`why` says so); `theme`
   * the page's, in which the figures are shown. */
  show(figures, query, why = "", theme = "light") {
    for (const url of this.blobs) URL.revokeObjectURL(url);
    this.blobs = [];
    const themed = query === null || theme === "light" ? query : `${query}&theme=${theme}`;
    // The arrival's images, as the server wrote their URLs: a card without an
    // SVG shows the same one, already loaded (its own URL would differ in
    // how the query is written, and be fetched again).
    const shown = [...this.list.querySelectorAll("img")].map((img) => img.getAttribute("src"));
    const items = (figures || []).map((figure, n) =>
      this.#card(figure, n, query, themed, why, shown[n]),
    );
    this.list.replaceChildren(...items);
    this.count.textContent = String(items.length);
    this.root.hidden = items.length === 0;
    this.setStale(false);
  }

  /** Grey the figures while what is on screen is not the program's own. */
  setStale(stale) {
    this.root.classList.toggle("is-stale", stale);
  }

  #card(figure, n, query, themed, why, shown = null) {
    const url = query === null ? null : `${PATH}.svg?${query}&n=${n}`;
    const png = themed === null ? null : `${PATH}.png?${themed}&n=${n}`;
    let source = null;
    if (figure.svg) {
      source = URL.createObjectURL(new Blob([figure.svg], { type: "image/svg+xml" }));
      this.blobs.push(source);
    } else if (themed !== null) {
      // No SVG in the answer (the arrival's page, a figure past the answer's
      // byte limit, or one matplotlib cannot draw): its URL draws it, or
      // answers the card that says why.
      const own = `${PATH}.svg?${themed}&n=${n}`;
      source = shown && sameURL(shown, own) ? shown : own;
    }
    const item = element("li", "figure-card");
    const frame = document.createElement("figure");
    if (source) {
      const open = element("a", "figure-open");
      open.href = source;
      open.target = "_blank";
      open.rel = "noopener";
      open.title = "Open the figure alone";
      const img = document.createElement("img");
      img.src = source;
      img.alt = figure.title;
      open.appendChild(img);
      frame.appendChild(open);
    } else {
      frame.appendChild(
        element("p", "figure-undrawn", "This figure is not drawn here (the warnings say why)."),
      );
    }
    const caption = document.createElement("figcaption");
    caption.appendChild(element("span", "figure-title", figure.title));
    const actions = element("span", "figure-actions");
    if (source) {
      const copy = element("button", "button", "Copy <img>");
      copy.type = "button";
      if (url) copy.addEventListener("click", () => this.#copy(url, figure.title, copy));
      else disable(copy, why);
      actions.append(
        copy,
        download(source, `figure-${n + 1}.svg`, "Download SVG"),
        png ? download(png, `figure-${n + 1}.png`, "Download PNG") : disabled("Download PNG", why),
      );
    }
    caption.appendChild(actions);
    frame.appendChild(caption);
    item.appendChild(frame);
    return item;
  }

  async #copy(url, title, button) {
    const snippet = `<img src="${escapeAttr(window.location.origin + url)}" alt="${escapeAttr(title)}">`;
    try {
      await navigator.clipboard.writeText(snippet);
    } catch {
      window.prompt("Copy the <img> snippet:", snippet);
      return;
    }
    button.classList.add("is-done");
    setTimeout(() => button.classList.remove("is-done"), 1200);
    this.status.textContent = `<img> of “${title}” copied`;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => (this.status.textContent = ""), 2500);
  }
}

function element(tag, className, text) {
  const el = document.createElement(tag);
  el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

function download(href, name, label) {
  const link = element("a", "button", label);
  link.href = href;
  link.download = name;
  return link;
}

function disabled(label, why) {
  const link = element("a", "button", label);
  disable(link, why);
  return link;
}

function disable(control, why) {
  control.setAttribute("aria-disabled", "true");
  if (control.tagName === "BUTTON") control.disabled = true;
  control.title = why;
}

function escapeAttr(text) {
  return text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}

/** Whether two of our URLs ask for the same thing, however their queries are written. */
function sameURL(a, b) {
  const [one, two] = [a, b].map((url) => new URL(url, window.location.origin));
  const entries = (url) => JSON.stringify([...url.searchParams].sort());
  return one.pathname === two.pathname && entries(one) === entries(two);
}

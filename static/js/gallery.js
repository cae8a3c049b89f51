// The lesson gallery: the cards are server-rendered links (they work without
// JavaScript); with it, a click loads the lesson from /api/v1/examples into
// the editor instead of reloading the page.

export class Gallery {
  constructor(list, { onLoad }) {
    this.list = list;
    this.onLoad = onLoad;
    this.examples = new Map();
    this.ready = fetch("/api/v1/examples", { headers: { accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : { examples: [] }))
      .then((data) => {
        for (const example of data.examples) this.examples.set(example.id, example);
      })
      .catch(() => {});
    list.addEventListener("click", (event) => {
      const link = event.target.closest("a[data-lesson]");
      if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
      event.preventDefault();
      this.load(link);
    });
  }

  async load(link) {
    await this.ready;
    const example = this.examples.get(link.dataset.lesson);
    if (example) {
      this.onLoad({
        source: example.source,
        inputs: example.inputs || {},
        output: example.output || "",
      });
    } else {
      // The API did not answer: the link's own query says the same.
      this.onLoad({ search: new URL(link.href).search });
    }
  }

  /** Mark the card whose program is in the editor. */
  markActive(source) {
    for (const link of this.list.querySelectorAll("a[data-lesson]")) {
      const example = this.examples.get(link.dataset.lesson);
      const active = example ? example.source.trim() === source.trim() : false;
      link.classList.toggle("is-active", active);
      if (active) link.setAttribute("aria-current", "true");
      else link.removeAttribute("aria-current");
    }
  }
}

// Share: the permalink, an <img> snippet, an <iframe> snippet and the
// download links, all the same query on different paths.

export class SharePanel {
  constructor(root) {
    this.root = root;
    this.status = root.querySelector("#copy-status");
    this.fields = {
      permalink: root.querySelector("#snippet-permalink"),
      img: root.querySelector("#snippet-img"),
      iframe: root.querySelector("#snippet-iframe"),
    };
    this.svg = root.querySelector("#download-svg");
    this.png = root.querySelector("#download-png");
    for (const button of root.querySelectorAll("[data-copy]")) {
      button.hidden = false;
      button.addEventListener("click", () => this.copy(button.dataset.copy, button));
    }
  }

  update(query) {
    const base = window.location.origin;
    const links = {
      permalink: `${base}/?${query}`,
      embed: `${base}/embed?${query}`,
      svg: `${base}/api/v1/graph.svg?${query}`,
      png: `${base}/api/v1/graph.png?${query}`,
    };
    this.fields.permalink.value = links.permalink;
    this.fields.img.value = `<img src="${escapeAttr(links.svg)}" alt="Autograd graph">`;
    this.fields.iframe.value =
      `<iframe src="${escapeAttr(links.embed)}" width="720" height="480" ` +
      `title="Autograd graph" loading="lazy"></iframe>`;
    this.svg.href = links.svg;
    this.png.href = links.png;
  }

  async copy(which, button) {
    const field = this.fields[which];
    const labels = { permalink: "Link", img: "<img> snippet", iframe: "<iframe> snippet" };
    try {
      await navigator.clipboard.writeText(field.value);
    } catch {
      // No clipboard permission (or an old browser): select it for Ctrl+C.
      this.root.querySelector("details").open = true;
      field.focus();
      field.select();
      this.say(`Press Ctrl+C to copy the ${labels[which]}`);
      return;
    }
    this.say(`${labels[which]} copied`);
    button.classList.add("is-done");
    setTimeout(() => button.classList.remove("is-done"), 1200);
  }

  say(message) {
    this.status.textContent = message;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => (this.status.textContent = ""), 2500);
  }
}

function escapeAttr(text) {
  return text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}

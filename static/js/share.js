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
    this.blocked = ""; // why no link can be offered, if none can
    this.buttons = [...root.querySelectorAll("[data-copy]")];
    this.links = { svg: this.svg.getAttribute("href"), png: this.png.getAttribute("href") };
    for (const button of this.buttons) {
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
    this.links = links;
    this.blocked = "";
    for (const button of this.buttons) {
      button.disabled = false;
      button.removeAttribute("title");
    }
    this.drawable(true);
  }

  /** No link can carry this state (the program is too long for a URL): say so. */
  unavailable(message) {
    this.blocked = message; // until a state that fits a link comes (update)
    for (const field of Object.values(this.fields)) field.value = "";
    for (const button of this.buttons) {
      button.disabled = true;
      button.title = message;
    }
    this.drawable(false, message);
    this.status.textContent = message;
    clearTimeout(this.timer);
  }

  /** The downloads exist only if the graph is drawn (else they would answer an error). */
  drawable(yes, reason = "") {
    if (this.blocked) [yes, reason] = [false, this.blocked]; // the links would be the last state's
    for (const [link, href] of [[this.svg, this.links.svg], [this.png, this.links.png]]) {
      if (yes) {
        link.href = href;
        link.removeAttribute("aria-disabled");
        link.removeAttribute("title");
      } else {
        link.removeAttribute("href");
        link.setAttribute("aria-disabled", "true");
        link.title = reason;
      }
    }
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

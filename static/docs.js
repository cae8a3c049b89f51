// /docs: what axe-core found in Swagger UI's markup, mended after each of
// its renders (it redraws as operations open and close):
// - an operation's summary is a button with a link inside it (the path, a
//   deep link): the link's href goes, so the button is the one control
//   (nested-interactive); the address bar still gets #/tag/operation;
// - example bodies scroll but cannot be focused, so a keyboard cannot
//   scroll them (scrollable-region-focusable): they become focusable.

function mend(root) {
  for (const link of root.querySelectorAll("button a[href], [role=button] a[href]")) {
    link.removeAttribute("href");
    link.removeAttribute("tabindex");
  }
  for (const block of root.querySelectorAll("pre.microlight, pre.example, .highlight-code > pre")) {
    if (!block.hasAttribute("tabindex")) block.setAttribute("tabindex", "0");
  }
}

let queued = false;
new MutationObserver(() => {
  if (queued) return;
  queued = true;
  requestAnimationFrame(() => {
    queued = false;
    mend(document);
  });
}).observe(document.documentElement, { childList: true, subtree: true });
mend(document);

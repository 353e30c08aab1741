/* The iframe embed: forward the picker's events, and its height, to the shop page that frames it.
 * Messages go to each of the retailer's allowed origins; the browser delivers only to the real one. */
(() => {
  "use strict";
  const origins = (document.body.dataset.parentOrigins || "").split(" ").filter(Boolean);
  const post = (message) => {
    if (window.parent === window) return;
    for (const origin of origins) window.parent.postMessage({ source: "slot-picker", ...message }, origin);
  };
  for (const type of ["slot-held", "hold-released", "hold-expired"]) {
    document.addEventListener(type, (event) => post({ type, detail: event.detail }));
  }
  let last = 0;
  new ResizeObserver(() => {
    const height = Math.ceil(document.documentElement.scrollHeight);
    if (height !== last) post({ type: "resize", height: (last = height) });
  }).observe(document.body);
})();

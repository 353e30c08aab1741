// The shop's side of the integration: listen to the picker, keep the hold id for the order form.
(() => {
  const holdField = document.getElementById("hold_id");
  const place = document.getElementById("place");
  const chosen = document.getElementById("chosen");
  const fee = document.getElementById("delivery-fee");
  const postcode = document.getElementById("postcode");
  const money = (m) => new Intl.NumberFormat("en-GB", { style: "currency", currency: m.currency }).format(m.amount / 100);

  function held(detail) {
    holdField.value = detail.hold_id;
    place.disabled = false;
    chosen.textContent = `Delivery ${detail.start.slice(0, 10)} ${detail.start.slice(11, 16)}–${detail.end.slice(11, 16)} is held for you.`;
    fee.textContent = money(detail.price);
  }
  function dropped(text) {
    holdField.value = "";
    place.disabled = true;
    chosen.textContent = text;
    fee.textContent = "choose a window";
  }

  // The web component: DOM events that bubble out of its shadow root.
  const picker = document.getElementById("picker");
  if (picker) {
    picker.addEventListener("slot-held", (e) => held(e.detail));
    picker.addEventListener("hold-released", () => dropped(""));
    picker.addEventListener("hold-expired", () => dropped("Your delivery window was released; please choose again."));
    postcode.addEventListener("change", () => picker.setAttribute("postcode", postcode.value.trim()));
  }

  // The iframe: the same events arrive as messages from the booking service's origin.
  const frame = document.getElementById("picker-frame");
  if (frame) {
    const service = new URL(frame.dataset.service).origin;
    const load = () => {
      const url = new URL(frame.dataset.src);
      url.searchParams.set("postcode", postcode.value.trim());
      frame.src = url.href;
    };
    window.addEventListener("message", (e) => {
      if (e.origin !== service || e.data?.source !== "slot-picker") return;
      if (e.data.type === "slot-held") held(e.data.detail);
      if (e.data.type === "hold-released") dropped("");
      if (e.data.type === "hold-expired") dropped("Your delivery window was released; please choose again.");
      if (e.data.type === "resize") frame.style.height = `${e.data.height}px`;
    });
    postcode.addEventListener("change", load);
    load();
  }
})();

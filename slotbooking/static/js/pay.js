/* The hosted card payment step. Stripe.js Elements takes the card and Stripe confirms the hold's
 * PaymentIntent; then we ask our own server (which asks Stripe, as webhooks may be late) until the
 * payment has succeeded and the hold is booked, and follow it to the booking or back to the grid. */
(() => {
  "use strict";

  const root = document.querySelector("[data-pay]");
  if (!root) return;
  const form = root.querySelector("[data-pay-form]");
  const button = root.querySelector("[data-pay-button]");
  const errorBox = root.querySelector("[data-pay-error]");
  const progress = root.querySelector("[data-pay-status]");
  const progressText = root.querySelector("[data-pay-status-text]");
  const { publishableKey, clientSecret, checkUrl, csrf } = root.dataset;
  // Its words, translated by the page (templates/shopper/_card_payment.html).
  const words = JSON.parse(document.getElementById("pay-strings").textContent);
  const { NOT_CHARGED, NOT_AUTHENTICATED, STILL_TRYING, UNREACHABLE, CHECKING } = words;

  root.querySelector("[data-pay-nojs]").remove();
  if (typeof window.Stripe !== "function") {
    root.querySelector("[data-pay-broken]").hidden = false;
    return;
  }
  const stripe = window.Stripe(publishableKey);
  const card = stripe.elements().create("card", {
    style: {
      base: {
        fontSize: "17px",
        color: "#15291c",
        fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif',
        "::placeholder": { color: "#6b7d70" },
      },
      invalid: { color: "#b3261e" },
    },
  });
  card.mount(root.querySelector("[data-card]"));
  form.hidden = false;

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const showError = (message) => {
    errorBox.textContent = message || "";
    errorBox.hidden = !message;
  };
  const busy = (on, text) => {
    button.disabled = on;
    form.setAttribute("aria-busy", String(on));
    progress.hidden = !on;
    if (text) progressText.textContent = text;
  };

  card.on("change", (event) => {
    // Stripe reports typing mistakes as the shopper types; a fixed field clears the message.
    if (event && event.error) showError(event.error.message);
    else if (event && !errorBox.hidden) showError("");
  });

  async function check() {
    const response = await fetch(checkUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf, Accept: "application/json" },
    });
    if (!response.ok) throw new Error(`the payment check answered ${response.status}`);
    return response.json();
  }

  /* Ask until the payment settles. Leaves the page when the server says where to go (booked, or the
   * hold ended); answers "open" when no payment is under way (none yet, or the card was not charged).
   * The hold's countdown ends the wait: at zero it reloads this page and the server decides. */
  async function follow() {
    let wait = 700;
    const started = Date.now();
    for (;;) {
      let answer;
      try {
        answer = await check();
      } catch {
        answer = { state: "unavailable", message: STILL_TRYING };
      }
      if (answer.next) {
        location.assign(answer.next);
        return "left";
      }
      if (answer.state === "open") return "open";
      if (Date.now() - started > 15000 && answer.message) progressText.textContent = answer.message;
      await sleep(wait);
      wait = Math.min(wait * 1.5, 5000);
    }
  }

  function failureMessage(result) {
    if (result.error && result.error.message) return result.error.message;
    const last = result.paymentIntent && result.paymentIntent.last_payment_error;
    if (last && last.code === "payment_intent_authentication_failure") return NOT_AUTHENTICATED;
    return NOT_CHARGED;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (button.disabled) return;
    showError("");
    busy(true, "Paying…");
    // A hold that lapsed on the server, or a payment already under way, is not paid (again).
    const before = await follow();
    if (before !== "open") return;
    let result;
    try {
      result = await stripe.confirmCardPayment(clientSecret, { payment_method: { card } });
    } catch {
      result = { error: { message: UNREACHABLE } };
    }
    if (result.error && result.error.type === "validation_error") {
      busy(false);
      showError(result.error.message);
      return;
    }
    busy(true, CHECKING);
    if ((await follow()) === "open") {
      busy(false);
      showError(failureMessage(result));
      button.focus();
    }
  });

  if ("resume" in root.dataset) {
    // Back on this page with a payment under way (or just made): finish it.
    busy(true, CHECKING);
    follow().then((outcome) => {
      if (outcome === "open") busy(false);
    });
  }
})();

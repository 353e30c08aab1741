/* Shopper pages, enhanced: day tabs switch in place, the hold counts down, forms submit once.
 * Every page works without this script; it only makes them quicker and clearer. */
(() => {
  "use strict";

  function dayTabs(grid) {
    const tabs = [...grid.querySelectorAll('[role="tab"]')];
    const select = (tab, focus) => {
      for (const other of tabs) {
        const on = other === tab;
        other.setAttribute("aria-selected", String(on));
        other.tabIndex = on ? 0 : -1;
        document.getElementById(other.getAttribute("aria-controls")).hidden = !on;
      }
      if (focus) tab.focus();
      tab.scrollIntoView({ block: "nearest", inline: "nearest" });
      const url = new URL(location.href);
      url.searchParams.set("day", tab.dataset.day);
      history.replaceState(null, "", url);
    };
    for (const tab of tabs) {
      tab.addEventListener("click", (event) => {
        event.preventDefault();
        select(tab, false);
      });
      tab.addEventListener("keydown", (event) => {
        const i = tabs.indexOf(tab);
        const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[event.key];
        if (to === undefined) return;
        event.preventDefault();
        select(tabs[(to + tabs.length) % tabs.length], true);
      });
    }
  }

  function countdown(card) {
    const total = Number(card.dataset.total) || 1;
    const deadline = Date.now() + Number(card.dataset.seconds) * 1000;
    const clock = card.querySelector("[data-clock]");
    const fill = card.querySelector("[data-fill]");
    const announce = card.querySelector("[data-announce]");
    const box = card.querySelector(".countdown");
    let spoken = null;
    const step = () => {
      const secs = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      clock.textContent = `${Math.floor(secs / 60)}:${String(secs % 60).padStart(2, "0")}`;
      fill.style.width = `${Math.min(100, (secs / total) * 100)}%`;
      box.classList.toggle("countdown--low", secs <= 120);
      const minutes = Math.ceil(secs / 60);
      if (secs > 0 && minutes !== spoken && (minutes <= 2 || minutes % 5 === 0)) {
        // The page words it (data-left-one / data-left-other, "{n}" for the minutes).
        const words = minutes === 1 ? announce.dataset.leftOne : announce.dataset.leftOther;
        if (spoken !== null) announce.textContent = words.replace("{n}", String(minutes));
        spoken = minutes;
      }
      if (secs > 0) return;
      clearInterval(timer);
      card.querySelector("[data-expired]").hidden = false;
      box.hidden = true;
      for (const button of card.querySelectorAll("button")) button.disabled = true;
      // The server decides: it shows the grid again with the reason once the hold has lapsed.
      setTimeout(() => location.assign(card.dataset.expiredUrl), 1500);
    };
    const timer = setInterval(step, 1000);
    step();
  }

  function submitOnce(form) {
    form.addEventListener("submit", () => {
      setTimeout(() => {
        for (const button of form.querySelectorAll("button")) button.disabled = true;
      }, 0);
    });
  }

  document.querySelectorAll("[data-grid]").forEach(dayTabs);
  document.querySelectorAll("[data-countdown]").forEach(countdown);
  document.querySelectorAll("form[data-once]").forEach(submitOnce);
})();

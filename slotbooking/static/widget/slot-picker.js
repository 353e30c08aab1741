/* <slot-picker>: a delivery slot picker in its own shadow DOM. No build step, no dependencies.
 * Usage: <script src="https://<host>/widget/slot-picker.js" defer></script>
 *        <slot-picker publishable-key="pk_..." postcode="N1 2AB"></slot-picker>
 * Events (bubbling, composed): slot-held, hold-released, hold-expired. Guide: docs/widget.md
 * Its words come from the server, translated: a <script type="application/json" id="slot-picker-strings">
 * on the page (the embed has one), else GET /widget/strings?lang=<the locale attribute or the page's lang>. */
(() => {
  "use strict";
  if (customElements.get("slot-picker")) return;
  const here = document.currentScript && document.currentScript.src;
  const BASE = here ? new URL("../", here).href : location.origin + "/";

  const STYLE = `
:host{--_accent:var(--slot-picker-accent,#1f7a4d);--_on-accent:var(--slot-picker-accent-text,#fff);
--_bg:var(--slot-picker-background,#fff);--_surface:var(--slot-picker-surface,#f5f8f5);--_text:var(--slot-picker-text,#17301f);
--_muted:var(--slot-picker-muted,#52655a);--_border:var(--slot-picker-border,#d5e0d8);--_radius:var(--slot-picker-radius,10px);
--_green:var(--slot-picker-green,#17653c);--_green-bg:var(--slot-picker-green-background,#e2f3e7);
--_wide:var(--slot-picker-wide,#235c74);--_wide-bg:var(--slot-picker-wide-background,#e3eff4);
--_focus:var(--slot-picker-focus,#0b57d0);
display:block;font:var(--slot-picker-font,15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif);color:var(--_text);
background:var(--_bg);border:1px solid var(--_border);border-radius:var(--_radius);padding:14px;box-sizing:border-box;max-width:100%}
*{box-sizing:border-box}button,input{font:inherit;color:inherit}
.head{display:flex;justify-content:space-between;align-items:baseline;gap:8px;flex-wrap:wrap;margin:0 0 10px}
.title{font-weight:650;margin:0;font-size:1.05em}.muted{color:var(--_muted);font-size:.9em}
.link{background:none;border:0;padding:2px;color:var(--_accent);text-decoration:underline;cursor:pointer}
.days{display:flex;gap:6px;overflow-x:auto;width:0;min-width:calc(100% + 6px);padding:3px;margin:0 -3px 8px;scroll-snap-type:x proximity;scrollbar-width:thin}
.day{flex:0 0 auto;min-width:66px;scroll-snap-align:start;border:1px solid var(--_border);background:var(--_bg);border-radius:8px;
padding:6px 8px;text-align:center;cursor:pointer;line-height:1.2}
.day b{display:block;font-size:.8em;font-weight:600;text-transform:uppercase;letter-spacing:.03em;color:var(--_muted)}
.day small{display:block;font-size:.75em;color:var(--_muted);margin-top:2px}
.day[aria-selected=true]{background:var(--_accent);border-color:var(--_accent);color:var(--_on-accent)}
.day[aria-selected=true] b,.day[aria-selected=true] small{color:inherit}
.group{font-size:.8em;font-weight:600;color:var(--_muted);margin:12px 0 6px;text-transform:uppercase;letter-spacing:.03em}
ul{list-style:none;margin:0;padding:0;display:grid;gap:6px}
.win{width:100%;display:grid;grid-template-columns:1fr auto;gap:2px 10px;text-align:left;border:1px solid var(--_border);
background:var(--_bg);border-radius:8px;padding:9px 11px;cursor:pointer}
.win:hover:not(:disabled){border-color:var(--_accent)}
.win[aria-pressed=true]{border:2px solid var(--_accent);padding:8px 10px;background:var(--_surface)}
.win:disabled{cursor:not-allowed;opacity:.6;background:var(--_surface)}
.time{font-weight:650}.price{text-align:right;font-weight:650;white-space:nowrap}
.price s{font-weight:400;color:var(--_muted);margin-right:4px}
.tags,.why{grid-column:1/-1;display:flex;flex-wrap:wrap;gap:4px;font-size:.82em}.why{display:block;color:var(--_muted)}
.badge{border-radius:99px;padding:1px 8px;font-weight:600;background:var(--_surface);color:var(--_muted)}
.badge.green{background:var(--_green-bg);color:var(--_green)}.badge.wide{background:var(--_wide-bg);color:var(--_wide)}
.held{margin-top:10px;border-radius:8px;background:var(--_surface);border:1px solid var(--_border);padding:9px 11px;display:flex;
justify-content:space-between;align-items:center;gap:8px;flex-wrap:wrap}
.clock{font-variant-numeric:tabular-nums;font-weight:700}
.msg{margin:8px 0;padding:8px 10px;border-radius:8px;background:#fff4e0;color:#6b4300;border:1px solid #f1d7a6}
.msg:empty{display:none}
form{display:flex;gap:6px;flex-wrap:wrap}input{flex:1 1 120px;min-width:0;padding:8px 10px;border:1px solid var(--_border);border-radius:8px;background:var(--_bg)}
.go{background:var(--_accent);color:var(--_on-accent);border:0;border-radius:8px;padding:8px 14px;font-weight:600;cursor:pointer}
:focus-visible{outline:3px solid var(--_focus);outline-offset:2px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}`;

  let sheet = null;
  const adopt = (root) => {
    try {
      sheet = sheet || new CSSStyleSheet();
      if (!sheet.cssRules.length) sheet.replaceSync(STYLE);
      root.adoptedStyleSheets = [sheet];
    } catch {
      root.append(h("style", {}, STYLE));
    }
  };

  function h(tag, attrs, ...kids) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? "" : v);
    }
    el.append(...kids.flat(Infinity).filter((k) => k != null && k !== false));
    return el;
  }

  const wall = (iso) => new Date(Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10), +iso.slice(11, 13), +iso.slice(14, 16)));
  const mmss = (s) => `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;

  // The picker's words: {messages, locale} from the server; one fetch per language and page.
  const fetched = {};
  const loadStrings = (lang) => {
    const inline = document.getElementById("slot-picker-strings");
    if (inline) return Promise.resolve(JSON.parse(inline.textContent));
    const url = `${BASE}widget/strings?${new URLSearchParams(lang ? { lang } : {})}`;
    fetched[url] = fetched[url] || fetch(url, { credentials: "omit" }).then((r) => (r.ok ? r.json() : Promise.reject(r)));
    return fetched[url];
  };
  // Fill {name} placeholders; a plural message is a {one, other} object picked by Intl.PluralRules.
  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (all, k) => (k in values ? values[k] : all));

  class SlotPicker extends HTMLElement {
    static observedAttributes = ["postcode", "publishable-key"];

    constructor() {
      super();
      this.root = this.attachShadow({ mode: "open" });
      adopt(this.root);
      this.view = h("div", { part: "container" });
      this.status = h("p", { class: "sr", role: "status", "aria-live": "polite" });
      this.root.append(this.view, this.status);
      this.s = { offer: null, day: null, held: null, message: "", busy: false };
      this.skew = 0;
      this.words = null;
    }

    connectedCallback() {
      this.postcode = this.getAttribute("postcode") || "";
      this.ready = loadStrings(this.getAttribute("locale") || document.documentElement.lang || navigator.language)
        .then((strings) => (this.words = strings))
        .catch(() => (this.words = { locale: "en-GB", messages: {} }));
      this.ready.then(() => this.load());
    }

    /** A message in the picker's language, its placeholders filled (n picks a plural form). */
    t(key, values = {}) {
      let text = this.words?.messages[key];
      if (text == null) return key === "no_answer" ? "The delivery service did not answer." : key;
      if (typeof text === "object") text = text[new Intl.PluralRules(this.lang).select(values.n)] ?? text.other;
      return fill(text, values);
    }

    get lang() {
      return this.words?.locale || this.getAttribute("locale") || document.documentElement.lang || "en-GB";
    }

    disconnectedCallback() {
      clearInterval(this.timer);
    }

    attributeChangedCallback(name, before, after) {
      if (!this.isConnected || !this.words || before === after || before === null) return;
      if (name === "postcode") this.postcode = after || "";
      this.load();
    }

    /** The live hold, as the slot-held event described it, or null. */
    get hold() {
      return this.s.held ? { ...this.s.held } : null;
    }

    get api() {
      return (this.getAttribute("api-base") || BASE + "api/v1").replace(/\/$/, "");
    }

    get fmt() {
      const lang = this.lang;
      const currency = this.s.offer?.slots[0]?.price.currency || "GBP";
      const money = new Intl.NumberFormat(lang, { style: "currency", currency });
      const digits = money.resolvedOptions().maximumFractionDigits;
      return {
        money: (m) => (m.amount === 0 ? this.t("free") : money.format(m.amount / 10 ** digits)),
        number: (n, decimals = 0) => new Intl.NumberFormat(lang, { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(n),
        time: new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", timeZone: "UTC" }),
        dow: new Intl.DateTimeFormat(lang, { weekday: "short", timeZone: "UTC" }),
        date: new Intl.DateTimeFormat(lang, { day: "numeric", month: "short", timeZone: "UTC" }),
        long: new Intl.DateTimeFormat(lang, { weekday: "long", day: "numeric", month: "long", timeZone: "UTC" }),
      };
    }

    async call(method, path, body) {
      const headers = { Authorization: `Bearer ${this.getAttribute("publishable-key") || ""}`, Accept: "application/json" };
      if (body) headers["Content-Type"] = "application/json";
      const res = await fetch(this.api + path, { method, headers, body: body && JSON.stringify(body), credentials: "omit" });
      const data = res.status === 204 ? null : await res.json().catch(() => null);
      if (!res.ok) throw Object.assign(new Error(data?.error?.message || this.t("no_answer")), { code: data?.error?.code });
      return data;
    }

    async syncClock() {
      try {
        const t0 = Date.now();
        const res = await fetch(BASE + "widget/clock", { credentials: "omit" });
        const { now } = await res.json();
        this.skew = Date.parse(now) - (t0 + Date.now()) / 2;
      } catch {
        this.skew = 0;
      }
    }

    emit(type, detail) {
      this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
    }

    async load(message = "") {
      this.s.message = message;
      if (!this.postcode) return this.render();
      this.s.busy = true;
      this.render();
      try {
        const q = new URLSearchParams({ postcode: this.postcode, days: this.getAttribute("days") || "7" });
        const [offer] = await Promise.all([this.call("GET", `/slots?${q}`), this.skew ? null : this.syncClock()]);
        this.s.offer = offer;
        const days = [...new Set(offer.slots.map((s) => s.start.slice(0, 10)))];
        const open = days.find((d) => offer.slots.some((s) => s.available && s.start.startsWith(d)));
        if (!days.includes(this.s.day)) this.s.day = open || days[0] || null;
      } catch (err) {
        this.s.offer = null;
        this.s.message = err.code === "address_not_served" ? this.t("not_served", { postcode: this.postcode }) : err.message;
      }
      this.s.busy = false;
      this.render();
      if (this.s.message) this.say(this.s.message);
    }

    say(text) {
      this.status.textContent = "";
      setTimeout(() => (this.status.textContent = text), 50);
    }

    async choose(slot) {
      if (this.s.busy || this.s.held?.slot_id === slot.id) return;
      const before = this.s.held;
      this.s.busy = true;
      try {
        const hold = await this.call("POST", "/holds", { slot_id: slot.id, quote_id: this.s.offer.quote_id, address: { postcode: this.postcode } });
        if (before) this.release(before, false);
        this.s.held = { hold_id: hold.id, slot_id: slot.id, price: hold.price, start: slot.start, end: slot.end, expires_at: hold.expires_at };
        this.s.message = "";
        this.s.busy = false;
        this.render(`w-${slot.id}`);
        this.tick();
        this.say(this.t("held", { window: this.describe(slot), n: this.left() }));
        this.emit("slot-held", { ...this.s.held });
      } catch (err) {
        this.s.busy = false;
        const full = err.code === "slot_full" || err.code === "slot_unavailable";
        await this.load(full ? this.t("filled_up") : err.message);
      }
    }

    release(held, rerender = true) {
      this.call("DELETE", `/holds/${encodeURIComponent(held.hold_id)}`).catch(() => {});
      this.emit("hold-released", { hold_id: held.hold_id, slot_id: held.slot_id });
      if (rerender) {
        this.s.held = null;
        clearInterval(this.timer);
        this.render(`w-${held.slot_id}`);
        this.say(this.t("released"));
      }
    }

    left() {
      return Math.ceil(this.remaining() / 60);
    }

    remaining() {
      return Math.max(0, Math.round((Date.parse(this.s.held.expires_at) - Date.now() - this.skew) / 1000));
    }

    tick() {
      clearInterval(this.timer);
      let spoken = this.left();
      const step = () => {
        if (!this.s.held) return clearInterval(this.timer);
        const secs = this.remaining();
        const clock = this.root.querySelector(".clock");
        if (clock) clock.textContent = mmss(secs);
        if (secs <= 0) {
          clearInterval(this.timer);
          const gone = this.s.held;
          this.s.held = null;
          this.emit("hold-expired", { hold_id: gone.hold_id, slot_id: gone.slot_id });
          this.load(this.t("hold_ran_out"));
        } else if (Math.ceil(secs / 60) < spoken && (secs <= 120 || secs % 300 < 60)) {
          spoken = Math.ceil(secs / 60);
          this.say(this.t("minutes_left", { n: spoken }));
        }
      };
      step();
      this.timer = setInterval(step, 1000);
    }

    emits(f, grams) {
      if (grams < 1000) return this.t("emits_grams", { grams: f.number(Math.max(10, Math.round(grams / 10) * 10)) });
      return this.t("emits_kg", { kg: f.number(grams / 1000, 1) });
    }

    describe(slot) {
      const f = this.fmt;
      return this.t("window_on_day", { day: f.long.format(wall(slot.start)), start: f.time.format(wall(slot.start)), end: f.time.format(wall(slot.end)) });
    }

    render(focusKey) {
      if (!this.words) return;
      const active = focusKey || this.root.activeElement?.dataset.key;
      const f = this.fmt;
      const { offer, held, busy } = this.s;
      const parts = [];
      if (this.postcode) {
        parts.push(h("div", { class: "head" },
          h("span", { class: "muted" }, `${this.t("delivering_to", { postcode: this.postcode })} `,
            this.hasAttribute("postcode") ? null : h("button", { class: "link", "data-key": "change", onclick: () => { this.postcode = ""; this.render("postcode"); } }, this.t("change")))));
      } else {
        parts.push(h("form", { onsubmit: (e) => { e.preventDefault(); this.postcode = e.target.elements.postcode.value.trim(); this.load(); } },
          h("label", { class: "sr", for: "pc" }, this.t("postcode_label")),
          h("input", { id: "pc", name: "postcode", autocomplete: "postal-code", placeholder: this.t("postcode_placeholder"), required: true, maxlength: "16", "data-key": "postcode" }),
          h("button", { class: "go", "data-key": "go" }, this.t("show_windows"))));
      }
      parts.push(h("p", { class: "msg", role: this.s.message ? "alert" : null }, this.s.message));
      if (busy && !offer) parts.push(h("p", { class: "muted", "aria-busy": "true" }, this.t("loading")));
      if (offer && this.postcode) parts.push(...this.grid(f, offer, held));
      if (held) {
        parts.push(h("div", { class: "held", part: "held" },
          h("span", {}, `${this.t("held_for")} `, h("span", { class: "clock", "aria-hidden": "true" }, mmss(this.remaining())),
            h("span", { class: "sr" }, this.t("minutes", { n: this.left() })), ` · ${f.money(held.price)}`),
          h("button", { class: "link", "data-key": "release", onclick: () => this.release(held) }, this.t("release"))));
      }
      this.view.replaceChildren(...parts);
      const again = active && this.root.querySelector(`[data-key="${CSS.escape(active)}"]`);
      if (again) again.focus();
    }

    grid(f, offer, held) {
      const days = [...new Set(offer.slots.map((s) => s.start.slice(0, 10)))];
      if (!days.length) return [h("p", { class: "muted" }, this.t("no_windows"))];
      const pick = (d, focus) => { this.s.day = d; this.render(focus ? `d-${d}` : null); };
      const onKey = (e) => {
        const i = days.indexOf(this.s.day);
        const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: days.length - 1 }[e.key];
        if (to == null) return;
        e.preventDefault();
        pick(days[(to + days.length) % days.length], true);
      };
      const strip = h("div", { class: "days", role: "tablist", "aria-label": this.t("delivery_day"), onkeydown: onKey },
        days.map((d) => {
          const open = offer.slots.filter((s) => s.available && s.start.startsWith(d));
          const full = offer.slots.some((s) => s.start.startsWith(d) && /full/.test(s.unavailable_reason || ""));
          const from = open.length ? f.money(open.reduce((a, s) => (s.price.amount < a.amount ? s.price : a), open[0].price)) : full ? this.t("full") : this.t("closed");
          const on = d === this.s.day;
          return h("button", { class: "day", part: "day", role: "tab", id: `t-${d}`, "aria-selected": String(on), "aria-controls": "panel",
            tabindex: on ? "0" : "-1", "data-key": `d-${d}`, onclick: () => pick(d, true) },
            h("b", {}, f.dow.format(wall(d + "T12:00"))), f.date.format(wall(d + "T12:00")), h("small", {}, open.length ? this.t("from_price", { price: from }) : from));
        }));
      const slots = offer.slots.filter((s) => s.start.startsWith(this.s.day));
      const widths = [...new Set(slots.map((s) => s.width_minutes))].sort((a, b) => b - a);
      const panel = h("div", { role: "tabpanel", id: "panel", "aria-labelledby": `t-${this.s.day}` },
        widths.map((w) => [
          h("p", { class: "group" }, w % 60 ? this.t("group_minutes", { minutes: w }) : this.t("group_hours", { n: w / 60 })),
          h("ul", { role: "list" }, slots.filter((s) => s.width_minutes === w).map((s) => h("li", {}, this.windowButton(f, s, held)))),
        ]));
      return [strip, panel];
    }

    windowButton(f, s, held) {
      const kinds = (s.incentives || []).map((i) => i.kind);
      const reason = (k) => (s.incentives || []).find((i) => i.kind === k)?.reason;
      const badges = [];
      if (s.green) badges.push(["green", this.t("green_window")]);
      if (s.width_minutes >= 120 || kinds.includes("wide")) badges.push(["wide", this.t("wide_window")]);
      const biggest = (s.incentives || []).filter((i) => i.reason).sort((a, b) => Math.abs(b.amount) - Math.abs(a.amount))[0];
      const why = s.green_reason || reason("green") || reason("wide") || biggest?.reason || (s.green && s.co2_grams != null ? this.emits(f, s.co2_grams) : null);
      const cut = s.price.amount < s.base_price.amount;
      const status = s.available ? (s.remaining != null && s.remaining <= 3 ? this.t("only_left", { count: s.remaining }) : null) : /full/.test(s.unavailable_reason || "full") ? this.t("full") : this.t("closed");
      return h("button", { class: "win", part: "window", "aria-pressed": String(held?.slot_id === s.id), disabled: !s.available,
        "data-key": `w-${s.id}`, onclick: () => this.choose(s) },
        h("span", { class: "time" }, `${f.time.format(wall(s.start))}–${f.time.format(wall(s.end))}`),
        h("span", { class: "price" }, cut ? h("s", {}, h("span", { class: "sr" }, `${this.t("was")} `), f.money(s.base_price)) : null,
          cut ? h("span", { class: "sr" }, `${this.t("now")} `) : null, f.money(s.price)),
        badges.length || status ? h("span", { class: "tags" }, badges.map(([k, label]) => h("span", { class: `badge ${k}` }, label)),
          status ? h("span", { class: "badge" }, status) : null) : null,
        why && s.available ? h("span", { class: "why" }, why) : null);
    }
  }

  customElements.define("slot-picker", SlotPicker);
})();

// An announcement's progress (GET /v1/announcements/{id}, polled): state, a progress bar, counts
// per language and channel, the failed deliveries with their reasons (GET …/{id}/failures, paged),
// RSVP tallies, cancel. And the announcements this key may see (GET /v1/announcements, newest
// first, paged), with a field to open any by id.
import { api } from "../api";
import { Me, View, errorBlock, isNotFound } from "../context";
import { clear, field, h, liveRegion } from "../dom";
import { formatDateTime, languageName, StringKey, t, tOr } from "../i18n";

const phases = ["queued", "deferred", "sent", "delivered", "failed", "opted_out", "cancelled"] as const;
type Phase = (typeof phases)[number];
type Counts = Partial<Record<Phase, number>>;
type AnnouncementState = "scheduled" | "fanning_out" | "fanned_out" | "cancelled";

interface Progress {
  id: string;
  state: AnnouncementState;
  school?: string;
  created_by: string;
  created_at: string;
  send_at?: string;
  cancelled_by?: string;
  cancelled_at?: string;
  fan_out: { families: number | null; families_done: number; deliveries: number };
  totals: Record<Phase, number>;
  by_language: Record<string, Record<string, Counts>>;
  rsvp?: { options: { label: string; answers: number }[] };
  voice_answers?: { confirmed: number; call_back: number };
  announcement?: { subject?: string; body?: string };
}

// One failed delivery of GET /v1/announcements/{id}/failures (oldest first).
interface Failure {
  delivery: string;
  family: string;
  guardian?: string;
  language?: string;
  channel: string;
  state: "failed" | "dead" | "undelivered";
  reason?: string;
  attempts?: number;
  failed_at: string;
}

interface FailurePage {
  announcement: string;
  total: number;
  failures: Failure[];
  next: string | null; // null on the last page
}

// One announcement of GET /v1/announcements (newest first).
interface AnnouncementSummary {
  id: string;
  state: AnnouncementState;
  school?: string;
  created_by: string;
  created_at: string;
  send_at?: string;
  subject?: string;
  body?: string;
  totals?: Counts;
}

interface AnnouncementPage {
  announcements: AnnouncementSummary[];
  next: string | null; // null on the last page
}

const failurePageSize = 50; // the server's default; at most 200
const announcementPageSize = 20; // the server's default; at most 100

// How far along: deliveries no longer waiting, out of those created; 100 only once fan-out ended.
export function percentDone(p: Progress): number {
  if (p.state === "scheduled") return 0;
  const pending = (p.totals.queued ?? 0) + (p.totals.deferred ?? 0);
  const total = p.fan_out.deliveries;
  let percent = total > 0 ? Math.floor(((total - pending) * 100) / total) : p.state === "fanned_out" ? 100 : 0;
  if (p.state === "fanning_out") percent = Math.min(percent, 99);
  return percent;
}

function finished(p: Progress): boolean {
  const pending = (p.totals.queued ?? 0) + (p.totals.deferred ?? 0);
  return (p.state === "fanned_out" || p.state === "cancelled") && pending === 0;
}

function phaseHeaders(): HTMLTableRowElement {
  return h("tr", {}, ...phases.map((phase) => h("th", { scope: "col" }, t(`phase_${phase}` as StringKey))));
}

function failuresPath(id: string, limit: number, after: string | null): string {
  const query = new URLSearchParams({ limit: String(limit) });
  if (after !== null) query.set("after", after);
  return `/v1/announcements/${encodeURIComponent(id)}/failures?${query}`;
}

function failureHeaders(): HTMLTableRowElement {
  const labels: StringKey[] = ["failureFamily", "failureGuardian", "language", "channel", "state", "failureReason", "failureAttempts", "failureWhen"];
  return h("tr", {}, ...labels.map((label) => h("th", { scope: "col" }, t(label))));
}

// The reason is the provider's or the worker's own words: a text node, never markup.
function failureRow(f: Failure): HTMLTableRowElement {
  return h(
    "tr",
    { "data-delivery": f.delivery, "data-state": f.state, "data-channel": f.channel },
    h("td", {}, f.family),
    h("td", {}, f.guardian || "—"),
    h("td", {}, f.language ? languageName(f.language) : "—"),
    h("td", {}, tOr(`channel_${f.channel}`, f.channel)),
    h("td", {}, tOr(`failureState_${f.state}`, f.state)),
    h("td", { class: "reason", dir: "auto" }, f.reason || "—"),
    h("td", {}, String(f.attempts ?? 0)),
    h("td", {}, f.failed_at ? h("time", { datetime: f.failed_at }, formatDateTime(f.failed_at)) : "—"),
  );
}

export const progressView: View = (container: HTMLElement, _me: Me, params: string[]) => {
  const id = params[0] ?? "";
  const heading = h("h1", {}, t("progressTitle", { id }));
  const summary = h("div", { class: "progress-summary" });
  const bar = h("progress", { max: 100, value: 0, id: "announcement-progress" });
  const percentText = h("p", { class: "percent", role: "status", "aria-live": "polite" });
  const details = h("div", { class: "progress-details" });
  const failureList = h("div");
  const failureTable = h("div", { class: "failure-table" });
  const failures = h(
    "section",
    { class: "failures", "aria-labelledby": "failures-title" },
    h("h2", { id: "failures-title" }, t("failures")),
    failureList,
    failureTable,
  );
  const cancelStatus = liveRegion();
  const cancelButton = h("button", { type: "button", class: "danger cancel-announcement" }, t("cancelAnnouncement"));
  let timer: number | undefined;
  let stopped = false;
  let failuresShownFor = -1; // the failed count the table was loaded for
  let failuresLoad = 0; // counts the table's loads: an answer to an older one is dropped
  let failureRowsShown = 0;

  cancelButton.addEventListener("click", async () => {
    if (!window.confirm(t("confirmCancel"))) return;
    cancelButton.disabled = true;
    try {
      const after = await api<Progress>("POST", `/v1/announcements/${encodeURIComponent(id)}/cancel`);
      cancelStatus.textContent = t("cancelled");
      draw(after);
    } catch (error) {
      cancelStatus.replaceChildren(errorBlock(error));
      cancelButton.disabled = false;
    }
  });

  // The failed deliveries, oldest first, loaded again whenever the failed count changes (as many
  // rows as were shown, so "Show more" is not undone by a poll), with "Show more" while the
  // server has a next page.
  async function showFailures(p: Progress): Promise<void> {
    const failed = p.totals.failed ?? 0;
    if (failed === failuresShownFor) return;
    failuresShownFor = failed;
    const load = ++failuresLoad;
    if (failed === 0) {
      failureRowsShown = 0;
      failureTable.replaceChildren();
      return;
    }
    try {
      const limit = Math.min(200, Math.max(failurePageSize, failureRowsShown));
      const page = await api<FailurePage>("GET", failuresPath(id, limit, null));
      if (stopped || load !== failuresLoad) return;
      drawFailures(page, load);
    } catch (error) {
      if (stopped || load !== failuresLoad) return;
      if (!isNotFound(error)) failuresShownFor = -1; // tried again at the next poll
      failureTable.replaceChildren(errorBlock(error));
    }
  }

  function drawFailures(first: FailurePage, load: number): void {
    let next = first.next;
    let total = first.total;
    let shown = first.failures.length;
    const rows = h("tbody", {}, ...first.failures.map(failureRow));
    const table = h(
      "table",
      { class: "failure-list", tabindex: -1 },
      h("caption", {}, t("failedDeliveries")),
      h("thead", {}, failureHeaders()),
      rows,
    );
    const count = liveRegion("hint failure-count");
    const moreStatus = h("div", { "aria-live": "polite" });
    const more = h("button", { type: "button", class: "show-more" }, t("showMore"));
    const update = (): void => {
      failureRowsShown = shown;
      count.textContent = t("failuresShown", { shown, count: total });
      more.hidden = next === null;
    };
    more.addEventListener("click", async () => {
      if (next === null) return;
      more.disabled = true;
      moreStatus.replaceChildren();
      try {
        const page = await api<FailurePage>("GET", failuresPath(id, failurePageSize, next));
        if (stopped || load !== failuresLoad) return;
        rows.append(...page.failures.map(failureRow));
        shown += page.failures.length;
        total = page.total;
        next = page.next;
        update();
        if (more.hidden) table.focus(); // the button that had focus is gone
      } catch (error) {
        if (!stopped && load === failuresLoad) moreStatus.replaceChildren(errorBlock(error));
      } finally {
        more.disabled = false;
      }
    });
    update();
    if (shown === 0) {
      // Counted as failed but not listed (yet, or no more: a retry took it back): asked again
      // at the next poll.
      failuresShownFor = -1;
      failureTable.replaceChildren(h("p", { class: "hint" }, t("failuresNoneListed")));
      return;
    }
    failureTable.replaceChildren(table, count, h("div", { class: "buttons" }, more), moreStatus);
  }

  function draw(p: Progress): void {
    const percent = percentDone(p);
    bar.value = percent;
    bar.setAttribute("aria-valuetext", t("percentDone", { percent }));
    bar.dataset.percent = String(percent);
    percentText.textContent = t("percentDone", { percent });
    const text = p.announcement?.subject || p.announcement?.body || "";
    heading.textContent = t("progressTitle", { id: p.id });
    clear(summary);
    summary.append(
      ...[
      h("p", {}, t("state"), ": ", h("strong", { class: `state state-${p.state}`, "data-state": p.state }, t(`state_${p.state}` as StringKey))),
      text ? h("p", { class: "excerpt", dir: "auto" }, text.length > 160 ? `${text.slice(0, 160)}…` : text) : null,
      h("p", {}, t("createdBy", { who: p.created_by, when: formatDateTime(p.created_at) })),
      p.send_at ? h("p", {}, t("scheduledFor", { when: formatDateTime(p.send_at) })) : null,
      h(
        "p",
        {},
        t("familiesDone", {
          done: p.fan_out.families_done,
          families: p.fan_out.families ?? "—",
          deliveries: p.fan_out.deliveries,
        }),
      ),
      ].filter((node): node is HTMLParagraphElement => node !== null),
    );
    cancelButton.hidden = p.state === "cancelled";

    clear(details);
    const totals = h(
      "table",
      { class: "totals" },
      h("caption", {}, t("totals")),
      h("thead", {}, phaseHeaders()),
      h("tbody", {}, h("tr", {}, ...phases.map((phase) => h("td", { "data-phase": phase }, String(p.totals[phase] ?? 0))))),
    );
    const byLanguage = h(
      "table",
      { class: "by-language" },
      h("caption", {}, t("byLanguage")),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("language")), h("th", { scope: "col" }, t("channel")), ...Array.from(phaseHeaders().children))),
    );
    const rows = h("tbody");
    const failureItems = h("ul");
    for (const [language, channels] of Object.entries(p.by_language).sort()) {
      for (const [channel, counts] of Object.entries(channels).sort()) {
        rows.append(
          h(
            "tr",
            { "data-language": language, "data-channel": channel },
            h("th", { scope: "row" }, languageName(language)),
            h("td", {}, tOr(`channel_${channel}`, channel)),
            ...phases.map((phase) => h("td", { "data-phase": phase }, String(counts[phase] ?? 0))),
          ),
        );
        const params = { language: languageName(language), channel: tOr(`channel_${channel}`, channel) };
        if (counts.failed) failureItems.append(h("li", {}, t("failureCount", { ...params, count: counts.failed })));
        if (counts.opted_out) failureItems.append(h("li", {}, t("optedOutCount", { ...params, count: counts.opted_out })));
      }
    }
    byLanguage.append(rows);
    details.append(totals, byLanguage);

    failureList.replaceChildren(failureItems.children.length > 0 ? failureItems : h("p", {}, t("noFailures")));
    void showFailures(p);

    if (p.rsvp) {
      const table = h(
        "table",
        { class: "rsvp" },
        h("caption", {}, t("rsvpTallies")),
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("option")), h("th", { scope: "col" }, t("answers")))),
        h("tbody", {}, ...p.rsvp.options.map((o) => h("tr", {}, h("th", { scope: "row" }, o.label), h("td", {}, String(o.answers))))),
      );
      details.append(table);
    }
    if (p.voice_answers) {
      details.append(h("p", {}, t("voiceAnswers", { confirmed: p.voice_answers.confirmed, callBack: p.voice_answers.call_back })));
    }
  }

  async function poll(): Promise<void> {
    try {
      const p = await api<Progress>("GET", `/v1/announcements/${encodeURIComponent(id)}`);
      if (stopped) return;
      draw(p);
      // Delivery reports still arrive after everything was sent: keep following, more slowly.
      timer = window.setTimeout(() => void poll(), finished(p) ? 10000 : 1000);
    } catch (error) {
      if (stopped) return;
      clear(details);
      details.append(errorBlock(error));
      if (!isNotFound(error)) timer = window.setTimeout(() => void poll(), 5000);
    }
  }

  container.append(
    heading,
    summary,
    h("div", { class: "progress-bar" }, h("label", { for: "announcement-progress" }, t("progressLabel")), bar, percentText),
    details,
    failures,
    h("div", { class: "buttons" }, cancelButton),
    cancelStatus,
  );
  percentText.textContent = t("loading");
  void poll();
  return () => {
    stopped = true;
    window.clearTimeout(timer);
  };
};

function announcementsPath(before: string | null): string {
  const query = new URLSearchParams({ limit: String(announcementPageSize) });
  if (before !== null) query.set("before", before);
  return `/v1/announcements?${query}`;
}

// One announcement a line: its subject (else its message) cut to one line by CSS, the whole text
// in the link's title; the link opens its progress.
function announcementRow(a: AnnouncementSummary): HTMLTableRowElement {
  const text = a.subject || a.body || a.id;
  return h(
    "tr",
    { "data-announcement": a.id, "data-state": a.state },
    h(
      "td",
      {},
      h("time", { datetime: a.created_at }, formatDateTime(a.created_at)),
      a.send_at ? h("span", { class: "hint send-at" }, t("scheduledFor", { when: formatDateTime(a.send_at) })) : null,
    ),
    h("td", { class: "summary" }, h("a", { href: `#/announcements/${encodeURIComponent(a.id)}`, class: "summary-text", dir: "auto", title: text }, text)),
    h("td", {}, h("span", { class: `badge state-${a.state}` }, tOr(`state_${a.state}`, a.state))),
    ...(["sent", "delivered", "failed"] as const).map((phase) => h("td", { "data-phase": phase }, String(a.totals?.[phase] ?? 0))),
  );
}

function announcementTable(announcements: AnnouncementSummary[]): HTMLTableElement {
  const labels = [t("announcementCreated"), t("announcementText"), t("state"), t("phase_sent"), t("phase_delivered"), t("phase_failed")];
  return h(
    "table",
    { class: "announcement-list" },
    h("caption", {}, t("announcementListCaption")),
    h("thead", {}, h("tr", {}, ...labels.map((label) => h("th", { scope: "col" }, label)))),
    h("tbody", {}, ...announcements.map(announcementRow)),
  );
}

// The announcements this key may see, newest first, a page at a time ("Older", "Newer").
export const announcementsView: View = (container: HTMLElement) => {
  const listTitle = h("h2", { id: "announcement-list-title", tabindex: -1 }, t("announcementListTitle"));
  const listBox = h("div", { class: "announcements" });
  const newer = h("button", { type: "button", class: "newer", hidden: true }, t("newerAnnouncements"));
  const older = h("button", { type: "button", class: "older", hidden: true }, t("olderAnnouncements"));
  // The `before` cursor of the page shown (null: the newest) and of each newer page before it.
  let cursor: string | null = null;
  let newerCursors: (string | null)[] = [];
  let next: string | null = null;
  let load = 0;
  let stopped = false;

  async function show(before: string | null, cursorsBefore: (string | null)[], focus: boolean): Promise<void> {
    const mine = ++load;
    older.disabled = true;
    newer.disabled = true;
    try {
      let page = await api<AnnouncementPage>("GET", announcementsPath(before));
      // The server pages first and leaves out what this key may not see, so a page can be
      // empty with older ones after it: go on to those (a few pages at most).
      for (let skipped = 0; page.announcements.length === 0 && page.next !== null && skipped < 5; skipped += 1) {
        if (stopped || mine !== load) return;
        before = page.next;
        page = await api<AnnouncementPage>("GET", announcementsPath(before));
      }
      if (stopped || mine !== load) return;
      cursor = before;
      newerCursors = cursorsBefore;
      next = page.next;
      const nothing = next !== null ? "noAnnouncementsHere" : newerCursors.length > 0 ? "noOlderAnnouncements" : "noAnnouncements";
      const empty = h("p", { class: "no-announcements" }, t(nothing));
      listBox.replaceChildren(page.announcements.length > 0 ? announcementTable(page.announcements) : empty);
      older.hidden = next === null;
      newer.hidden = newerCursors.length === 0;
      if (focus) listTitle.focus();
    } catch (error) {
      if (stopped || mine !== load) return;
      listBox.replaceChildren(errorBlock(error));
    } finally {
      if (mine === load) {
        older.disabled = false;
        newer.disabled = false;
      }
    }
  }

  older.addEventListener("click", () => {
    if (next !== null) void show(next, [...newerCursors, cursor], true);
  });
  newer.addEventListener("click", () => {
    if (newerCursors.length > 0) void show(newerCursors[newerCursors.length - 1], newerCursors.slice(0, -1), true);
  });

  const input = h("input", { type: "text", name: "announcement-id", autocomplete: "off", spellcheck: "false", required: true });
  const form = h(
    "form",
    {
      class: "open-by-id",
      onsubmit: (event: Event) => {
        event.preventDefault();
        if (input.value.trim()) location.hash = `#/announcements/${encodeURIComponent(input.value.trim())}`;
      },
    },
    h("h2", {}, t("openById")),
    field(t("announcementId"), input),
    h("button", { type: "submit" }, t("open")),
  );
  container.append(
    h("h1", {}, t("announcementsTitle")),
    h("section", { "aria-labelledby": "announcement-list-title" }, listTitle, listBox, h("div", { class: "buttons" }, newer, older)),
    form,
  );
  listBox.append(h("p", {}, t("loading")));
  void show(null, [], false);
  return () => {
    stopped = true;
  };
};

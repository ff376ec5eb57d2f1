// An announcement's progress (GET /v1/announcements/{id}, polled): state, a progress bar, counts
// per language and channel, failures, RSVP tallies, cancel. And the list of announcements sent
// from this tab, with a field to open any by id.
import { api } from "../api";
import { Me, View, errorBlock, isNotFound, rememberedList } from "../context";
import { clear, field, h, liveRegion } from "../dom";
import { formatDateTime, languageName, StringKey, t, tOr } from "../i18n";

const phases = ["queued", "deferred", "sent", "delivered", "failed", "opted_out", "cancelled"] as const;
type Phase = (typeof phases)[number];
type Counts = Partial<Record<Phase, number>>;

interface Progress {
  id: string;
  state: "scheduled" | "fanning_out" | "fanned_out" | "cancelled";
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

interface Failure {
  id: string;
  language?: string;
  channel?: string;
  state?: string;
  last_error?: string;
  provider_error?: string;
  provider_status?: string;
}

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

export const progressView: View = (container: HTMLElement, _me: Me, params: string[]) => {
  const id = params[0] ?? "";
  const heading = h("h1", {}, t("progressTitle", { id }));
  const summary = h("div", { class: "progress-summary" });
  const bar = h("progress", { max: 100, value: 0, id: "announcement-progress" });
  const percentText = h("p", { class: "percent", role: "status", "aria-live": "polite" });
  const details = h("div", { class: "progress-details" });
  const failureList = h("div");
  const failureReasons = h("div");
  const failures = h(
    "section",
    { class: "failures", "aria-labelledby": "failures-title" },
    h("h2", { id: "failures-title" }, t("failures")),
    failureList,
    failureReasons,
  );
  const cancelStatus = liveRegion();
  const cancelButton = h("button", { type: "button", class: "danger cancel-announcement" }, t("cancelAnnouncement"));
  let timer: number | undefined;
  let stopped = false;
  let failuresShownFor = -1;

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

  async function showFailureReasons(p: Progress): Promise<void> {
    const failed = p.totals.failed ?? 0;
    if (failed === failuresShownFor) return;
    failuresShownFor = failed;
    const reasons = h("div", { class: "failure-reasons" });
    failureReasons.replaceChildren(reasons);
    if (failed === 0) return;
    try {
      const answer = await api<{ failures: Failure[] }>("GET", `/v1/announcements/${encodeURIComponent(id)}/failures`);
      const table = h(
        "table",
        {},
        h("caption", {}, t("failureReasons")),
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("language")), h("th", { scope: "col" }, t("channel")), h("th", { scope: "col" }, t("failureReasons")))),
      );
      const rows = h("tbody");
      for (const f of answer.failures) {
        rows.append(
          h(
            "tr",
            {},
            h("td", {}, f.language ? languageName(f.language) : "—"),
            h("td", {}, f.channel ? tOr(`channel_${f.channel}`, f.channel) : "—"),
            h("td", {}, [f.last_error, f.provider_status, f.provider_error].filter(Boolean).join(" · ") || "—"),
          ),
        );
      }
      table.append(rows);
      reasons.append(table);
    } catch (error) {
      reasons.append(isNotFound(error) ? h("p", { class: "hint" }, t("failureReasonsUnavailable")) : errorBlock(error));
    }
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
    void showFailureReasons(p);

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

export const announcementsView: View = (container: HTMLElement) => {
  const recent = rememberedList("announcements");
  const list = h("ul", { class: "recent" });
  for (const id of recent) {
    list.append(h("li", {}, h("a", { href: `#/announcements/${encodeURIComponent(id)}` }, id)));
  }
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
    h("section", {}, h("h2", {}, t("recentAnnouncements")), recent.length > 0 ? list : h("p", {}, t("noRecent"))),
    form,
  );
};

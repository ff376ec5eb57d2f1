// Interpreter requests: a form (family, language, mode, meeting, time, place) and the list with
// each request's state and who accepted, polled so an interpreter's YES shows up by itself.
import { api } from "../api";
import { Me, View, errorBlock, isOffice, localToRfc3339, schoolsOf } from "../context";
import { clear, field, h, liveRegion } from "../dom";
import { formatDateTime, languageName, StringKey, t, tOr } from "../i18n";

interface InterpretationRequest {
  id: string;
  state: string;
  school: string;
  family_id: string;
  guardian_id?: string;
  language: string;
  mode: string;
  meeting_type: string;
  start: string;
  duration_minutes: number;
  location?: string;
  assigned_to?: string;
  created_by: string;
  created_at: string;
  offers?: number;
}

const modes = ["in_person", "phone", "video"];
const meetings = ["iep", "504", "conference", "discipline", "orientation", "other"];
const finalStates = new Set(["completed", "cancelled", "unfilled"]);

function select(name: string, values: string[], label: (value: string) => string): HTMLSelectElement {
  return h("select", { name }, ...values.map((v) => h("option", { value: v }, label(v))));
}

export const interpretersView: View = (container: HTMLElement, me: Me) => {
  const schools = schoolsOf(me);
  const school = h("select", { name: "school" }, ...schools.map((s) => h("option", { value: s.id }, s.name)));
  const schoolInput = h("input", { type: "text", name: "school", autocomplete: "off" });
  const familyId = h("input", { type: "text", name: "family_id", autocomplete: "off", required: true });
  const guardianId = h("input", { type: "text", name: "guardian_id", autocomplete: "off" });
  const language = h("input", { type: "text", name: "language", autocomplete: "off", spellcheck: "false", required: true });
  const mode = select("mode", modes, (m) => t(`mode_${m}` as StringKey));
  const meeting = select("meeting_type", meetings, (m) => t(`meeting_${m}` as StringKey));
  const start = h("input", { type: "datetime-local", name: "start", required: true });
  const duration = h("input", { type: "number", name: "duration_minutes", min: 15, max: 480, step: 15, value: 60 });
  const place = h("input", { type: "text", name: "location", autocomplete: "off" });
  const notes = h("textarea", { name: "notes", rows: 2 });
  const formStatus = h("div", { class: "form-status", "aria-live": "polite" });
  const listBox = h("div", { class: "requests" });
  const interpreterNames = new Map<string, string>();
  let timer: number | undefined;
  let stopped = false;

  const form = h(
    "form",
    {
      class: "interpreter-request",
      novalidate: true,
      onsubmit: async (event: Event) => {
        event.preventDefault();
        clear(formStatus);
        const body: Record<string, unknown> = {
          school: schools.length > 0 ? school.value : schoolInput.value.trim(),
          family_id: familyId.value.trim(),
          language: language.value.trim(),
          mode: mode.value,
          meeting_type: meeting.value,
          start: localToRfc3339(start.value) ?? start.value,
          duration_minutes: Number(duration.value) || 60,
        };
        if (guardianId.value.trim()) body.guardian_id = guardianId.value.trim();
        if (place.value.trim()) body.location = place.value.trim();
        if (notes.value.trim()) body.notes = notes.value.trim();
        try {
          const created = await api<InterpretationRequest>("POST", "/v1/interpretation-requests", { body });
          const offers = created.offers ?? 0;
          formStatus.append(
            h("p", { class: "success", role: "status" }, offers > 0 ? t("requestOffered", { id: created.id, count: offers }) : t("requestNoMatch", { id: created.id })),
          );
          await refresh();
        } catch (error) {
          formStatus.append(errorBlock(error));
        }
      },
    },
    h("h2", {}, t("newRequest")),
    schools.length > 0 ? field(t("school"), school) : field(t("school"), schoolInput),
    field(t("familyId"), familyId),
    field(t("guardianId"), guardianId),
    field(t("language"), language),
    field(t("mode"), mode),
    field(t("meetingType"), meeting),
    field(t("start"), start),
    field(t("durationMinutes"), duration),
    field(t("location"), place),
    field(t("notes"), notes),
    h("div", { class: "buttons" }, h("button", { type: "submit", class: "primary" }, t("submitRequest"))),
    formStatus,
  );

  async function interpreterName(id: string): Promise<string> {
    if (!isOffice(me)) return id;
    const known = interpreterNames.get(id);
    if (known) return known;
    try {
      const interpreter = await api<{ name: string }>("GET", `/v1/interpreters/${encodeURIComponent(id)}`);
      interpreterNames.set(id, `${interpreter.name} (${id})`);
    } catch {
      interpreterNames.set(id, id);
    }
    return interpreterNames.get(id) ?? id;
  }

  async function change(request: InterpretationRequest, state: string, status: HTMLElement): Promise<void> {
    if (state === "cancelled" && !window.confirm(t("confirmCancelRequest", { id: request.id }))) return;
    try {
      await api("PATCH", `/v1/interpretation-requests/${encodeURIComponent(request.id)}`, { body: { state } });
      await refresh();
    } catch (error) {
      status.replaceChildren(errorBlock(error));
    }
  }

  let drawn = "";
  async function drawList(requests: InterpretationRequest[]): Promise<void> {
    // Redrawn only when something changed, so keyboard focus stays put between polls.
    const signature = JSON.stringify(requests);
    if (signature === drawn) return;
    drawn = signature;
    const rows = h("tbody");
    for (const r of requests) {
      const actions = h("td", { class: "actions" });
      const status = liveRegion();
      if (!finalStates.has(r.state)) {
        if (r.state === "assigned") {
          actions.append(h("button", { type: "button", onclick: () => void change(r, "confirmed", status) }, t("confirmRequest")));
        }
        if (r.state === "confirmed") {
          actions.append(h("button", { type: "button", onclick: () => void change(r, "completed", status) }, t("completeRequest")));
        }
        actions.append(h("button", { type: "button", class: "danger", onclick: () => void change(r, "cancelled", status) }, t("cancelRequest")));
      }
      actions.append(status);
      rows.append(
        h(
          "tr",
          { "data-request": r.id, "data-state": r.state },
          h("th", { scope: "row" }, h("code", {}, r.id)),
          h("td", {}, r.family_id),
          h("td", {}, languageName(r.language)),
          h("td", {}, tOr(`meeting_${r.meeting_type}`, r.meeting_type), " · ", tOr(`mode_${r.mode}`, r.mode)),
          h("td", {}, formatDateTime(r.start), r.location ? ` · ${r.location}` : ""),
          h("td", {}, h("span", { class: `badge state-${r.state}` }, tOr(`request_${r.state}`, r.state))),
          h("td", { class: "accepted-by" }, r.assigned_to ? await interpreterName(r.assigned_to) : "—"),
          actions,
        ),
      );
    }
    const table = h(
      "table",
      { class: "request-list" },
      h("caption", {}, t("requests")),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...["Id", t("familyId"), t("language"), t("meetingType"), t("start"), t("state"), t("acceptedBy"), t("actions")].map((label) =>
            h("th", { scope: "col" }, label),
          ),
        ),
      ),
      rows,
    );
    listBox.replaceChildren(requests.length > 0 ? table : h("p", {}, t("noRequests")));
  }

  async function refresh(): Promise<void> {
    try {
      const answer = await api<{ requests: InterpretationRequest[] }>("GET", "/v1/interpretation-requests");
      if (!stopped) await drawList(answer.requests);
    } catch (error) {
      if (!stopped) listBox.replaceChildren(errorBlock(error));
    }
  }

  async function poll(): Promise<void> {
    await refresh();
    if (!stopped) timer = window.setTimeout(() => void poll(), 2000);
  }

  container.append(h("h1", {}, t("interpretersTitle")), h("div", { class: "two-columns" }, form, h("section", {}, listBox)));
  listBox.append(h("p", {}, t("loading")));
  void poll();
  return () => {
    stopped = true;
    window.clearTimeout(timer);
  };
};

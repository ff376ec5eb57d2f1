// Document translation requests (POST/GET /v1/translation-requests, PATCH …/{id}): a form and
// the list with states and who accepted. A server without the endpoint shows "not available".
import { api } from "../api";
import { Me, View, errorBlock, isNotFound, localToRfc3339, schoolsOf } from "../context";
import { clear, field, h, liveRegion, splitList } from "../dom";
import { formatDateTime, languageName, t, tOr } from "../i18n";

interface TranslationRequest {
  id: string;
  state: string;
  school?: string;
  title?: string;
  document?: string;
  source_language?: string;
  languages?: string[];
  language?: string;
  needed_by?: string;
  assigned_to?: string;
  created_at?: string;
}

const finalStates = new Set(["completed", "delivered", "cancelled", "unfilled"]);

export const translationsView: View = (container: HTMLElement, me: Me) => {
  const schools = schoolsOf(me);
  const school = h("select", { name: "school" }, ...schools.map((s) => h("option", { value: s.id }, s.name)));
  const title = h("input", { type: "text", name: "title", autocomplete: "off", required: true });
  const sourceLanguage = h("input", { type: "text", name: "source_language", value: me.district.default_language, autocomplete: "off" });
  const languages = h("input", { type: "text", name: "languages", autocomplete: "off", required: true });
  const familyId = h("input", { type: "text", name: "family_id", autocomplete: "off" });
  const neededBy = h("input", { type: "datetime-local", name: "needed_by" });
  const notes = h("textarea", { name: "notes", rows: 2 });
  const formStatus = h("div", { class: "form-status", "aria-live": "polite" });
  const listBox = h("div", { class: "requests" });
  let timer: number | undefined;
  let stopped = false;
  let drawn = "";

  const form = h(
    "form",
    {
      class: "translation-request",
      novalidate: true,
      onsubmit: async (event: Event) => {
        event.preventDefault();
        clear(formStatus);
        const body: Record<string, unknown> = {
          title: title.value.trim(),
          source_language: sourceLanguage.value.trim(),
          languages: splitList(languages.value),
        };
        if (schools.length > 0) body.school = school.value;
        if (familyId.value.trim()) body.family_id = familyId.value.trim();
        if (neededBy.value) body.needed_by = localToRfc3339(neededBy.value);
        if (notes.value.trim()) body.notes = notes.value.trim();
        try {
          const created = await api<TranslationRequest>("POST", "/v1/translation-requests", { body });
          formStatus.append(h("p", { class: "success", role: "status" }, t("translationFiled", { id: created.id })));
          await refresh();
        } catch (error) {
          formStatus.append(errorBlock(error));
        }
      },
    },
    h("h2", {}, t("newTranslation")),
    schools.length > 0 ? field(t("school"), school) : null,
    field(t("documentTitle"), title),
    field(t("sourceLanguage"), sourceLanguage),
    field(t("targetLanguages"), languages),
    field(t("familyIdOptional"), familyId),
    field(t("dueBy"), neededBy),
    field(t("notes"), notes),
    h("div", { class: "buttons" }, h("button", { type: "submit", class: "primary" }, t("submitTranslation"))),
    formStatus,
  );

  async function cancel(request: TranslationRequest, status: HTMLElement): Promise<void> {
    if (!window.confirm(t("confirmCancelRequest", { id: request.id }))) return;
    try {
      await api("PATCH", `/v1/translation-requests/${encodeURIComponent(request.id)}`, { body: { state: "cancelled" } });
      await refresh();
    } catch (error) {
      status.replaceChildren(errorBlock(error));
    }
  }

  function drawList(requests: TranslationRequest[]): void {
    const signature = JSON.stringify(requests);
    if (signature === drawn) return;
    drawn = signature;
    if (requests.length === 0) {
      listBox.replaceChildren(h("p", {}, t("noRequests")));
      return;
    }
    const rows = h("tbody");
    for (const r of requests) {
      const status = liveRegion();
      const actions = h("td", { class: "actions" });
      if (!finalStates.has(r.state)) {
        actions.append(h("button", { type: "button", class: "danger", onclick: () => void cancel(r, status) }, t("cancelRequest")));
      }
      actions.append(status);
      const targets = r.languages ?? (r.language ? [r.language] : []);
      rows.append(
        h(
          "tr",
          { "data-request": r.id, "data-state": r.state },
          h("th", { scope: "row" }, h("code", {}, r.id)),
          h("td", {}, r.title ?? r.document ?? "—"),
          h("td", {}, targets.map(languageName).join(", ") || "—"),
          h("td", {}, r.needed_by ? formatDateTime(r.needed_by) : "—"),
          h("td", {}, h("span", { class: `badge state-${r.state}` }, tOr(`request_${r.state}`, r.state))),
          h("td", {}, r.assigned_to ?? "—"),
          actions,
        ),
      );
    }
    listBox.replaceChildren(
      h(
        "table",
        { class: "request-list" },
        h("caption", {}, t("requests")),
        h(
          "thead",
          {},
          h("tr", {}, ...["Id", t("documentTitle"), t("targetLanguages"), t("dueBy"), t("state"), t("acceptedBy"), t("actions")].map((l) => h("th", { scope: "col" }, l))),
        ),
        rows,
      ),
    );
  }

  async function refresh(): Promise<boolean> {
    try {
      const answer = await api<{ requests: TranslationRequest[] }>("GET", "/v1/translation-requests");
      if (!stopped) drawList(answer.requests ?? []);
      return true;
    } catch (error) {
      if (stopped) return false;
      if (isNotFound(error)) {
        // The server has no translation requests yet: say so, offer no form.
        form.remove();
        listBox.replaceChildren(h("p", { class: "not-available" }, t("notAvailable")));
        return false;
      }
      listBox.replaceChildren(errorBlock(error));
      return true;
    }
  }

  async function poll(): Promise<void> {
    const more = await refresh();
    if (!stopped && more) timer = window.setTimeout(() => void poll(), 5000);
  }

  container.append(h("h1", {}, t("translationsTitle")), h("div", { class: "two-columns" }, form, h("section", {}, listBox)));
  listBox.append(h("p", {}, t("loading")));
  void poll();
  return () => {
    stopped = true;
    window.clearTimeout(timer);
  };
};

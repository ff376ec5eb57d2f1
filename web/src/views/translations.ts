// Document translation requests (POST/GET /v1/translation-requests, PATCH …/{id}): a form and
// the list with states and who accepted. A server without the endpoint shows "not available".
import { api } from "../api";
import { Me, View, errorBlock, isNotFound, localToRfc3339, schoolsOf } from "../context";
import { clear, field, h, liveRegion, splitList } from "../dom";
import { formatDateTime, languageName, t, tOr } from "../i18n";

interface TranslationLanguage {
  state: string;
  translator?: string;
  text?: string;
}

interface TranslationRequest {
  id: string;
  school?: string;
  title?: string;
  source_language?: string;
  target_languages?: string[];
  languages?: Record<string, TranslationLanguage>;
  due?: string;
  created_at?: string;
}

const finalStates = new Set(["delivered", "cancelled"]);

export const translationsView: View = (container: HTMLElement, me: Me) => {
  const schools = schoolsOf(me);
  const school = h("select", { name: "school" }, ...schools.map((s) => h("option", { value: s.id }, s.name)));
  const title = h("input", { type: "text", name: "title", autocomplete: "off", required: true });
  const text = h("textarea", { name: "text", rows: 4, required: true });
  const sourceLanguage = h("input", { type: "text", name: "source_language", value: me.district.default_language, autocomplete: "off" });
  const languages = h("input", { type: "text", name: "target_languages", autocomplete: "off", required: true });
  const due = h("input", { type: "datetime-local", name: "due", required: true });
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
          text: text.value,
          source_language: sourceLanguage.value.trim(),
          target_languages: splitList(languages.value),
        };
        if (schools.length > 0) body.school = school.value;
        if (due.value) body.due = localToRfc3339(due.value);
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
    field(t("documentText"), text),
    field(t("sourceLanguage"), sourceLanguage),
    field(t("targetLanguages"), languages),
    field(t("dueBy"), due),
    field(t("notes"), notes),
    h("div", { class: "buttons" }, h("button", { type: "submit", class: "primary" }, t("submitTranslation"))),
    formStatus,
  );

  // Cancels every language of the request still open (each language is its own request).
  async function cancel(request: TranslationRequest, status: HTMLElement): Promise<void> {
    if (!window.confirm(t("confirmCancelRequest", { id: request.id }))) return;
    try {
      for (const [language, l] of Object.entries(request.languages ?? {})) {
        if (finalStates.has(l.state)) continue;
        await api("PATCH", `/v1/translation-requests/${encodeURIComponent(request.id)}`, { body: { language, state: "cancelled" } });
      }
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
      const perLanguage = Object.entries(r.languages ?? {});
      if (perLanguage.some(([, l]) => !finalStates.has(l.state))) {
        actions.append(h("button", { type: "button", class: "danger", onclick: () => void cancel(r, status) }, t("cancelRequest")));
      }
      actions.append(status);
      const states = h("td", {});
      const translators = h("td", {});
      for (const [language, l] of perLanguage) {
        states.append(h("span", { class: `badge state-${l.state}` }, `${languageName(language)}: ${tOr(`request_${l.state}`, l.state)}`), " ");
        if (l.translator) translators.append(`${languageName(language)}: ${l.translator} `);
      }
      rows.append(
        h(
          "tr",
          { "data-request": r.id },
          h("th", { scope: "row" }, h("code", {}, r.id)),
          h("td", {}, r.title ?? "—"),
          h("td", {}, (r.target_languages ?? []).map(languageName).join(", ") || "—"),
          h("td", {}, r.due ? formatDateTime(r.due) : "—"),
          states,
          translators.childNodes.length > 0 ? translators : h("td", {}, "—"),
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

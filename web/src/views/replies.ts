// Replies: a family's conversation (GET /v1/conversations?family_id=) with each text as written
// and its translation, and an answer to the family (POST /v1/messages to.family_id), which each
// guardian gets in their own language.
import { api, idempotencyKey } from "../api";
import { Me, View, errorBlock, remember, rememberedList, schoolsOf } from "../context";
import { clear, field, h, liveRegion } from "../dom";
import { formatDateTime, languageName, t, tOr } from "../i18n";

interface ConversationEntry {
  id: string;
  direction: "in" | "out";
  channel: string;
  guardian_id?: string;
  from?: string;
  to?: string;
  language?: string;
  text: string;
  translation?: { language: string; text: string; provider?: string };
  original?: string;
  original_language?: string;
  school?: string;
  announcement_id?: string;
  at: string;
}

function entryView(e: ConversationEntry): HTMLElement {
  const who = e.guardian_id ?? (e.direction === "in" ? e.from : e.to) ?? "—";
  const params = { who, language: e.language ? languageName(e.language) : "—", channel: tOr(`channel_${e.channel}`, e.channel), when: formatDateTime(e.at) };
  const item = h(
    "li",
    { class: `entry entry-${e.direction}`, "data-entry": e.id },
    h("p", { class: "meta" }, e.direction === "in" ? t("fromFamily", params) : t("toFamily", params)),
    h("p", { class: "text", dir: "auto", lang: e.language ?? "" }, e.text),
  );
  if (e.direction === "in") {
    item.append(
      e.translation
        ? h(
            "div",
            { class: "translation" },
            h("p", { class: "meta" }, t("translation", { language: languageName(e.translation.language) })),
            h("p", { class: "text", dir: "auto", lang: e.translation.language }, e.translation.text),
          )
        : h("p", { class: "hint" }, t("noTranslation")),
    );
  } else if (e.original) {
    item.append(
      h(
        "div",
        { class: "translation" },
        h("p", { class: "meta" }, t("original", { language: e.original_language ? languageName(e.original_language) : "—" })),
        h("p", { class: "text", dir: "auto", lang: e.original_language ?? "" }, e.original),
      ),
    );
  }
  return item;
}

export const repliesView: View = (container: HTMLElement, me: Me, params: string[]) => {
  const familyInput = h("input", { type: "text", name: "family_id", autocomplete: "off", spellcheck: "false", required: true, value: params[0] ?? "" });
  const thread = h("section", { class: "conversation", "aria-live": "polite" });
  const answerBox = h("section", { class: "answer" });
  let timer: number | undefined;
  let stopped = false;
  let familyId = "";
  let drawn = "";
  let lastSchool = "";

  const recentList = h("ul", { class: "recent" });
  function drawRecent(): void {
    clear(recentList);
    for (const id of rememberedList("families")) {
      recentList.append(h("li", {}, h("a", { href: `#/replies/${encodeURIComponent(id)}` }, id)));
    }
  }

  async function load(): Promise<void> {
    window.clearTimeout(timer);
    if (!familyId) return;
    try {
      const answer = await api<{ family_id: string; entries: ConversationEntry[] }>(
        "GET",
        `/v1/conversations?family_id=${encodeURIComponent(familyId)}&limit=200`,
      );
      if (stopped) return;
      const signature = JSON.stringify(answer.entries);
      if (signature !== drawn) {
        drawn = signature;
        const list = h("ol", { class: "entries" }, ...answer.entries.map(entryView));
        thread.replaceChildren(
          h("h2", {}, t("conversationOf", { id: familyId })),
          answer.entries.length > 0 ? list : h("p", {}, t("noEntries")),
        );
        lastSchool = [...answer.entries].reverse().find((e) => e.school)?.school ?? "";
      }
      if (!answerBox.hasChildNodes()) drawAnswerForm();
      timer = window.setTimeout(() => void load(), 5000);
    } catch (error) {
      if (stopped) return;
      thread.replaceChildren(errorBlock(error));
      answerBox.replaceChildren();
    }
  }

  function drawAnswerForm(): void {
    const text = h("textarea", { name: "answer", rows: 3, required: true });
    const status = liveRegion();
    const form = h(
      "form",
      {
        novalidate: true,
        onsubmit: async (event: Event) => {
          event.preventDefault();
          if (!text.value.trim()) return;
          const ownSchools = schoolsOf(me).map((s) => s.id);
          const school = lastSchool || (me.role === "school" ? ownSchools[0] : "");
          const body: Record<string, unknown> = { to: { family_id: familyId }, channels: ["sms"], body: text.value };
          if (school) body.school = school;
          try {
            await api("POST", "/v1/messages", { body, headers: { "Idempotency-Key": idempotencyKey() } });
            text.value = "";
            status.replaceChildren(t("answerSent"));
            void load();
          } catch (error) {
            status.replaceChildren(errorBlock(error));
          }
        },
      },
      h("h2", {}, t("answerFamily")),
      field(t("yourAnswer"), text, t("answerHint")),
      h("div", { class: "buttons" }, h("button", { type: "submit", class: "primary" }, t("sendAnswer"))),
      status,
    );
    answerBox.replaceChildren(form);
  }

  const form = h(
    "form",
    {
      class: "open-family",
      onsubmit: (event: Event) => {
        event.preventDefault();
        const id = familyInput.value.trim();
        if (id) location.hash = `#/replies/${encodeURIComponent(id)}`;
      },
    },
    field(t("familyId"), familyInput),
    h("button", { type: "submit" }, t("showConversation")),
  );

  container.append(h("h1", {}, t("repliesTitle")), form, h("section", {}, h("h2", {}, t("recentFamilies")), recentList), thread, answerBox);
  if (params[0]) {
    familyId = params[0];
    remember("families", familyId);
    thread.append(h("p", {}, t("loading")));
    void load();
  }
  drawRecent();
  return () => {
    stopped = true;
    window.clearTimeout(timer);
  };
};

// Compose: the announcement form, a live preview per language and channel from
// POST /v1/announcements/preview (text as families will read it, right-to-left where the
// language is, GSM-7/UCS-2 and segments, who gets no voice call and why), and a send that
// confirms with the counts.
import { api, idempotencyKey } from "../api";
import { Me, View, errorBlock, isOffice, localToRfc3339, schoolsOf } from "../context";
import { clear, field, h, liveRegion, splitList, uid } from "../dom";
import { formatDateTime, languageName, StringKey, t, tOr } from "../i18n";
import { argumentKind, messageArguments } from "../message_arguments";

interface ChannelPreview {
  available: boolean;
  note?: string;
  subject?: string;
  text?: string;
  voice_language?: string;
  encoding?: string;
  characters?: number;
  segments?: number;
  first_non_gsm7_character?: string;
}

interface LanguagePreview {
  language: string;
  families: number;
  text_language: string;
  text_source: string;
  fallback: boolean;
  machine_translation_error?: string;
  direction: "rtl" | "ltr";
  error?: string;
  channels: Record<string, ChannelPreview>;
}

export interface Preview {
  families: number;
  sms_segments_estimate: number;
  languages: LanguagePreview[];
}

const channelNames = ["sms", "email", "voice"] as const;

interface TranslationRow {
  language: HTMLInputElement;
  subject: HTMLInputElement;
  body: HTMLTextAreaElement;
  element: HTMLElement;
}

export const composeView: View = (container: HTMLElement, me: Me) => {
  const schools = schoolsOf(me);

  // --- Form controls -------------------------------------------------------------------------
  const sendingAs = h("select", { name: "school" });
  if (me.role !== "school") {
    sendingAs.append(h("option", { value: "" }, t("theDistrict")));
  }
  for (const s of schools) {
    sendingAs.append(h("option", { value: s.id }, s.name));
  }

  const schoolBoxes = schools.map((s) => ({
    id: s.id,
    box: h("input", { type: "checkbox", value: s.id, name: "audience-school" }),
  }));
  const grades = h("input", { type: "text", name: "grades", autocomplete: "off" });
  const tags = h("input", { type: "text", name: "tags", autocomplete: "off" });
  const familyIds = h("input", { type: "text", name: "family-ids", autocomplete: "off" });
  const wholeDistrict = h("input", { type: "checkbox", name: "all" });
  const familyCount = h("p", { class: "family-count", role: "status", "aria-live": "polite" }, t("familyCountUnknown"));

  const channelBoxes = channelNames.map((c) => ({
    channel: c,
    box: h("input", { type: "checkbox", name: "channel", value: c, checked: c === "sms" }),
  }));
  const priorityRadios = (["normal", "urgent"] as const).map((p) => ({
    priority: p,
    radio: h("input", { type: "radio", name: "priority", value: p, checked: p === "normal" }),
  }));
  const sourceLanguage = h("input", {
    type: "text",
    name: "source-language",
    value: me.district.default_language,
    autocomplete: "off",
    spellcheck: "false",
  });
  const subject = h("input", { type: "text", name: "subject", autocomplete: "off" });
  const body = h("textarea", { name: "body", rows: 5 });
  const argumentsBox = h("div", { class: "arguments" });
  const argumentValues = new Map<string, string>();
  let argumentSignature = "";
  const argumentInputs = new Map<string, { input: HTMLInputElement; kind: string }>();

  const translationRows: TranslationRow[] = [];
  const translationsBox = h("div", { class: "translations" });
  const machine = h("input", { type: "checkbox", name: "machine-translation" });
  const sendNow = h("input", { type: "radio", name: "when", value: "now", checked: true });
  const sendLater = h("input", { type: "radio", name: "when", value: "later" });
  const sendAt = h("input", { type: "datetime-local", name: "send-at" });
  const rsvp = h("textarea", { name: "rsvp", rows: 3 });

  const formErrors = h("div", { class: "form-errors", "aria-live": "assertive" });
  const sendStatus = liveRegion();

  // --- Preview pane --------------------------------------------------------------------------
  const previewStatus = liveRegion("preview-status");
  const previewBody = h("div", { class: "preview-body" });
  let lastPreview: Preview | null = null;
  let lastRequest = "";
  let previewSequence = 0;
  let previewTimer: number | undefined;

  function checkedValues<T>(items: { box: HTMLInputElement }[], value: (item: any) => T): T[] {
    return items.filter((item) => item.box.checked).map(value);
  }

  function rsvpOptions(): { label: string; answers: string[] }[] {
    const options: { label: string; answers: string[] }[] = [];
    for (const line of rsvp.value.split("\n")) {
      const colon = line.indexOf(":");
      if (colon <= 0) {
        continue;
      }
      const label = line.slice(0, colon).trim();
      const answers = splitList(line.slice(colon + 1));
      if (label && answers.length > 0) {
        options.push({ label, answers });
      }
    }
    return options;
  }

  function announcementRequest(): Record<string, unknown> {
    const audience: Record<string, unknown> = {};
    const chosenSchools = checkedValues(schoolBoxes, (item) => item.id as string);
    if (chosenSchools.length > 0) audience.schools = chosenSchools;
    if (splitList(grades.value).length > 0) audience.grades = splitList(grades.value);
    if (splitList(tags.value).length > 0) audience.tags = splitList(tags.value);
    if (splitList(familyIds.value).length > 0) audience.family_ids = splitList(familyIds.value);
    if (wholeDistrict.checked) audience.all = true;

    const request: Record<string, unknown> = {
      audience,
      channels: checkedValues(channelBoxes, (item) => item.channel as string),
      priority: priorityRadios.find((p) => p.radio.checked)?.priority ?? "normal",
      source_language: sourceLanguage.value.trim(),
      body: body.value,
      machine_translation: machine.checked ? "if_no_human_translation" : "never",
    };
    if (sendingAs.value) request.school = sendingAs.value;
    if (subject.value.trim()) request.subject = subject.value;
    const translations: Record<string, { subject?: string; body: string }> = {};
    for (const row of translationRows) {
      const language = row.language.value.trim();
      if (language && row.body.value.trim()) {
        translations[language] = row.subject.value.trim()
          ? { subject: row.subject.value, body: row.body.value }
          : { body: row.body.value };
      }
    }
    if (Object.keys(translations).length > 0) request.translations = translations;
    const args: Record<string, unknown> = {};
    for (const [name, { input, kind }] of argumentInputs) {
      if (!input.value) continue;
      if (kind === "datetime") args[name] = localToRfc3339(input.value) ?? input.value;
      else if (kind === "number") args[name] = Number(input.value);
      else args[name] = input.value;
    }
    if (Object.keys(args).length > 0) request.arguments = args;
    if (sendLater.checked && sendAt.value) request.send_at = localToRfc3339(sendAt.value);
    const options = rsvpOptions();
    if (options.length > 0) request.rsvp = { options };
    return request;
  }

  function refreshArguments(): void {
    const patterns = [subject.value, body.value, ...translationRows.flatMap((r) => [r.subject.value, r.body.value])];
    const found = messageArguments(patterns);
    const signature = found.map((a) => `${a.name}:${argumentKind(a.type)}`).join("|");
    if (signature === argumentSignature) return;
    argumentSignature = signature;
    for (const [name, { input }] of argumentInputs) argumentValues.set(name, input.value);
    argumentInputs.clear();
    clear(argumentsBox);
    if (found.length === 0) {
      argumentsBox.append(h("p", { class: "hint" }, t("noArguments")));
      return;
    }
    for (const a of found) {
      const kind = argumentKind(a.type);
      const input = h("input", {
        type: kind === "datetime" ? "datetime-local" : kind === "number" ? "number" : "text",
        name: `argument-${a.name}`,
        "data-argument": a.name,
        value: argumentValues.get(a.name) ?? "",
      });
      argumentInputs.set(a.name, { input, kind });
      argumentsBox.append(field(a.name, input));
    }
  }

  function addTranslation(language = "", subjectText = "", bodyText = ""): TranslationRow {
    const row: TranslationRow = {
      language: h("input", { type: "text", name: "translation-language", value: language, autocomplete: "off", spellcheck: "false" }),
      subject: h("input", { type: "text", name: "translation-subject", value: subjectText, autocomplete: "off" }),
      body: h("textarea", { name: "translation-body", rows: 3 }),
      element: h("fieldset", { class: "translation" }),
    };
    row.body.value = bodyText;
    const remove = h(
      "button",
      {
        type: "button",
        class: "link",
        onclick: () => {
          translationRows.splice(translationRows.indexOf(row), 1);
          row.element.remove();
          schedulePreview();
        },
      },
      t("removeTranslation"),
    );
    row.element.append(
      h("legend", {}, t("translationLanguage")),
      field(t("translationLanguage"), row.language),
      field(t("subject"), row.subject),
      field(t("body"), row.body),
      remove,
    );
    translationRows.push(row);
    translationsBox.append(row.element);
    return row;
  }

  // --- Preview -------------------------------------------------------------------------------
  function schedulePreview(): void {
    refreshArguments();
    window.clearTimeout(previewTimer);
    previewTimer = window.setTimeout(() => void updatePreview(), 400);
  }

  async function updatePreview(): Promise<Preview | null> {
    const request = announcementRequest();
    const serialized = JSON.stringify(request);
    if (serialized === lastRequest && lastPreview) return lastPreview;
    if (!body.value.trim()) {
      lastPreview = null;
      lastRequest = "";
      clear(previewBody);
      previewBody.append(h("p", { class: "hint" }, t("previewHint")));
      familyCount.textContent = t("familyCountUnknown");
      return null;
    }
    const sequence = ++previewSequence;
    previewStatus.textContent = t("previewUpdating");
    try {
      const preview = await api<Preview>("POST", "/v1/announcements/preview", { body: request });
      if (sequence !== previewSequence) return lastPreview;
      lastPreview = preview;
      lastRequest = serialized;
      previewStatus.textContent = "";
      clear(formErrors);
      drawPreview(preview);
      return preview;
    } catch (error) {
      if (sequence !== previewSequence) return lastPreview;
      lastPreview = null;
      lastRequest = "";
      previewStatus.textContent = "";
      clear(previewBody);
      const block = errorBlock(error);
      block.classList.add("preview-errors");
      previewBody.append(block);
      familyCount.textContent = t("familyCountUnknown");
      return null;
    }
  }

  function drawPreview(preview: Preview): void {
    clear(previewBody);
    familyCount.textContent = t("familyCount", { count: preview.families });
    previewBody.append(
      h(
        "p",
        { class: "preview-summary", "data-families": preview.families, "data-segments": preview.sms_segments_estimate },
        t("previewSummary", { families: preview.families, segments: preview.sms_segments_estimate }),
      ),
    );
    const noVoice = preview.languages.filter((l) => l.channels.voice && !l.channels.voice.available);
    if (noVoice.length > 0) {
      const list = h("ul");
      for (const l of noVoice) {
        list.append(
          h("li", {}, t("noVoiceItem", { language: languageName(l.language), count: l.families, why: l.channels.voice.note ?? "" })),
        );
      }
      previewBody.append(h("section", { class: "no-voice" }, h("h3", {}, t("noVoiceTitle")), list));
    }
    for (const l of preview.languages) {
      const card = h("section", { class: "language-card", "data-language": l.language });
      const headingId = uid("language");
      card.setAttribute("aria-labelledby", headingId);
      card.append(
        h("h3", { id: headingId }, t("languageCard", { language: languageName(l.language), count: l.families })),
        h("p", { class: "source" }, tOr(`source_${l.text_source}`, l.text_source), " · ", languageName(l.text_language)),
      );
      if (l.fallback) card.append(h("p", { class: "notice" }, t("fallbackNotice", { language: languageName(l.text_language) })));
      if (l.machine_translation_error) card.append(h("p", { class: "notice" }, t("machineTranslationFailed", { why: l.machine_translation_error })));
      if (l.error) card.append(h("p", { class: "error" }, l.error));
      for (const channel of channelNames) {
        const c = l.channels[channel];
        if (!c) continue;
        const block = h("div", { class: "channel-preview", "data-channel": channel }, h("h4", {}, t(`channel_${channel}` as StringKey)));
        if (!c.available) {
          block.append(h("p", { class: "notice" }, c.note ?? ""));
        } else {
          if (c.subject) block.append(h("p", { class: "rendered-subject", dir: l.direction, lang: l.text_language }, c.subject));
          block.append(h("p", { class: "rendered", dir: l.direction, lang: l.text_language }, c.text ?? ""));
          if (channel === "sms" && c.encoding) {
            const meta = h(
              "p",
              { class: "sms-meta", "data-encoding": c.encoding, "data-segments": c.segments ?? 0 },
              t("smsMeta", { encoding: c.encoding, characters: c.characters ?? 0, segments: c.segments ?? 0 }),
            );
            if (c.first_non_gsm7_character) meta.append(" · ", t("firstNonGsm", { character: c.first_non_gsm7_character }));
            block.append(meta);
          }
          if (channel === "voice" && c.voice_language) block.append(h("p", { class: "hint" }, t("voiceLanguage", { language: c.voice_language })));
        }
        card.append(block);
      }
      previewBody.append(card);
    }
  }

  // --- Send ----------------------------------------------------------------------------------
  const dialogText = h("p");
  const dialogSchedule = h("p");
  const confirmButton = h("button", { type: "button", class: "primary" }, t("confirmSend"));
  const dialog = h(
    "dialog",
    { class: "confirm", "aria-labelledby": "confirm-title" },
    h("h2", { id: "confirm-title" }, t("confirmTitle")),
    dialogText,
    dialogSchedule,
    h(
      "div",
      { class: "buttons" },
      h("button", { type: "button", onclick: () => dialog.close() }, t("cancel")),
      confirmButton,
    ),
  );
  let pendingKey = idempotencyKey();

  confirmButton.addEventListener("click", async () => {
    confirmButton.disabled = true;
    sendStatus.textContent = t("sending");
    try {
      const answer = await api<{ id: string }>("POST", "/v1/announcements", {
        body: announcementRequest(),
        headers: { "Idempotency-Key": pendingKey },
      });
      pendingKey = idempotencyKey();
      dialog.close();
      sendStatus.textContent = t("sent");
      location.hash = `#/announcements/${encodeURIComponent(answer.id)}`;
    } catch (error) {
      dialog.close();
      sendStatus.textContent = "";
      clear(formErrors);
      formErrors.append(errorBlock(error));
    } finally {
      confirmButton.disabled = false;
    }
  });

  async function openConfirm(event: Event): Promise<void> {
    event.preventDefault();
    clear(formErrors);
    window.clearTimeout(previewTimer);
    const preview = await updatePreview();
    if (!preview) {
      formErrors.append(h("p", { class: "error", role: "alert" }, t("fixThese")));
      formErrors.querySelector("p")?.setAttribute("tabindex", "-1");
      (formErrors.querySelector("p") as HTMLElement | null)?.focus();
      return;
    }
    const channels = checkedValues(channelBoxes, (item) => t(`channel_${item.channel}` as StringKey)).join(", ");
    dialogText.textContent = t("confirmText", {
      families: preview.families,
      languages: preview.languages.length,
      channels,
      segments: preview.sms_segments_estimate,
    });
    dialogSchedule.textContent = sendLater.checked && sendAt.value ? t("confirmScheduled", { when: formatDateTime(new Date(sendAt.value).toISOString()) }) : "";
    dialog.showModal();
    confirmButton.focus();
  }

  // --- Layout --------------------------------------------------------------------------------
  const audience = h(
    "fieldset",
    { class: "audience" },
    h("legend", {}, t("audience")),
    schoolBoxes.length > 0
      ? h(
          "fieldset",
          { class: "inline" },
          h("legend", {}, t("audienceSchools")),
          ...schoolBoxes.map(({ id, box }) => {
            box.id = uid("school");
            return h("span", { class: "check" }, box, h("label", { for: box.id }, schools.find((s) => s.id === id)?.name ?? id));
          }),
        )
      : null,
    field(t("audienceGrades"), grades),
    field(t("audienceTags"), tags),
    field(t("audienceFamilies"), familyIds),
    isOffice(me) ? h("span", { class: "check" }, wholeDistrict, h("label", { for: (wholeDistrict.id = uid("all")) }, t("audienceAll"))) : null,
    familyCount,
  );

  const channelSet = h(
    "fieldset",
    { class: "inline" },
    h("legend", {}, t("channels")),
    ...channelBoxes.map(({ channel, box }) => {
      box.id = uid("channel");
      return h("span", { class: "check" }, box, h("label", { for: box.id }, t(`channel_${channel}` as StringKey)));
    }),
  );
  const prioritySet = h(
    "fieldset",
    { class: "inline" },
    h("legend", {}, t("priority")),
    ...priorityRadios.map(({ priority, radio }) => {
      radio.id = uid("priority");
      return h("span", { class: "check" }, radio, h("label", { for: radio.id }, t(`priority_${priority}` as StringKey)));
    }),
  );
  sendNow.id = uid("now");
  sendLater.id = uid("later");
  const scheduleSet = h(
    "fieldset",
    { class: "inline" },
    h("legend", {}, t("schedule")),
    h("span", { class: "check" }, sendNow, h("label", { for: sendNow.id }, t("sendNow"))),
    h("span", { class: "check" }, sendLater, h("label", { for: sendLater.id }, t("sendAt"))),
    field(t("sendAtTime"), sendAt),
  );
  machine.id = uid("machine");

  const form = h(
    "form",
    { class: "compose", novalidate: true, onsubmit: (event: Event) => void openConfirm(event) },
    field(t("sendingAs"), sendingAs),
    audience,
    channelSet,
    prioritySet,
    field(t("sourceLanguage"), sourceLanguage),
    field(t("subject"), subject),
    field(t("body"), body, t("bodyHint")),
    h("fieldset", {}, h("legend", {}, t("arguments")), argumentsBox),
    h(
      "fieldset",
      {},
      h("legend", {}, t("translations")),
      translationsBox,
      h("button", { type: "button", class: "add-translation", onclick: () => addTranslation().language.focus() }, t("addTranslation")),
    ),
    h("span", { class: "check" }, machine, h("label", { for: machine.id }, t("machineTranslation"))),
    scheduleSet,
    field(t("rsvp"), rsvp, t("rsvpHint")),
    formErrors,
    h("div", { class: "buttons" }, h("button", { type: "submit", class: "primary send" }, t("send"))),
    sendStatus,
  );
  form.addEventListener("input", schedulePreview);
  form.addEventListener("change", schedulePreview);

  container.append(
    h("h1", {}, t("composeTitle")),
    h(
      "div",
      { class: "compose-layout" },
      form,
      h("section", { class: "preview", "aria-labelledby": "preview-title" }, h("h2", { id: "preview-title" }, t("preview")), previewStatus, previewBody),
    ),
    dialog,
  );
  refreshArguments();
  previewBody.append(h("p", { class: "hint" }, t("previewHint")));

  return () => window.clearTimeout(previewTimer);
};

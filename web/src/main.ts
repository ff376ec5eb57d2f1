// The console's entry: sign-in, the page frame (navigation by role, console language), and a
// hash router ("#/compose", "#/announcements/ann_…") that draws one screen at a time.
import "./styles.css";
import { api, ApiError, forgetKey, setUnauthorizedHandler, storedKey, storeKey } from "./api";
import { Me, View, isOffice } from "./context";
import { clear, field, h } from "./dom";
import { setUiLanguage, t, StringKey, uiLanguage, UiLanguage } from "./i18n";
import { announcementsView, progressView } from "./views/progress";
import { composeView } from "./views/compose";
import { interpretersView } from "./views/interpreters";
import { translationsView } from "./views/translations";
import { repliesView } from "./views/replies";
import { reportsView } from "./views/reports";

interface Route {
  path: string; // "compose", "announcements"
  label: StringKey;
  view: View;
  office?: boolean; // coordinator and admin only
  detail?: View; // "#/<path>/<id>"
}

const routes: Route[] = [
  { path: "compose", label: "navCompose", view: composeView },
  { path: "announcements", label: "navAnnouncements", view: announcementsView, detail: progressView },
  { path: "interpreters", label: "navInterpreters", view: interpretersView },
  { path: "translations", label: "navTranslations", view: translationsView },
  { path: "replies", label: "navReplies", view: repliesView },
  { path: "reports", label: "navReports", view: reportsView, office: true },
];

const root = document.getElementById("app") as HTMLElement;
let me: Me | null = null;
let stopView: (() => void) | void = undefined;
let notice: StringKey | null = null;

function languageSwitch(): HTMLElement {
  const select = h(
    "select",
    {
      id: "ui-language",
      onchange: (event: Event) => {
        setUiLanguage((event.target as HTMLSelectElement).value as UiLanguage);
        render();
      },
    },
    h("option", { value: "en", selected: uiLanguage() === "en" }, "English"),
    h("option", { value: "es", selected: uiLanguage() === "es" }, "Español"),
  );
  return h("div", { class: "ui-language" }, h("label", { for: "ui-language" }, t("uiLanguage")), select);
}

function signOut(message: StringKey | null): void {
  forgetKey();
  me = null;
  notice = message;
  if (location.hash !== "") {
    history.replaceState(null, "", location.pathname);
  }
  render();
}

function renderSignIn(): void {
  const input = h("input", {
    type: "password",
    name: "api-key",
    autocomplete: "off",
    spellcheck: "false",
    required: true,
  });
  const message = h("div", { class: "sign-in-message", "aria-live": "assertive" });
  if (notice) {
    message.append(h("p", { class: "error", role: "alert" }, t(notice)));
    notice = null;
  }
  const button = h("button", { type: "submit", class: "primary" }, t("signIn"));
  const form = h(
    "form",
    {
      class: "sign-in",
      novalidate: true,
      onsubmit: async (event: Event) => {
        event.preventDefault();
        clear(message);
        const key = input.value.trim();
        if (!key) {
          message.append(h("p", { class: "error", role: "alert" }, t("keyRequired")));
          input.focus();
          return;
        }
        button.disabled = true;
        button.textContent = t("signingIn");
        try {
          const who = await api<Me>("GET", "/v1/me", { key });
          storeKey(key);
          me = who;
          render();
        } catch (error) {
          button.disabled = false;
          button.textContent = t("signIn");
          const text = error instanceof ApiError && error.status === 401 ? t("wrongKey") : t("serverUnreachable");
          message.append(h("p", { class: "error", role: "alert" }, text));
          input.select();
          input.focus();
        }
      },
    },
    h("h1", {}, t("signInTitle")),
    h("p", {}, t("signInIntro")),
    field(t("apiKey"), input),
    button,
    message,
  );
  clear(root);
  root.append(h("header", { class: "top" }, h("span", { class: "brand" }, t("appName")), languageSwitch()), h("main", { id: "main", tabindex: "-1" }, form));
  input.focus();
}

function currentRoute(): { route: Route | undefined; params: string[] } {
  const hash = location.hash.startsWith("#/") ? location.hash.slice(2) : "";
  const [path, ...params] = hash.split("/").map((part) => decodeURIComponent(part));
  const name = path || "compose";
  return { route: routes.find((r) => r.path === name), params };
}

function renderShell(who: Me): void {
  const { route, params } = currentRoute();
  const nav = h("nav", { "aria-label": t("mainNav") });
  const list = h("ul");
  for (const r of routes) {
    if (r.office && !isOffice(who)) {
      continue;
    }
    const link = h("a", { href: `#/${r.path}` }, t(r.label));
    if (r === route) {
      link.setAttribute("aria-current", "page");
    }
    list.append(h("li", {}, link));
  }
  nav.append(list);
  const header = h(
    "header",
    { class: "top" },
    h("span", { class: "brand" }, t("appName")),
    nav,
    h(
      "div",
      { class: "who" },
      h("span", { class: "signed-in-as" }, t("signedInAs", { name: who.name, role: t(`role_${who.role}` as StringKey) })),
      languageSwitch(),
      h("button", { type: "button", class: "sign-out", onclick: () => signOut(null) }, t("signOut")),
    ),
  );
  const main = h("main", { id: "main", tabindex: "-1" });
  clear(root);
  root.append(header, main);
  if (!route || (route.office && !isOffice(who))) {
    main.append(h("h1", {}, t("notFound")));
    return;
  }
  const view = params.length > 0 && route.detail ? route.detail : route.view;
  stopView = view(main, who, params);
}

function render(): void {
  if (typeof stopView === "function") {
    stopView();
  }
  stopView = undefined;
  document.documentElement.lang = uiLanguage();
  document.title = t("appName");
  if (me) {
    renderShell(me);
  } else {
    renderSignIn();
  }
}

async function start(): Promise<void> {
  setUiLanguage(uiLanguage());
  setUnauthorizedHandler(() => signOut("sessionEnded"));
  document.querySelector(".skip-link")?.addEventListener("click", (event) => {
    event.preventDefault();
    document.getElementById("main")?.focus();
  });
  const skip = document.querySelector(".skip-link");
  if (skip) {
    skip.textContent = t("skipToContent");
  }
  window.addEventListener("hashchange", () => {
    if (!location.hash.startsWith("#/") && location.hash !== "") {
      return;
    }
    render();
    document.getElementById("main")?.focus();
  });
  const key = storedKey();
  if (key) {
    try {
      me = await api<Me>("GET", "/v1/me");
    } catch {
      forgetKey();
      me = null;
    }
  }
  render();
}

void start();

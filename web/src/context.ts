// What every screen gets: who is signed in (GET /v1/me), and small shared helpers.
import { ApiError } from "./api";
import { h } from "./dom";
import { t } from "./i18n";

export type Role = "school" | "coordinator" | "admin";

export interface School {
  id: string;
  name: string;
  language?: string;
}

export interface Me {
  name: string;
  role: Role;
  schools?: string[];
  district: { name: string; default_language: string; time_zone: string; schools: School[] };
}

// A screen draws itself into `container`; the function it returns stops its timers.
export type View = (container: HTMLElement, me: Me, params: string[]) => (() => void) | void;

export function isOffice(me: Me): boolean {
  return me.role === "coordinator" || me.role === "admin";
}

// The message of an error, with every field the server named.
export function errorBlock(error: unknown): HTMLElement {
  const block = h("div", { class: "error", role: "alert" });
  if (error instanceof ApiError) {
    block.append(h("p", {}, t("errorPrefix", { message: error.message })));
    if (error.problem.errors && error.problem.errors.length > 0) {
      const list = h("ul");
      for (const e of error.problem.errors) {
        list.append(h("li", {}, h("code", {}, e.field || "—"), ": ", e.message));
      }
      block.append(list);
    }
  } else if (error instanceof TypeError) {
    block.append(h("p", {}, t("serverUnreachable")));
  } else {
    block.append(h("p", {}, t("errorPrefix", { message: String(error) })));
  }
  return block;
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}

// Small lists kept for this tab only (families opened in Replies).
export function rememberedList(name: string): string[] {
  try {
    const value = JSON.parse(sessionStorage.getItem(`liaison.${name}`) ?? "[]");
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  } catch {
    return [];
  }
}

export function remember(name: string, value: string): void {
  const list = [value, ...rememberedList(name).filter((v) => v !== value)].slice(0, 20);
  sessionStorage.setItem(`liaison.${name}`, JSON.stringify(list));
}

// A datetime-local input's value as RFC 3339 with this browser's offset.
export function localToRfc3339(value: string): string | undefined {
  if (!value) {
    return undefined;
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    return undefined;
  }
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  const pad = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, "0");
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:00${sign}${pad(offset / 60)}:${pad(offset % 60)}`
  );
}

export function schoolName(me: Me, id: string): string {
  return me.district.schools.find((s) => s.id === id)?.name ?? id;
}

// The schools this key may act for (a school key's own, else every configured school).
export function schoolsOf(me: Me): School[] {
  if (me.role === "school") {
    return (me.schools ?? []).map((id) => ({ id, name: schoolName(me, id) }));
  }
  return me.district.schools;
}

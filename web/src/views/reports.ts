// Reports: reach by language and channel (GET /v1/reports/reach) and interpreter fill rates by
// language (GET /v1/reports/interpretation), as tables, inline SVG bar charts and CSV files.
// Each report degrades to "not available" on a server without it.
import { api } from "../api";
import { View, errorBlock, isNotFound } from "../context";
import { clear, field, h, svg } from "../dom";
import { formatNumber, formatPercent, isStringKey, languageName, t, tOr, StringKey } from "../i18n";

type Cell = string | number;
type Row = Record<string, Cell>;

const leadingColumns = ["language", "channel"];

// Rows from the shapes a report may take: an array of rows, an object holding one, or objects
// keyed by language (and channel) whose leaves hold the numbers.
export function reportRows(data: unknown): Row[] {
  if (Array.isArray(data)) {
    return data.filter((r) => r && typeof r === "object").map((r) => flatRow(r as Record<string, unknown>));
  }
  if (!data || typeof data !== "object") return [];
  const object = data as Record<string, unknown>;
  for (const key of ["rows", "by_language", "languages", "reach", "interpretation", "items"]) {
    const value = object[key];
    if (Array.isArray(value)) return reportRows(value);
    if (value && typeof value === "object") return keyedRows(value as Record<string, unknown>);
  }
  return [];
}

function flatRow(source: Record<string, unknown>, prefix = ""): Row {
  const row: Row = {};
  for (const [key, value] of Object.entries(source)) {
    if (typeof value === "number" || typeof value === "string") row[prefix + key] = value;
    else if (value && typeof value === "object" && !Array.isArray(value)) Object.assign(row, flatRow(value as Record<string, unknown>, `${prefix}${key}_`));
  }
  return row;
}

function hasOnlyLeaves(value: Record<string, unknown>): boolean {
  return Object.values(value).every((v) => typeof v !== "object" || v === null);
}

function keyedRows(byLanguage: Record<string, unknown>): Row[] {
  const rows: Row[] = [];
  for (const [language, value] of Object.entries(byLanguage)) {
    if (!value || typeof value !== "object") continue;
    const inner = value as Record<string, unknown>;
    if (hasOnlyLeaves(inner)) {
      rows.push({ language, ...flatRow(inner) });
      continue;
    }
    for (const [channel, counts] of Object.entries(inner)) {
      if (counts && typeof counts === "object") rows.push({ language, channel, ...flatRow(counts as Record<string, unknown>) });
    }
  }
  return rows;
}

function columnsOf(rows: Row[]): string[] {
  const columns: string[] = [];
  for (const row of rows) for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  return [...leadingColumns.filter((c) => columns.includes(c)), ...columns.filter((c) => !leadingColumns.includes(c))];
}

function columnLabel(column: string): string {
  const key = `col_${column}`;
  return isStringKey(key) ? t(key) : column.replace(/_/g, " ");
}

function isRate(column: string): boolean {
  return column.endsWith("_rate") || column === "rate";
}

// Rates arrive as fractions (0.75) or percents (75).
function rateValue(value: number): number {
  return value > 1 ? value / 100 : value;
}

function cellText(column: string, value: Cell | undefined): string {
  if (value === undefined) return "—";
  if (typeof value === "string") {
    if (column === "language") return languageName(value);
    return column === "channel" ? tOr(`channel_${value}`, value) : value;
  }
  return isRate(column) ? formatPercent(rateValue(value)) : formatNumber(value);
}

function csvOf(rows: Row[], columns: string[]): string {
  const quote = (value: Cell | undefined) => {
    const text = value === undefined ? "" : String(value);
    return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [columns.join(","), ...rows.map((row) => columns.map((c) => quote(row[c])).join(","))].join("\r\n") + "\r\n";
}

function table(caption: string, rows: Row[], columns: string[]): HTMLTableElement {
  return h(
    "table",
    { class: "report" },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, ...columns.map((c) => h("th", { scope: "col" }, columnLabel(c))))),
    h(
      "tbody",
      {},
      ...rows.map((row) =>
        h("tr", {}, ...columns.map((c, i) => (i === 0 ? h("th", { scope: "row" }, cellText(c, row[c])) : h("td", {}, cellText(c, row[c]))))),
      ),
    ),
  );
}

// A horizontal bar per label, value between 0 and 1; an image with a text alternative.
export function barChart(title: string, bars: { label: string; value: number }[]): SVGElement {
  const rowHeight = 28;
  const labelWidth = 220;
  const barWidth = 360;
  const height = bars.length * rowHeight + 10;
  const description = bars.map((b) => `${b.label}: ${formatPercent(b.value)}`).join("; ");
  const chart = svg(
    "svg",
    { class: "chart", viewBox: `0 0 ${labelWidth + barWidth + 70} ${height}`, role: "img", "aria-label": `${title}. ${description}` },
    svg("title", {}, title),
  );
  bars.forEach((b, i) => {
    const y = 5 + i * rowHeight;
    const width = Math.max(0, Math.min(1, b.value)) * barWidth;
    chart.append(
      svg("text", { x: labelWidth - 8, y: y + 18, "text-anchor": "end", class: "chart-label" }, b.label),
      svg("rect", { x: labelWidth, y: y + 4, width: barWidth, height: rowHeight - 8, class: "chart-track" }),
      svg("rect", { x: labelWidth, y: y + 4, width, height: rowHeight - 8, class: "chart-bar" }),
      svg("text", { x: labelWidth + barWidth + 8, y: y + 18, class: "chart-value" }, formatPercent(b.value)),
    );
  });
  return chart;
}

function reachBars(rows: Row[]): { label: string; value: number }[] {
  const byLanguage = new Map<string, { families: number; reached: number }>();
  for (const row of rows) {
    const language = String(row.language ?? "");
    if (!language || typeof row.families !== "number" || typeof row.reached !== "number") continue;
    const seen = byLanguage.get(language) ?? { families: 0, reached: 0 };
    // Families reached on any channel: the largest count among the language's channels.
    byLanguage.set(language, { families: Math.max(seen.families, row.families), reached: Math.max(seen.reached, row.reached) });
  }
  return [...byLanguage.entries()].map(([language, v]) => ({ label: languageName(language), value: v.families > 0 ? v.reached / v.families : 0 }));
}

function fillBars(rows: Row[]): { label: string; value: number }[] {
  return rows
    .filter((row) => row.language !== undefined)
    .map((row) => {
      const rate = typeof row.fill_rate === "number" ? rateValue(row.fill_rate) : typeof row.requests === "number" && typeof row.filled === "number" && row.requests > 0 ? row.filled / row.requests : 0;
      return { label: languageName(String(row.language)), value: rate };
    });
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const link = h("a", { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export const reportsView: View = (container: HTMLElement) => {
  const from = h("input", { type: "date", name: "from" });
  const to = h("input", { type: "date", name: "to" });
  const reach = h("section", { class: "report-section", "aria-labelledby": "reach-title" });
  const interpretation = h("section", { class: "report-section", "aria-labelledby": "interpretation-title" });

  async function load(section: HTMLElement, path: string, titleKey: StringKey, titleId: string, chartKey: StringKey, bars: (rows: Row[]) => { label: string; value: number }[], file: string): Promise<void> {
    clear(section);
    section.append(h("h2", { id: titleId }, t(titleKey)), h("p", {}, t("loading")));
    const query = new URLSearchParams();
    if (from.value) query.set("from", from.value);
    if (to.value) query.set("to", to.value);
    const suffix = query.toString() ? `?${query}` : "";
    try {
      const data = await api<unknown>("GET", path + suffix);
      const rows = reportRows(data);
      const columns = columnsOf(rows);
      section.replaceChildren(h("h2", { id: titleId }, t(titleKey)));
      if (rows.length === 0) {
        section.append(h("p", {}, t("noRows")));
        return;
      }
      const chartBars = bars(rows);
      if (chartBars.length > 0) section.append(h("figure", {}, barChart(t(chartKey), chartBars), h("figcaption", {}, t(chartKey))));
      section.append(
        table(t(titleKey), rows, columns),
        h("button", { type: "button", class: "download", onclick: () => download(file, csvOf(rows, columns)) }, t("downloadCsv")),
      );
    } catch (error) {
      section.replaceChildren(h("h2", { id: titleId }, t(titleKey)), isNotFound(error) ? h("p", { class: "not-available" }, t("notAvailable")) : errorBlock(error));
    }
  }

  function loadAll(): void {
    void load(reach, "/v1/reports/reach", "reachTitle", "reach-title", "chartReach", reachBars, "reach.csv");
    void load(interpretation, "/v1/reports/interpretation", "interpretationReportTitle", "interpretation-title", "chartFill", fillBars, "interpretation.csv");
  }

  const form = h(
    "form",
    {
      class: "report-period inline-form",
      onsubmit: (event: Event) => {
        event.preventDefault();
        loadAll();
      },
    },
    field(t("from"), from),
    field(t("to"), to),
    h("button", { type: "submit" }, t("update")),
  );
  container.append(h("h1", {}, t("reportsTitle")), form, reach, interpretation);
  loadAll();
};

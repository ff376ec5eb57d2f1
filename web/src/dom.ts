// Building the page from code: every text goes in as a text node (never as HTML), so nothing a
// family or a user wrote can become markup; no style attributes (the CSP forbids inline styles).

type Child = Node | string | number | null | undefined | false;
type Attributes = Record<string, string | number | boolean | null | undefined | EventListener>;

function apply(element: Element, attributes: Attributes): void {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (value === true) {
      element.setAttribute(name, "");
    } else {
      element.setAttribute(name, String(value));
    }
  }
}

function append(element: Element, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  apply(element, attributes);
  append(element, children);
  return element;
}

const svgNamespace = "http://www.w3.org/2000/svg";

export function svg(tag: string, attributes: Attributes = {}, ...children: Child[]): SVGElement {
  const element = document.createElementNS(svgNamespace, tag) as SVGElement;
  apply(element, attributes);
  append(element, children);
  return element;
}

export function clear(element: Element): void {
  element.replaceChildren();
}

let nextId = 0;
// A unique id for label/for and aria-describedby pairs.
export function uid(prefix: string): string {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

// A labelled form control: <div class="field"><label for=…>…</label>control hint</div>.
export function field(label: string, control: HTMLElement, hint?: string): HTMLDivElement {
  if (!control.id) {
    control.id = uid("field");
  }
  const wrapper = h("div", { class: "field" }, h("label", { for: control.id }, label), control);
  if (hint) {
    const hintId = uid("hint");
    control.setAttribute("aria-describedby", hintId);
    wrapper.append(h("p", { class: "hint", id: hintId }, hint));
  }
  return wrapper;
}

// A status line read out by screen readers when it changes.
export function liveRegion(className = "status"): HTMLParagraphElement {
  return h("p", { class: className, role: "status", "aria-live": "polite" });
}

export function splitList(text: string): string[] {
  return text
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

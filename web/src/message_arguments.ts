// The named arguments an ICU MessageFormat pattern uses, with their type ("date", "number"…), so
// the compose screen can ask for each value with the right control. A small scanner: arguments
// at the top level and inside plural/select branches; quoted text ('{…}') is skipped.

export interface MessageArgument {
  name: string;
  type: string; // "" for a plain {name}
}

// Filled in by liaisond for each guardian: never asked for.
export const recipientArguments = new Set(["guardian_name", "student_names", "school"]);

const complexTypes = new Set(["plural", "select", "selectordinal"]);

class Scanner {
  position = 0;
  constructor(
    readonly text: string,
    readonly found: Map<string, string>,
  ) {}

  // Message text up to an unmatched '}' (or the end).
  message(): void {
    while (this.position < this.text.length) {
      const c = this.text[this.position];
      if (c === "'" && this.text[this.position + 1] !== "'") {
        const end = this.text.indexOf("'", this.position + 1);
        this.position = end < 0 ? this.text.length : end + 1;
      } else if (c === "{") {
        this.position += 1;
        this.argument();
      } else if (c === "}") {
        return;
      } else {
        this.position += 1;
      }
    }
  }

  private word(): string {
    this.skipSpace();
    const start = this.position;
    while (this.position < this.text.length && /[\p{L}\p{N}_=-]/u.test(this.text[this.position])) {
      this.position += 1;
    }
    return this.text.slice(start, this.position);
  }

  private skipSpace(): void {
    while (this.position < this.text.length && /\s/.test(this.text[this.position])) {
      this.position += 1;
    }
  }

  // After '{': name [, type [, style or branches]] '}'.
  private argument(): void {
    const name = this.word();
    this.skipSpace();
    let type = "";
    if (this.text[this.position] === ",") {
      this.position += 1;
      type = this.word();
      this.skipSpace();
    }
    if (name && !this.found.has(name)) {
      this.found.set(name, type);
    } else if (name && type && !this.found.get(name)) {
      this.found.set(name, type);
    }
    if (complexTypes.has(type) && this.text[this.position] === ",") {
      this.position += 1;
      this.branches();
    } else {
      // A style ("long", "::yyyyMMdd") up to the closing brace.
      while (this.position < this.text.length && this.text[this.position] !== "}") {
        this.position += 1;
      }
    }
    if (this.text[this.position] === "}") {
      this.position += 1;
    }
  }

  // "offset:1 one {…} other {…}" up to the argument's closing brace.
  private branches(): void {
    for (;;) {
      this.skipSpace();
      if (this.position >= this.text.length || this.text[this.position] === "}") {
        return;
      }
      const selector = this.word();
      this.skipSpace();
      if (this.text[this.position] === ":") {
        this.position += 1;
        this.word();
        continue;
      }
      if (this.text[this.position] !== "{" || !selector) {
        this.position += 1;
        continue;
      }
      this.position += 1;
      this.message();
      if (this.text[this.position] === "}") {
        this.position += 1;
      }
    }
  }
}

export function messageArguments(patterns: string[]): MessageArgument[] {
  const found = new Map<string, string>();
  for (const pattern of patterns) {
    const scanner = new Scanner(pattern, found);
    while (scanner.position < pattern.length) {
      scanner.message();
      scanner.position += 1; // a stray '}'
    }
  }
  return [...found.entries()]
    .filter(([name]) => !recipientArguments.has(name) && name !== "#")
    .map(([name, type]) => ({ name, type }));
}

export function argumentKind(type: string): "datetime" | "number" | "text" {
  if (type === "date" || type === "time") {
    return "datetime";
  }
  if (type === "number" || type === "plural" || type === "selectordinal") {
    return "number";
  }
  return "text";
}

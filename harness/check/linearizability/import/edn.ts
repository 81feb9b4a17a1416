/**
 * A small EDN reader: enough of Clojure's data notation for Jepsen and Knossos histories.
 *
 * Supported: `nil`, `true`, `false`, integers and decimals, strings with escapes, keywords (`:ok`),
 * symbols, vectors `[...]`, lists `(...)`, sets `#{...}` (read as arrays), maps `{...}`, commas as
 * whitespace and `;` comments. Not supported: tagged literals (`#inst`), characters (`\a`), ratios.
 *
 * @module
 */

/** An EDN keyword such as `:invoke`; `name` has no colon. */
export class EdnKeyword {
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
  toString(): string {
    return `:${this.name}`;
  }
}

/** An EDN symbol: a bare word that is not `nil`, `true` or `false`. */
export class EdnSymbol {
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
  toString(): string {
    return this.name;
  }
}

/** An EDN map. Keys are looked up by their printed form: `:process`, `"7"`, `3`. */
export class EdnMap {
  readonly entries: ReadonlyMap<string, EdnValue>;
  constructor(entries: ReadonlyMap<string, EdnValue>) {
    this.entries = entries;
  }
  /** The value under `key` (printed form, e.g. `:type`), or undefined when absent. */
  get(key: string): EdnValue | undefined {
    return this.entries.get(key);
  }
}

/** A value read from EDN. Vectors, lists and sets are arrays; `nil` is null. */
export type EdnValue = null | boolean | number | string | EdnKeyword | EdnSymbol | EdnMap | readonly EdnValue[];

/**
 * An EDN syntax error. `column` counts from 1 on the first line of the text read, so it is the column
 * for one-line text; `offset` (from 0) locates the error in any text (see {@link lineAndColumnAt}).
 */
export class EdnSyntaxError extends Error {
  /** `offset + 1`: the column when the text is one line. */
  readonly column: number;
  /** Where the error is, in UTF-16 code units from the start of the text (from 0). */
  readonly offset: number;
  /** The problem alone, without the column. */
  readonly problem: string;
  constructor(offset: number, problem: string) {
    super(`column ${offset + 1}: ${problem}`);
    this.name = 'EdnSyntaxError';
    this.column = offset + 1;
    this.offset = offset;
    this.problem = problem;
  }
}

/** A value read from a longer text, with the offset (from 0) of its first character. */
export interface EdnForm {
  readonly value: EdnValue;
  readonly offset: number;
}

/** The line and column (both from 1) of `offset` in `text`. */
export function lineAndColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let index = 0; index < offset && index < text.length; index++) {
    if (text.charCodeAt(index) === 10) {
      line++;
      lineStart = index + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Nesting deeper than this is refused rather than risk the call stack on hostile input. */
const MAX_DEPTH = 100;

const DELIMITERS = new Set([' ', '\t', '\n', '\r', ',', '(', ')', '[', ']', '{', '}', '"', ';']);

const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' };

/** The printed form of a map key: how {@link EdnMap.get} finds it. */
function keyText(key: EdnValue): string {
  if (typeof key === 'string') return JSON.stringify(key);
  if (key === null) return 'nil';
  if (key instanceof EdnMap || Array.isArray(key)) throw new Error('collections as map keys are not supported');
  return String(key);
}

class Reader {
  #position = 0;
  readonly #text: string;

  constructor(text: string) {
    this.#text = text;
  }

  fail(problem: string): never {
    throw new EdnSyntaxError(this.#position, problem);
  }

  get position(): number {
    return this.#position;
  }

  peek(): string | undefined {
    return this.#text[this.#position];
  }

  /** Reads the forms of the vector that starts here, each with its offset. */
  readVectorForms(): EdnForm[] {
    this.#position++; // opening bracket
    const forms: EdnForm[] = [];
    for (;;) {
      this.skipWhitespace();
      const char = this.#text[this.#position];
      if (char === undefined) this.fail("missing ']' at the end of the history");
      if (char === ']') {
        this.#position++;
        return forms;
      }
      const offset = this.#position;
      forms.push({ value: this.readValue(1), offset });
    }
  }

  skipWhitespace(): void {
    const text = this.#text;
    while (this.#position < text.length) {
      const char = text[this.#position]!;
      if (char === ';') {
        while (this.#position < text.length && text[this.#position] !== '\n') this.#position++;
      } else if (char === ' ' || char === '\t' || char === '\n' || char === '\r' || char === ',') {
        this.#position++;
      } else {
        return;
      }
    }
  }

  atEnd(): boolean {
    this.skipWhitespace();
    return this.#position >= this.#text.length;
  }

  readValue(depth: number): EdnValue {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`);
    this.skipWhitespace();
    const char = this.#text[this.#position];
    switch (char) {
      case undefined:
        return this.fail('unexpected end of input');
      case '"':
        return this.readString();
      case '[':
        return this.readSequence(']', depth);
      case '(':
        return this.readSequence(')', depth);
      case '{':
        return this.readMap(depth);
      case '#':
        if (this.#text[this.#position + 1] === '{') {
          this.#position++;
          return this.readSequence('}', depth);
        }
        return this.fail('tagged literals (#...) are not supported');
      case ']':
      case ')':
      case '}':
        return this.fail(`unexpected '${char}'`);
      default:
        return this.readAtom();
    }
  }

  readString(): string {
    const text = this.#text;
    const start = this.#position;
    this.#position++; // opening quote
    let value = '';
    while (this.#position < text.length) {
      const char = text[this.#position++]!;
      if (char === '"') return value;
      if (char !== '\\') {
        value += char;
        continue;
      }
      const escaped = text[this.#position++];
      if (escaped === 'u') {
        const hex = text.slice(this.#position, this.#position + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail(`bad unicode escape \\u${hex}`);
        value += String.fromCharCode(parseInt(hex, 16));
        this.#position += 4;
      } else if (escaped !== undefined && ESCAPES[escaped] !== undefined) {
        value += ESCAPES[escaped];
      } else {
        this.fail(`unknown escape \\${escaped ?? ''} in string`);
      }
    }
    this.#position = start;
    return this.fail('string not closed');
  }

  readSequence(close: string, depth: number): EdnValue[] {
    this.#position++; // opening bracket
    const values: EdnValue[] = [];
    for (;;) {
      this.skipWhitespace();
      const char = this.#text[this.#position];
      if (char === undefined) this.fail(`missing '${close}'`);
      if (char === close) {
        this.#position++;
        return values;
      }
      values.push(this.readValue(depth + 1));
    }
  }

  readMap(depth: number): EdnMap {
    const start = this.#position;
    const items = this.readSequence('}', depth);
    if (items.length % 2 !== 0) {
      this.#position = start; // point at the map, not past it
      this.fail('a map needs an even number of forms (key value pairs)');
    }
    const entries = new Map<string, EdnValue>();
    for (let index = 0; index < items.length; index += 2) {
      const key = items[index]!;
      if (key instanceof EdnMap || Array.isArray(key)) {
        this.#position = start;
        this.fail(
          'a map key here is a collection (a vector, list or map): only keywords, strings, numbers and symbols are supported as keys',
        );
      }
      entries.set(keyText(key), items[index + 1]!);
    }
    return new EdnMap(entries);
  }

  readAtom(): EdnValue {
    const text = this.#text;
    const start = this.#position;
    while (this.#position < text.length && !DELIMITERS.has(text[this.#position]!)) this.#position++;
    const token = text.slice(start, this.#position);
    if (token === 'nil') return null;
    if (token === 'true') return true;
    if (token === 'false') return false;
    if (token.startsWith(':')) {
      if (token.length === 1) this.fail('empty keyword');
      return new EdnKeyword(token.slice(1));
    }
    if (/^[+-]?\d/.test(token)) return this.parseNumber(token, start);
    if (token.startsWith('\\')) this.fail('characters (\\c) are not supported');
    return new EdnSymbol(token);
  }

  parseNumber(token: string, start: number): number {
    const match = /^([+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)[NM]?$/.exec(token);
    if (match === null) {
      this.#position = start;
      this.fail(`not a number: ${token}`);
    }
    return Number(match[1]);
  }
}

/**
 * Reads exactly one EDN value from `text`.
 *
 * @throws EdnSyntaxError naming the column, on malformed input or trailing text.
 */
export function parseEdn(text: string): EdnValue {
  const reader = new Reader(text);
  const value = reader.readValue(0);
  if (!reader.atEnd()) reader.fail('unexpected text after the value');
  return value;
}

/**
 * Reads every top-level form of `text`, each with its offset: the forms of a history written one op map
 * per line (Jepsen's `history.edn`) or, when the text is one vector (Knossos's data files), the forms
 * inside it.
 *
 * @throws EdnSyntaxError with the offset of the problem.
 */
export function readEdnForms(text: string): EdnForm[] {
  const reader = new Reader(text);
  if (reader.atEnd()) return [];
  if (reader.peek() === '[') {
    const forms = reader.readVectorForms();
    if (!reader.atEnd()) reader.fail('unexpected text after the history vector');
    return forms;
  }
  const forms: EdnForm[] = [];
  while (!reader.atEnd()) {
    const offset = reader.position;
    forms.push({ value: reader.readValue(0), offset });
  }
  return forms;
}

/** Prints a value back roughly as EDN, for error messages. */
export function describeEdn(value: EdnValue | undefined): string {
  if (value === undefined) return '(missing)';
  if (value === null) return 'nil';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item: EdnValue) => describeEdn(item)).join(' ')}]`;
  if (value instanceof EdnMap)
    return `{${[...value.entries].map(([key, item]) => `${key} ${describeEdn(item)}`).join(', ')}}`;
  return String(value);
}

/**
 * A small TypeScript tokenizer for tests that inspect the source tree: it knows comments, string
 * and template literals (with nested substitutions) and regular expression literals, so that a
 * test sees the string literals the code really contains — not words in comments, in regexes or
 * in the text around a substitution.
 */

export type TokenKind = "string" | "template" | "ident" | "number" | "punct" | "regex";

export interface Token {
  kind: TokenKind;
  /** A literal's value (escapes left as written), an identifier's name, the punctuator. */
  value: string;
  /** 1-based line of the token's start. */
  line: number;
}

/** After these keywords a `/` starts a regular expression, not a division. */
const KEYWORDS_BEFORE_EXPRESSION = new Set([
  "return",
  "typeof",
  "instanceof",
  "case",
  "throw",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "yield",
  "await",
  "else",
  "do",
]);

const OPERATORS = [
  "===",
  "!==",
  "**=",
  "...",
  "??=",
  "||=",
  "&&=",
  "=>",
  "==",
  "!=",
  "<=",
  ">=",
  "&&",
  "||",
  "??",
  "?.",
  "++",
  "--",
  "+=",
  "-=",
  "*=",
  "/=",
  "%=",
  "&=",
  "|=",
  "^=",
];

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let depth = 0;
  /** Brace depth at which each open `${` substitution ends. */
  const substitutions: number[] = [];
  const n = source.length;

  const advance = (to: number) => {
    for (let k = i; k < to && k < n; k++) if (source[k] === "\n") line++;
    i = Math.min(to, n);
  };
  const regexAllowed = (): boolean => {
    const last = tokens[tokens.length - 1];
    if (!last) return true;
    if (last.kind === "punct") return !/^[)\]}]$/.test(last.value);
    if (last.kind === "ident") return KEYWORDS_BEFORE_EXPRESSION.has(last.value);
    return false;
  };
  /** Reads template text from `i` (just after "`" or the "}" of a substitution). */
  const template = (whole: boolean) => {
    const startLine = line;
    let j = i;
    while (j < n) {
      const c = source[j];
      if (c === "\\") {
        j += 2;
        continue;
      }
      if (c === "`") {
        const value = source.slice(i, j);
        advance(j + 1);
        tokens.push({ kind: whole ? "template" : "punct", value: whole ? value : "`", line: startLine });
        return;
      }
      if (c === "$" && source[j + 1] === "{") {
        advance(j + 2);
        tokens.push({ kind: "punct", value: "${", line: startLine });
        substitutions.push(depth);
        depth++;
        return;
      }
      j++;
    }
    throw new Error(`unterminated template literal at line ${startLine}`);
  };

  while (i < n) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      advance(i + 1);
      continue;
    }
    if (c === "/" && source[i + 1] === "/") {
      const end = source.indexOf("\n", i);
      advance(end === -1 ? n : end);
      continue;
    }
    if (c === "/" && source[i + 1] === "*") {
      const end = source.indexOf("*/", i + 2);
      if (end === -1) throw new Error(`unterminated comment at line ${line}`);
      advance(end + 2);
      continue;
    }
    if (c === '"' || c === "'") {
      const startLine = line;
      let j = i + 1;
      while (j < n && source[j] !== c) {
        if (source[j] === "\\") j++;
        else if (source[j] === "\n") throw new Error(`unterminated string at line ${startLine}`);
        j++;
      }
      const value = source.slice(i + 1, j);
      advance(j + 1);
      tokens.push({ kind: "string", value, line: startLine });
      continue;
    }
    if (c === "`") {
      advance(i + 1);
      template(true);
      continue;
    }
    if (c === "{") {
      depth++;
      tokens.push({ kind: "punct", value: c, line });
      advance(i + 1);
      continue;
    }
    if (c === "}") {
      depth--;
      if (substitutions.length > 0 && substitutions[substitutions.length - 1] === depth) {
        substitutions.pop();
        advance(i + 1);
        template(false);
        continue;
      }
      tokens.push({ kind: "punct", value: c, line });
      advance(i + 1);
      continue;
    }
    if (/[A-Za-z_$]/.test(c)) {
      const match = /^[A-Za-z0-9_$]+/.exec(source.slice(i, i + 200))!;
      tokens.push({ kind: "ident", value: match[0], line });
      advance(i + match[0].length);
      continue;
    }
    if (/[0-9]/.test(c)) {
      const match = /^[0-9][0-9A-Za-z_.]*/.exec(source.slice(i, i + 100))!;
      tokens.push({ kind: "number", value: match[0], line });
      advance(i + match[0].length);
      continue;
    }
    if (c === "/" && regexAllowed()) {
      const startLine = line;
      let j = i + 1;
      let inClass = false;
      while (j < n) {
        const d = source[j];
        if (d === "\\") j++;
        else if (d === "[") inClass = true;
        else if (d === "]") inClass = false;
        else if (d === "/" && !inClass) break;
        else if (d === "\n") throw new Error(`unterminated regular expression at line ${startLine}`);
        j++;
      }
      const flags = /^[a-z]*/.exec(source.slice(j + 1, j + 10))![0];
      tokens.push({ kind: "regex", value: source.slice(i, j + 1 + flags.length), line: startLine });
      advance(j + 1 + flags.length);
      continue;
    }
    const operator = OPERATORS.find((op) => source.startsWith(op, i)) ?? c;
    tokens.push({ kind: "punct", value: operator, line });
    advance(i + operator.length);
  }
  return tokens;
}

/**
 * src/core/reason-codes.ts is the one list of reason codes per step. These tests read the source
 * tree (string literals only: comments and regexes do not count) so that the list cannot drift
 * from what the STS, the WSP and the client really construct, in either direction.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import {
  allFailureReasons,
  CLIENT_SETUP_REASONS,
  closestReason,
  FAILURE_REASONS,
  isFailureReason,
  OK,
  STS_CLIENT_REASONS,
  STS_REASONS,
  stepsOfReason,
  WSP_CLIENT_REASONS,
  WSP_REASONS,
} from "../../src/core/reason-codes.js";
import { REPO_ROOT } from "../helpers/cli.js";
import { type Token, tokenize } from "../helpers/ts-tokens.js";

const SRC = join(REPO_ROOT, "src");

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory()
        ? tsFiles(join(dir, entry.name))
        : entry.name.endsWith(".ts")
          ? [join(dir, entry.name)]
          : [],
    )
    .sort();
}

/** Upper-case literals with an underscore: reason-code shaped wherever they are. */
const CODE_SHAPED = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;
/** One-word codes (`OK`, `REPLAY`) count where they stand as a reason (see `inReasonPosition`). */
const ONE_WORD = /^[A-Z][A-Z0-9]+$/;

/** Code-shaped literals in the scanned files that are not reasons, and why. */
const NOT_REASONS: Record<string, string> = {
  FILE_NOT_FOUND: "src/pki/load.ts's error code, compared in src/client/certificate-source.ts",
};

/**
 * Whether the literal at `k` is where a reason goes: the first argument of an error or a
 * rejection (`new HarnessError("X", …)`, `reject("X", …)`), the second of `new ClientError(step,
 * "X", …)`, a `reason: "X"` property, or compared with / defaulted for a `reason`.
 */
function inReasonPosition(tokens: Token[], k: number): boolean {
  const at = (offset: number) => tokens[k - offset]?.value;
  if (at(1) === "(" && /(Error|Rejection|^reject|^fail)$/.test(at(2) ?? "")) return true;
  if (at(1) === "," && at(3) === "(" && at(4) === "ClientError") return true;
  if (at(1) === ":" && at(2) === "reason") return true;
  if (["===", "!==", "??", "||"].includes(at(1) ?? "") && at(2) === "reason") return true;
  return false;
}

interface Found {
  code: string;
  file: string;
  line: number;
}

/** The reason codes a file's code uses (literals only). */
function reasonsIn(file: string): Found[] {
  const tokens = tokenize(readFileSync(file, "utf8"));
  const out: Found[] = [];
  tokens.forEach((token, k) => {
    if (token.kind !== "string" && token.kind !== "template") return;
    const shaped = CODE_SHAPED.test(token.value);
    if (!shaped && !(ONE_WORD.test(token.value) && inReasonPosition(tokens, k))) return;
    if (NOT_REASONS[token.value]) return;
    out.push({ code: token.value, file: relative(REPO_ROOT, file), line: token.line });
  });
  return out;
}

const ALL = [...allFailureReasons(), OK];

/** The files that construct reasons, and the codes each may use. */
const SCANNED: Array<{ files: string[]; allowed: readonly string[]; what: string }> = [
  {
    files: ["token-service.ts", "checks.ts", "issue.ts"].map((f) => join(SRC, "sts", f)),
    allowed: [...STS_REASONS, OK],
    what: "STS_REASONS",
  },
  {
    files: ["service.ts", "checks.ts", "faults.ts", "token.ts"].map((f) => join(SRC, "wsp", f)),
    allowed: [...WSP_REASONS, OK],
    what: "WSP_REASONS",
  },
  { files: [join(SRC, "wsp/operations.ts")], allowed: FAILURE_REASONS[2], what: "step 2" },
  { files: tsFiles(join(SRC, "client")), allowed: ALL, what: "any step" },
  { files: tsFiles(join(SRC, "xml")), allowed: ALL, what: "any step" },
];

describe("reason codes (src/core/reason-codes.ts)", () => {
  it("lists every reason the STS, the WSP, the client and the XML layer construct", () => {
    const unlisted: string[] = [];
    let seen = 0;
    for (const group of SCANNED) {
      for (const file of group.files) {
        for (const found of reasonsIn(file)) {
          seen++;
          if (!group.allowed.includes(found.code)) {
            unlisted.push(`${found.file}:${found.line}: ${found.code} is not in ${group.what}`);
          }
        }
      }
    }
    expect(unlisted, "add the code to src/core/reason-codes.ts (and the docs), or use a listed one").toEqual(
      [],
    );
    // The scan found the producing sites (a broken tokenizer would find none).
    expect(seen).toBeGreaterThan(100);
  });

  it("lists no code that the source does not use", () => {
    const used = new Set<string>();
    for (const file of tsFiles(SRC)) {
      if (file === join(SRC, "core", "reason-codes.ts")) continue;
      for (const token of tokenize(readFileSync(file, "utf8"))) {
        if (token.kind === "string" || token.kind === "template") used.add(token.value);
      }
    }
    expect(ALL.filter((code) => !used.has(code))).toEqual([]);
  });

  it("the not-a-reason exceptions are still in the scanned files", () => {
    const literals = new Set(
      SCANNED.flatMap((g) => g.files).flatMap((file) =>
        tokenize(readFileSync(file, "utf8")).map((token) => token.value),
      ),
    );
    for (const code of Object.keys(NOT_REASONS)) expect(literals.has(code), code).toBe(true);
  });

  it("has the docs/contract.md codes at their steps, and the client's own ones", () => {
    expect(FAILURE_REASONS[0]).toEqual([...CLIENT_SETUP_REASONS]);
    for (const code of [
      "CERT_NOT_YET_ACTIVE",
      "CERT_SUPERSEDED",
      "UNKNOWN_SERVICE",
      "STS_RESPONSE_UNTRUSTED",
    ])
      expect(isFailureReason(1, code), code).toBe(true);
    for (const code of ["TOKEN_EXPIRED", "REPLAY", "PRIVILEGE_MISSING", "WSP_RESPONSE_UNTRUSTED"])
      expect(isFailureReason(2, code), code).toBe(true);
    expect(isFailureReason(1, "PRIVILEGE_MISSING")).toBe(false);
    expect(isFailureReason(1, OK)).toBe(false);
    expect(stepsOfReason("SIGNATURE_INVALID")).toEqual([1, 2]);
    expect(stepsOfReason("CLIENT_CERT_NOT_FOUND")).toEqual([0]);
    expect(stepsOfReason("NO_SUCH_CODE")).toEqual([]);
    for (const list of [
      CLIENT_SETUP_REASONS,
      STS_REASONS,
      STS_CLIENT_REASONS,
      WSP_REASONS,
      WSP_CLIENT_REASONS,
    ])
      expect(new Set(list).size).toBe(list.length);
  });

  it("every code docs/contract.md lists is in the list at its step", () => {
    const contract = readFileSync(join(REPO_ROOT, "docs", "contract.md"), "utf8");
    const section = contract.slice(contract.indexOf("## Reason codes"), contract.indexOf("## Events"));
    const codesOf = (label: string) => {
      const start = section.indexOf(`- ${label}`);
      expect(start, label).toBeGreaterThanOrEqual(0);
      const end = section.indexOf("\n- ", start + 1);
      const item = section.slice(start, end < 0 ? undefined : end);
      return [...item.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!).filter((code) => code !== OK);
    };
    const step1 = codesOf("step 1");
    const step2 = codesOf("step 2");
    const client = codesOf("client side");
    expect(step1).toContain("CERT_NOT_YET_ACTIVE");
    expect(step2).toContain("PRIVILEGE_MISSING");
    for (const code of step1) expect(isFailureReason(1, code), code).toBe(true);
    for (const code of step2) expect(isFailureReason(2, code), code).toBe(true);
    expect(client).toEqual(["CLIENT_CERT_NOT_FOUND", "CLIENT_CERT_UNREADABLE", "STS_RESPONSE_UNTRUSTED"]);
    expect(isFailureReason(0, "CLIENT_CERT_NOT_FOUND")).toBe(true);
    expect(isFailureReason(0, "CLIENT_CERT_UNREADABLE")).toBe(true);
    expect(isFailureReason(1, "STS_RESPONSE_UNTRUSTED")).toBe(true);
  });

  it("suggests the closest code for a typo, and none for something unrelated", () => {
    expect(closestReason("CERT_NOT_ACTIVE", FAILURE_REASONS[1])).toBe("CERT_NOT_YET_ACTIVE");
    expect(closestReason("cert_expired", FAILURE_REASONS[1])).toBe("CERT_EXPIRED");
    expect(closestReason("PRIVILEGES_MISSING", FAILURE_REASONS[2])).toBe("PRIVILEGE_MISSING");
    expect(closestReason("BANANA", FAILURE_REASONS[1])).toBeUndefined();
  });
});

describe("the source tokenizer used above", () => {
  it("sees literals in code, not in comments, regexes or around substitutions", () => {
    const source = [
      '// "IN_LINE_COMMENT"',
      '/* "IN_BLOCK_COMMENT" */',
      'const re = /"IN_REGEX"[/]/g;',
      'const half = a / b / "AFTER_DIVISION";',
      // Split between $ and { to stay a plain string here; the tokenizer is to see a substitution.
      "const t = `x $" + '{f(`IN_NESTED`, { k: "IN_SUBSTITUTION" })} "AROUND_SUBSTITUTION"`;',
      'const s = \'SINGLE_QUOTED\' + "ESCAPED_\\"QUOTE";',
      "throw new HarnessError(`NO_SUBSTITUTION`, msg);",
    ].join("\n");
    const tokens = tokenize(source);
    const literals = tokens.filter((t) => t.kind === "string" || t.kind === "template").map((t) => t.value);
    expect(literals).toEqual([
      "AFTER_DIVISION",
      "IN_NESTED",
      "IN_SUBSTITUTION",
      "SINGLE_QUOTED",
      'ESCAPED_\\"QUOTE',
      "NO_SUBSTITUTION",
    ]);
    expect(tokens.find((t) => t.value === "NO_SUBSTITUTION")!.line).toBe(7);
    expect(tokens.filter((t) => t.kind === "regex").map((t) => t.value)).toEqual(['/"IN_REGEX"[/]/g']);
  });
});

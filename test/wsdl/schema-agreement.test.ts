/**
 * One source of truth: the course fields in the served XSD, in the validators (the WSP's for XML,
 * the client's for JSON) and in the table of docs/smdb.md are the same fields, in the same order,
 * with the same types and the same required/optional; and for a set of good and bad Bodies,
 * libxml2 with the served XSD and the WSP's validator agree — except for the two rules XSD 1.0
 * cannot state, which only the WSP enforces and the schema documents.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { validateXML } from "xmllint-wasm";
import { type CourseValidationError, courseToXml, validateCourse } from "../../src/smdb/course.js";
import { OperationValidationError, readRequestXml } from "../../src/smdb/operations.js";
import { allFields, Forloeb, SMDB_NS } from "../../src/smdb/schema.js";
import { smdbXsd } from "../../src/smdb/xsd.js";
import { NS } from "../../src/xml/ns.js";
import { childElements, parseXml } from "../../src/xml/parse.js";
import { REPO_ROOT } from "../helpers/cli.js";

const COURSE = {
  forloebId: "F-1",
  cpr: "0101901234",
  kommunekode: "101",
  behandlingssted: "Rusmiddelcenter",
  behandlingstype: "social",
  startdato: "2026-01-05",
  slutdato: "2026-02-01",
  stoffer: ["cannabis"],
};

interface DocRow {
  field: string;
  type: string;
  required: boolean;
}

/** The course table of docs/smdb.md (header `| field | type | required | rule |`). */
function docTable(): DocRow[] {
  const lines = readFileSync(join(REPO_ROOT, "docs", "smdb.md"), "utf8").split("\n");
  const start = lines.findIndex((l) => /^\| field \| type \| required \| rule \|$/.test(l.trim()));
  expect(start, "docs/smdb.md has the course table").toBeGreaterThan(0);
  const rows: DocRow[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    const [field, type, required] = line
      .split(/(?<!\\)\|/)
      .slice(1, 4)
      .map((cell) => cell.trim().replace(/^`|`$/g, ""));
    rows.push({ field: field!, type: type!, required: required === "yes" });
  }
  return rows;
}

/** The `Forloeb` sequence of the XSD as served. */
function xsdCourse(): DocRow[] {
  const schema = parseXml(smdbXsd()).documentElement!;
  const type = childElements(schema, NS.xs, "complexType").find((t) => t.getAttribute("name") === "Forloeb")!;
  const sequence = childElements(type, NS.xs, "sequence")[0]!;
  return childElements(sequence, NS.xs, "element").map((el) => ({
    field: el.getAttribute("name")!,
    type: el.getAttribute("type")!.replace(/^smdb:/, ""),
    required: el.getAttribute("minOccurs") !== "0",
  }));
}

/** What the validator says about each field: required when leaving it out is "is required". */
function validatorCourse(): DocRow[] {
  const unknown = (() => {
    try {
      validateCourse({ ...COURSE, farve: "rød" });
    } catch (error) {
      return (error as CourseValidationError).errors[0]!.message;
    }
    return "";
  })();
  const names = unknown.replace("unknown field; allowed: ", "").split(", ");
  return names.map((field) => {
    const without: Record<string, unknown> = { ...COURSE };
    delete without[field];
    let required = false;
    try {
      validateCourse(without);
    } catch (error) {
      required = (error as CourseValidationError).errors.some(
        (e) => e.field === field && e.message === "is required",
      );
    }
    const spec = allFields(Forloeb).find((f) => f.name === field);
    return { field, type: spec?.type.name ?? "(not in the model)", required };
  });
}

describe("course fields: one model, one XSD, one validator, one table", () => {
  it("docs/smdb.md, the served XSD and the validator name the same fields, types and required ones", () => {
    const docs = docTable();
    expect(docs.map((r) => r.field)).toEqual([
      "forloebId",
      "cpr",
      "kommunekode",
      "behandlingssted",
      "behandlingstype",
      "startdato",
      "slutdato",
      "stoffer",
    ]);
    expect(xsdCourse()).toEqual(docs);
    expect(validatorCourse()).toEqual(docs);
  });
});

describe("the WSP's validator and libxml2 with the served XSD agree on request Bodies", () => {
  const course = courseToXml(validateCourse(COURSE));
  const indberet = (inner: string) =>
    `<smdb:IndberetForloeb xmlns:smdb="${SMDB_NS}">${inner}</smdb:IndberetForloeb>`;
  const replace = (from: string, to: string) => {
    expect(course).toContain(from);
    return indberet(course.replace(from, to));
  };
  /** name → Body, and the fields the WSP names (empty: accepted). */
  const cases: Array<{ name: string; xml: string; fields: string[]; beyondXsd?: boolean }> = [
    { name: "a full course", xml: indberet(course), fields: [] },
    {
      name: "without slutdato",
      xml: replace("<smdb:slutdato>2026-02-01</smdb:slutdato>", ""),
      fields: [],
    },
    { name: "cpr of 9 digits", xml: replace("0101901234", "010190123"), fields: ["cpr"] },
    {
      name: "cpr whose date does not exist",
      xml: replace("0101901234", "3102901234"),
      fields: ["cpr"],
      beyondXsd: true,
    },
    { name: "kommunekode of 4 digits", xml: replace(">101<", ">1010<"), fields: ["kommunekode"] },
    {
      name: "behandlingstype not in the list",
      xml: replace(">social<", ">ambulant<"),
      fields: ["behandlingstype"],
    },
    {
      name: "behandlingssted of 201 characters",
      xml: replace(">Rusmiddelcenter<", `>${"x".repeat(201)}<`),
      fields: ["behandlingssted"],
    },
    { name: "startdato 30 February", xml: replace(">2026-01-05<", ">2026-02-30<"), fields: ["startdato"] },
    {
      name: "startdato with a time zone",
      xml: replace(">2026-01-05<", ">2026-01-05Z<"),
      fields: ["startdato"],
    },
    {
      name: "slutdato before startdato",
      xml: replace(">2026-02-01<", ">2026-01-01<"),
      fields: ["slutdato"],
      beyondXsd: true,
    },
    {
      name: "an empty slutdato",
      xml: replace("<smdb:slutdato>2026-02-01</smdb:slutdato>", "<smdb:slutdato/>"),
      fields: ["slutdato"],
    },
    {
      name: "a substance twice",
      xml: replace(
        "<smdb:stof>cannabis</smdb:stof>",
        "<smdb:stof>cannabis</smdb:stof><smdb:stof>cannabis</smdb:stof>",
      ),
      fields: ["stoffer[1]"],
    },
    {
      name: "no substance",
      xml: replace(
        "<smdb:stoffer><smdb:stof>cannabis</smdb:stof></smdb:stoffer>",
        "<smdb:stoffer></smdb:stoffer>",
      ),
      fields: ["stoffer"],
    },
    { name: "forloebId with a space", xml: replace(">F-1<", ">F 1<"), fields: ["forloebId"] },
    {
      name: "forloebId missing",
      xml: replace("<smdb:forloebId>F-1</smdb:forloebId>", ""),
      fields: ["forloebId"],
    },
    {
      name: "kommunekode before cpr",
      xml: replace(
        "<smdb:cpr>0101901234</smdb:cpr><smdb:kommunekode>101</smdb:kommunekode>",
        "<smdb:kommunekode>101</smdb:kommunekode><smdb:cpr>0101901234</smdb:cpr>",
      ),
      fields: ["cpr"],
    },
    {
      name: "cpr twice",
      xml: replace(
        "<smdb:cpr>0101901234</smdb:cpr>",
        "<smdb:cpr>0101901234</smdb:cpr><smdb:cpr>0101901234</smdb:cpr>",
      ),
      fields: ["cpr"],
    },
    {
      name: "an element of another namespace",
      xml: replace("<smdb:stoffer>", '<x:farve xmlns:x="urn:x">rød</x:farve><smdb:stoffer>'),
      fields: ["{urn:x}farve"],
    },
    {
      name: "HentForloeb by id",
      xml: `<smdb:HentForloeb xmlns:smdb="${SMDB_NS}"><smdb:forloebId>F-1</smdb:forloebId></smdb:HentForloeb>`,
      fields: [],
    },
    {
      name: "HentForloeb since an instant with an offset",
      xml: `<smdb:HentForloeb xmlns:smdb="${SMDB_NS}"><smdb:aendretSiden>2026-01-01T10:00:00.5+01:00</smdb:aendretSiden></smdb:HentForloeb>`,
      fields: [],
    },
    {
      name: "HentForloeb since an instant without a time zone",
      xml: `<smdb:HentForloeb xmlns:smdb="${SMDB_NS}"><smdb:aendretSiden>2026-01-01T10:00:00</smdb:aendretSiden></smdb:HentForloeb>`,
      fields: ["aendretSiden"],
    },
    {
      name: "HentForloeb with both",
      xml: `<smdb:HentForloeb xmlns:smdb="${SMDB_NS}"><smdb:forloebId>F-1</smdb:forloebId><smdb:aendretSiden>2026-01-01T00:00:00Z</smdb:aendretSiden></smdb:HentForloeb>`,
      fields: ["(query)"],
    },
    {
      name: "HentForloeb with neither",
      xml: `<smdb:HentForloeb xmlns:smdb="${SMDB_NS}"/>`,
      fields: ["(query)"],
    },
    { name: "Ping", xml: `<smdb:Ping xmlns:smdb="${SMDB_NS}"/>`, fields: [] },
    {
      name: "Ping with a field",
      xml: `<smdb:Ping xmlns:smdb="${SMDB_NS}"><smdb:cvr>91234567</smdb:cvr></smdb:Ping>`,
      fields: ["cvr"],
    },
  ];

  /** The fields the WSP's validator names for a Body (none: accepted). */
  function wspFields(xml: string): string[] {
    const element = parseXml(xml).documentElement!;
    try {
      readRequestXml(element.localName as "Ping", element);
      return [];
    } catch (error) {
      if (!(error instanceof OperationValidationError)) throw error;
      return error.fields.map((f) => f.field);
    }
  }

  it("each Body: accepted by both, or refused by both (the WSP naming the bad field)", async () => {
    const result = await validateXML({
      xml: cases.map((c, i) => ({ fileName: `case${i}.xml`, contents: c.xml })),
      schema: [{ fileName: "smdb.xsd", contents: smdbXsd() }],
    });
    const refusedByXsd = new Set(
      result.errors.filter((e) => e.loc !== null).map((e) => Number(/case(\d+)/.exec(e.loc!.fileName)![1])),
    );
    const verdicts = cases.map((c, i) => ({
      name: c.name,
      wsp: wspFields(c.xml),
      xsdValid: !refusedByXsd.has(i),
    }));
    expect(verdicts).toEqual(
      cases.map((c) => ({
        name: c.name,
        wsp: c.fields,
        // The two rules beyond XSD 1.0 (documented in the schema) are the WSP's alone.
        xsdValid: c.fields.length === 0 || c.beyondXsd === true,
      })),
    );
    // And those two are documented in the served schema.
    expect(smdbXsd()).toContain("The first six digits are a date DDMMYY");
    expect(smdbXsd()).toContain("Rule: slutdato is not before startdato.");
  });
});

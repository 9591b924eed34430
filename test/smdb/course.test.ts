/** The SMDB contract shared by the client and the WSP (src/smdb): course validation and its XML, operation payloads. */
import { describe, expect, it } from "vitest";
import {
  CourseValidationError,
  courseToXml,
  readCourseXml,
  SMDB_NS,
  validateCourse,
} from "../../src/smdb/course.js";
import { OperationValidationError, requestBodyXml, validateHentQuery } from "../../src/smdb/operations.js";
import { parseXml } from "../../src/xml/parse.js";
import { COURSE } from "../helpers/fixtures.js";

describe("course validation", () => {
  it("accepts a valid course and normalises it", () => {
    expect(validateCourse({ ...COURSE, behandlingssted: "  X  " })).toEqual({
      ...COURSE,
      behandlingssted: "X",
    });
    expect(validateCourse({ ...COURSE, slutdato: "2026-02-01", cpr: "2902001234" }).slutdato).toBe(
      "2026-02-01",
    );
  });

  it("lists every bad field at once", () => {
    try {
      validateCourse({
        cpr: "3213001234",
        stoffer: ["a", "a", ""],
        startdato: "01-02-2026",
        kommunekode: 101,
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CourseValidationError);
      const fields = (error as CourseValidationError).errors.map((e) => e.field);
      expect(fields).toEqual([
        "forloebId",
        "cpr",
        "kommunekode",
        "behandlingssted",
        "behandlingstype",
        "startdato",
        "stoffer[1]",
        "stoffer[2]",
      ]);
    }
  });

  it("maps a course to XML and back", () => {
    const xml = `<smdb:IndberetForloeb xmlns:smdb="${SMDB_NS}">${courseToXml(validateCourse({ ...COURSE, behandlingssted: "A & B <c>" }))}</smdb:IndberetForloeb>`;
    const back = readCourseXml(parseXml(xml).documentElement!);
    expect(back.behandlingssted).toBe("A & B <c>");
    expect(back.stoffer).toEqual(COURSE.stoffer);
  });

  it("reports elements of another namespace, repeated and out-of-order elements as fields", () => {
    const xml = `<smdb:IndberetForloeb xmlns:smdb="${SMDB_NS}" xmlns:x="urn:x">${courseToXml(validateCourse(COURSE))}<smdb:cpr>0101901234</smdb:cpr><x:extra>1</x:extra></smdb:IndberetForloeb>`;
    try {
      readCourseXml(parseXml(xml).documentElement!);
      expect.unreachable();
    } catch (error) {
      expect((error as CourseValidationError).errors).toEqual([
        { field: "cpr", message: "appears more than once; each field appears at most once" },
        {
          field: "{urn:x}extra",
          message:
            "unknown field; allowed: forloebId, cpr, kommunekode, behandlingssted, behandlingstype, startdato, slutdato, stoffer",
        },
      ]);
    }
    const swapped = `<smdb:IndberetForloeb xmlns:smdb="${SMDB_NS}">${courseToXml(
      validateCourse(COURSE),
    ).replace(
      /(<smdb:cpr>.*<\/smdb:cpr>)(<smdb:kommunekode>.*<\/smdb:kommunekode>)/,
      "$2$1",
    )}</smdb:IndberetForloeb>`;
    expect(() => readCourseXml(parseXml(swapped).documentElement!)).toThrow(
      "cpr: comes after kommunekode; the order is forloebId, cpr, kommunekode",
    );
  });

  it("in XML an empty optional element is a (bad) value; in JSON an empty slutdato means none", () => {
    const xml = `<smdb:IndberetForloeb xmlns:smdb="${SMDB_NS}">${courseToXml(validateCourse(COURSE)).replace(
      "<smdb:stoffer>",
      "<smdb:slutdato></smdb:slutdato><smdb:stoffer>",
    )}</smdb:IndberetForloeb>`;
    expect(() => readCourseXml(parseXml(xml).documentElement!)).toThrow(
      'slutdato: "" is not a date YYYY-MM-DD',
    );
    expect(validateCourse({ ...COURSE, slutdato: "" }).slutdato).toBeUndefined();
  });
});

describe("operation payloads", () => {
  it("HentForloeb takes exactly one of forloebId and aendretSiden", () => {
    expect(validateHentQuery({ forloebId: " F-1 " })).toEqual({ forloebId: "F-1" });
    expect(validateHentQuery({ changedSince: "2026-03-01T10:00:00+01:00" })).toEqual({
      aendretSiden: "2026-03-01T09:00:00.000Z",
    });
    expect(() => validateHentQuery({})).toThrow(OperationValidationError);
    expect(() => validateHentQuery({ forloebId: "a", aendretSiden: "2026-01-01" })).toThrow(/exactly one/);
    expect(() => validateHentQuery({ aendretSiden: "yesterday" })).toThrow(/ISO 8601/);
  });

  it("the client checks a course before sending it, unless told not to", () => {
    expect(() => requestBodyXml("IndberetForloeb", { ...COURSE, cpr: "x" })).toThrow(/cpr/);
    expect(requestBodyXml("IndberetForloeb", { ...COURSE, cpr: "x" }, { validate: false })).toContain(
      "<smdb:cpr>x</smdb:cpr>",
    );
    expect(requestBodyXml("Ping", {})).toBe(`<smdb:Ping xmlns:smdb="${SMDB_NS}"></smdb:Ping>`);
  });
});

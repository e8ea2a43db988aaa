import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GATEWAY_ERROR_CODES } from "./errors.js";
import { CLOSE_CODE_HINTS, CODE_HINTS, DETAIL_CODE_HINTS, HTTP_STATUS_HINTS } from "./hints.js";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const cell = (s: string) => s.replace(/\|/g, "\\|");

describe("README", () => {
  it("documents every error code with its current hint", () => {
    for (const code of GATEWAY_ERROR_CODES) {
      expect(readme, code).toContain(`| \`${code}\` |`);
      expect(readme, code).toContain(cell(CODE_HINTS[code]));
    }
  });
  it("documents every HTTP status, close code and detail code hint", () => {
    for (const h of [
      ...Object.values(HTTP_STATUS_HINTS),
      ...Object.values(CLOSE_CODE_HINTS),
      ...Object.values(DETAIL_CODE_HINTS),
    ]) {
      expect(readme).toContain(cell(h));
    }
  });
});

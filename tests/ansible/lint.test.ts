// Tier 1 (static): the Ansible content parses, lints clean and passes yamllint.
import { describe, expect, it } from "vitest";
import { run, tailOf } from "./helpers/ansible.js";

describe("ansible content: static checks", () => {
  it("passes yamllint (repository .yamllint)", async () => {
    const res = await run("yamllint", [
      "-s",
      "-f",
      "parsable",
      "site.yml",
      "roles",
      "inventory",
      ".ansible-lint",
      ".yamllint",
    ]);
    expect(res.status, tailOf(res)).toBe(0);
  });

  it("passes ansible-lint --offline with the production profile", async () => {
    const res = await run("ansible-lint", ["--offline", "-p"], { timeoutMs: 300_000 });
    expect(res.status, tailOf(res)).toBe(0);
    expect(res.stdout + res.stderr).toMatch(/Passed with production profile/);
  });

  it("passes ansible-playbook --syntax-check (every role, incl. the docker method's tasks)", async () => {
    const res = await run("ansible-playbook", ["--syntax-check", "-i", "inventory/example/hosts.yml", "site.yml"]);
    expect(res.status, tailOf(res)).toBe(0);
    expect(res.stdout).toContain("playbook: site.yml");
  });
});

// The mission-control role packs the checkout's built packages: a checkout that was never built
// (a fresh clone, `npm ci` forgotten) must stop the play with the fix, not install empty tarballs.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot, run, tailOf } from "./helpers/ansible.js";

const dir = mkdtempSync(join(tmpdir(), "mctl-install-guard-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("mission-control role: install from the checkout", () => {
  it("refuses a checkout whose packages have no dist/, naming them and `npm run build`", async () => {
    const play = join(dir, "play.yml");
    writeFileSync(
      play,
      [
        "- hosts: localhost",
        "  gather_facts: false",
        "  tasks:",
        "    - ansible.builtin.include_role:",
        "        name: mission-control",
        "        tasks_from: install",
        "      vars:",
        `        mission_control_repo_dir: ${JSON.stringify(dir)}`,
        "",
      ].join("\n"),
    );
    const res = await run("ansible-playbook", ["-i", "localhost,", "-c", "local", "--check", play], {
      env: { ANSIBLE_ROLES_PATH: join(repoRoot, "roles"), ANSIBLE_CONFIG: join(repoRoot, "ansible.cfg") },
    });
    expect(res.status, tailOf(res)).not.toBe(0);
    expect(res.stdout).toContain("Refuse to pack packages that were never built");
    expect(res.stdout).toMatch(
      /packages\/gateway-client, packages\/mc-store, packages\/mc-server in \S+ have no dist\//,
    );
    expect(res.stdout).toContain("npm ci && npm run build");
    expect(res.stdout).not.toContain("Pack the monorepo packages on the controller");
  });
});

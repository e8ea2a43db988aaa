import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultDatabasePath, resolveDatabasePath } from "./config.js";
import { StoreError } from "./errors.js";

describe("resolveDatabasePath", () => {
  it("uses DATABASE_PATH, made absolute", () => {
    expect(resolveDatabasePath({ DATABASE_PATH: "/var/lib/mc/mc.db" })).toEqual({
      path: "/var/lib/mc/mc.db",
      source: "DATABASE_PATH",
    });
    expect(resolveDatabasePath({ DATABASE_PATH: "data/mc.db" }).path).toBe(join(process.cwd(), "data/mc.db"));
  });

  it("prefers DATABASE_PATH when both are set", () => {
    expect(resolveDatabasePath({ DATABASE_PATH: "/x/mc.db", DATABASE_URL: "postgres://u:p@h/db" }).path).toBe(
      "/x/mc.db",
    );
  });

  it("refuses DATABASE_URL alone, naming both variables and the fix, without echoing the value", () => {
    let error: unknown;
    try {
      resolveDatabasePath({ DATABASE_URL: "sqlite:///srv/secret-s3cr3t.db" });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(StoreError);
    const err = error as StoreError;
    expect(err.code).toBe("CONFIG_DATABASE_URL_ONLY");
    expect(err.message).toContain("DATABASE_URL");
    expect(err.message).toContain("DATABASE_PATH=");
    expect(err.message).not.toContain("s3cr3t");
  });

  it("falls back to XDG_DATA_HOME, then ~/.local/share", () => {
    expect(resolveDatabasePath({ XDG_DATA_HOME: "/xdg" })).toEqual({
      path: "/xdg/missionctl/mission-control.db",
      source: "default",
    });
    expect(resolveDatabasePath({ HOME: "/home/u" }).path).toBe("/home/u/.local/share/missionctl/mission-control.db");
    // A relative XDG_DATA_HOME is invalid per the spec and ignored.
    expect(defaultDatabasePath({ XDG_DATA_HOME: "rel", HOME: "/home/u" })).toBe(
      "/home/u/.local/share/missionctl/mission-control.db",
    );
  });

  it("treats an empty DATABASE_PATH as unset", () => {
    expect(resolveDatabasePath({ DATABASE_PATH: "  ", XDG_DATA_HOME: "/xdg" }).source).toBe("default");
  });

  it.each(["sqlite:///var/lib/mc.db", "file:mc.db", "postgres://h/db", "a\0b"])(
    "refuses %j as DATABASE_PATH",
    (value) => {
      expect(() => resolveDatabasePath({ DATABASE_PATH: value })).toThrowError(
        expect.objectContaining({ code: "CONFIG_INVALID_PATH" }),
      );
    },
  );
});

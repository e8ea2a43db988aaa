import { randomBytes } from "node:crypto";
import { chmod, chown, link, mkdir, open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export interface AtomicWriteOptions {
  /** Mode of the written file. Default 0600 (the files written hold keys and tokens). */
  mode?: number;
  /** Owner to give the new file, as the old one had it; applied only when running as root. */
  owner?: { uid: number; gid: number };
  /**
   * Hard-link the temp file instead of renaming it: fails with EEXIST when another process
   * created `file` first, so a concurrent creator never overwrites it.
   */
  exclusive?: boolean;
  /** Create the folder (mode 0700) when it is missing. Default true. */
  createDir?: boolean;
}

/**
 * The monorepo's one atomic writer: `text` goes to a temp file in the same folder (flushed to disk,
 * given its mode and owner), which then replaces `file` in one rename, so readers never see half
 * a file and a crash leaves the old one. The temp file is removed on any failure.
 */
export async function writeFileAtomic(file: string, text: string, opts: AtomicWriteOptions = {}): Promise<void> {
  const dir = dirname(file);
  const mode = opts.mode ?? 0o600;
  if (opts.createDir !== false) await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.${basename(file)}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
  const fh = await open(tmp, "wx", mode);
  try {
    try {
      await fh.writeFile(text, "utf8");
      await fh.sync();
    } finally {
      await fh.close();
    }
    // open() applied the umask; the mode must be exactly the one asked for.
    await chmod(tmp, mode);
    if (opts.owner && process.getuid?.() === 0) await chown(tmp, opts.owner.uid, opts.owner.gid).catch(() => undefined);
    if (opts.exclusive) {
      await link(tmp, file);
      await unlink(tmp);
    } else {
      await rename(tmp, file);
    }
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
}

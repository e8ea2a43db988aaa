/** A timestamp as `2026-12-01 21:00:00 UTC`, machine-readable in `datetime`. */
export function Time({ iso }: { iso: string | null | undefined }) {
  if (!iso) return null;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return <>{iso}</>;
  const text = d.toISOString();
  return <time datetime={text}>{text.replace("T", " ").slice(0, 19)} UTC</time>;
}

// Dates and amounts as the forms print them.

/** "2026-11-20" → "2026年11月20日". */
export function cnDate(d: string | null | undefined): string {
  if (!d) return "";
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(d);
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : d;
}

/** An RFC 3339 instant → "2026-11-20 10:00" in office time (UTC+8). */
export function cnTime(t: string | null | undefined): string {
  if (!t) return "";
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return t;
  const local = new Date(d.getTime() + 8 * 3600_000);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${local.getUTCFullYear()}-${p(local.getUTCMonth() + 1)}-${p(local.getUTCDate())} ${p(local.getUTCHours())}:${p(local.getUTCMinutes())}`;
}

/** "2026-11-20 10:00" (office time) → RFC 3339 UTC, or null. */
export function fromLocalTime(s: string | null | undefined): string | null {
  if (!s) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})/.exec(s);
  if (!m) return null;
  const utc = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]) - 8 * 3600_000;
  return new Date(utc).toISOString().replace(".000Z", "Z");
}

/** 分 → "1,234.50 元". */
export function yuan(cents: number | null | undefined): string {
  if (cents == null) return "";
  return `${(cents / 100).toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 })} 元`;
}

export function percent(v: number | null | undefined): string {
  return v == null ? "—" : `${(v * 100).toFixed(1)}%`;
}

/** A rate's target as shown beside it: "目标 ≥ 95%", "目标 < 2%" (lower is better), or "" without one. */
export function targetOf(r: { target: number | null; better: string }): string {
  if (r.target == null) return "";
  const pct = `${Number((r.target * 100).toFixed(1))}%`;
  return `目标 ${r.better === "lower" ? "<" : "≥"} ${pct}`;
}

/** Today's date at the office (UTC+8) as YYYY-MM-DD. */
export function officeToday(now = new Date()): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

/** A file's size: "40 KB", "12.3 MB". */
export function fileSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** "2026-01-31 12:00 UTC" — one format for every time the console shows. */
export function formatTime(value: Date | string | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) return String(value);
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Short form for chart axes: "12:05" within a day, "01-31 12:00" beyond. */
export function formatAxisTime(date: Date, spanMs: number): string {
  const iso = date.toISOString();
  return spanMs <= 86_400_000 ? iso.slice(11, 16) : `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
}

/** Pretty JSON for payloads and results (escaped by the view like any other text). */
export function formatJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** The date (YYYY-MM-DD) `offsetDays` from today as it is in `zone`. */
export function dateIn(zone: string, offsetDays: number): string {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  return new Date(Date.parse(`${today}T12:00:00Z`) + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

/** YYYY-MM-DD as iCalendar writes a date (YYYYMMDD). */
export const compact = (d: string) => d.replace(/-/g, '');

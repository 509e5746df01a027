/** JSON columns: parse defensively so one bad row never breaks a whole list. */
export function parseJson<T>(text: string | null | undefined, fallback: T): T {
  if (text == null || text === '') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export const bool = (v: unknown): boolean => v === 1 || v === true;
export const int = (b: boolean | undefined | null): number => (b ? 1 : 0);

/** Minimal structured logger. Secrets never reach it: callers log ids and codes, not payloads. */
export interface Logger {
  debug(msg: string, data?: Record<string, unknown>): void;
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
  error(msg: string, data?: Record<string, unknown>): void;
  child(scope: string): Logger;
}

const SECRET_KEYS = /pass(word)?|secret|token|authorization|cookie|key/i;

/** Removes anything that looks like a secret from log data, however deeply nested. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, SECRET_KEYS.test(k) ? '[redacted]' : redact(v, depth + 1)]),
  );
}

export function consoleLogger(scope = 'pimlico', level: 'debug' | 'info' | 'warn' | 'error' = 'info'): Logger {
  const order = { debug: 0, info: 1, warn: 2, error: 3 };
  const write = (lvl: keyof typeof order, msg: string, data?: Record<string, unknown>) => {
    if (order[lvl] < order[level]) return;
    const line = `${new Date().toISOString()} ${lvl.toUpperCase()} [${scope}] ${msg}`;
    const out = data ? `${line} ${JSON.stringify(redact(data))}` : line;
    if (lvl === 'error' || lvl === 'warn') console.error(out);
    else console.log(out);
  };
  return {
    debug: (m, d) => write('debug', m, d),
    info: (m, d) => write('info', m, d),
    warn: (m, d) => write('warn', m, d),
    error: (m, d) => write('error', m, d),
    child: (s) => consoleLogger(`${scope}:${s}`, level),
  };
}

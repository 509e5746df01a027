/** Matches secrets that may sit inside free text (error messages, stacks): bearer tokens and URL credentials. */
const SECRET_IN_TEXT = [/(bearer\s+)[\w\-.~+/]+=*/gi, /(\/\/[^/\s:@]+:)[^@\s/]+(@)/g, /((?:password|passwd|pass|token|secret)["']?\s*[:=]\s*["']?)[^\s"',;}]+/gi];

export function redactText(text: string): string {
  return SECRET_IN_TEXT.reduce((t, re) => t.replace(re, (_m, before: string, after?: string) => `${before}[redacted]${typeof after === 'string' ? after : ''}`), text);
}

/** A file name that is safe to save: no folders, no control or reserved characters, no hidden or device names. */
export function safeFileName(name: string, fallback = 'attachment'): string {
  let base = name.replace(/^.*[\\/]/, '');
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
  base = base.replace(/[\u0000-\u001f\u007f<>:"|?*\u202a-\u202e\u2066-\u2069]/g, '_');
  base = base.replace(/^[.\s]+/, '').replace(/[.\s]+$/, '');
  if (/^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i.test(base)) base = `_${base}`;
  if (!base) base = fallback;
  if (base.length > 200) {
    const dot = base.lastIndexOf('.');
    const ext = dot > 0 && base.length - dot <= 16 ? base.slice(dot) : '';
    base = base.slice(0, 200 - ext.length) + ext;
  }
  return base;
}

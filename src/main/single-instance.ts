/** A mailto: link the OS handed us on the command line (first launch, or a second launch forwarded to us). */
export function mailtoFromArgv(argv: readonly string[]): string | null {
  for (const arg of argv) {
    if (/^mailto:/i.test(arg)) {
      try {
        const url = new URL(arg);
        // Only an address and the standard header fields; nothing that could hide a path or a flag.
        if (url.protocol === 'mailto:' && arg.length <= 8192) return url.toString();
      } catch {
        return null;
      }
    }
  }
  return null;
}

export interface ProtocolClientApp {
  isDefaultProtocolClient(protocol: string, path?: string, args?: string[]): boolean;
  setAsDefaultProtocolClient(protocol: string, path?: string, args?: string[]): boolean;
  isPackaged: boolean;
}

/**
 * Registers Pimlico as the mailto: handler. Packaged builds also declare it in their installers
 * (electron-builder `protocols`); in development the Electron binary needs the app's path as well.
 */
export function registerMailtoHandler(app: ProtocolClientApp, execPath: string, appPath: string): boolean {
  if (app.isPackaged) return app.isDefaultProtocolClient('mailto') || app.setAsDefaultProtocolClient('mailto');
  const args = [appPath];
  return app.isDefaultProtocolClient('mailto', execPath, args) || app.setAsDefaultProtocolClient('mailto', execPath, args);
}

import type { TestProject } from 'vitest/node';
import { startTestServers, stopTestServers, type TestServers } from '../servers';

declare module 'vitest' {
  export interface ProvidedContext {
    servers: TestServers;
  }
}

/** Starts the real mail and DAV servers once for the integration run; files get them with inject('servers'). */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const servers = await startTestServers();
  project.provide('servers', servers);
  return async () => {
    await stopTestServers(servers);
  };
}

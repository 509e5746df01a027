import { draftTaskKinds } from './draft-kinds';
import { mailTaskKinds, type TaskKind } from './kinds';
import { pimTaskKinds } from './pim-kinds';

/** Every task kind by name. Providers implement the remote side of each. */
export const taskKinds: Readonly<Record<string, TaskKind<never>>> = Object.fromEntries(
  [...mailTaskKinds, ...pimTaskKinds, ...draftTaskKinds].map((k) => [k.name, k as unknown as TaskKind<never>]),
);

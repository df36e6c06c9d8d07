// The server entry (run by tsx) and the Remix server build each load app/lib; keeping shared
// resources on globalThis gives the process one database handle, one logger, one transporter.
export function singleton<T>(name: string, create: () => T): T {
  const store = globalThis as unknown as { __taskforceConsult?: Map<string, unknown> };
  store.__taskforceConsult ??= new Map();
  if (!store.__taskforceConsult.has(name)) store.__taskforceConsult.set(name, create());
  return store.__taskforceConsult.get(name) as T;
}

export function forgetSingleton(name: string) {
  const store = globalThis as unknown as { __taskforceConsult?: Map<string, unknown> };
  store.__taskforceConsult?.delete(name);
}

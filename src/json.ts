/**
 * JSON read into objects without a prototype, for data whose keys are names from users and registries (servers,
 * entry keys, inputs, profiles): `state.servers["constructor"]` must be undefined, not Object's constructor.
 */
export function parseData(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown) => (value && typeof value === 'object' && !Array.isArray(value) ? Object.assign(Object.create(null) as object, value) : value));
}

/** An empty map keyed by names from outside (see parseData). */
export function record<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** The value at an own key only: names such as `constructor` or `__proto__` never reach Object.prototype. */
export function own<T>(map: Record<string, T> | undefined, key: string): T | undefined {
  return map !== undefined && Object.hasOwn(map, key) ? map[key] : undefined;
}

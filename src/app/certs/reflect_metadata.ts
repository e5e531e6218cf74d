/**
 * The three `Reflect` metadata functions that tsyringe (a dependency of @peculiar/x509) requires
 * at load time, installed only when no polyfill is present. tsyringe asks for a full polyfill
 * (`reflect-metadata`); it calls just these three, so this small map-backed version replaces a
 * runtime dependency. Imported for its side effect by x509.ts, before @peculiar/x509 loads.
 */

type MetadataMap = Map<unknown, unknown>;
const store = new WeakMap<object, MetadataMap>();

function own(target: object): MetadataMap | undefined {
  return store.get(target);
}

function getOwnMetadata(key: unknown, target: object): unknown {
  return own(target)?.get(key);
}

function getMetadata(key: unknown, target: object): unknown {
  for (let t: object | null = target; t !== null; t = Object.getPrototypeOf(t) as object | null) {
    const map = own(t);
    if (map?.has(key) === true) return map.get(key);
  }
  return undefined;
}

function defineMetadata(key: unknown, value: unknown, target: object): void {
  let map = own(target);
  if (map === undefined) {
    map = new Map();
    store.set(target, map);
  }
  map.set(key, value);
}

const reflect = Reflect as unknown as Record<string, unknown>;
if (typeof reflect.getMetadata !== "function") {
  Object.assign(reflect, { getMetadata, getOwnMetadata, defineMetadata });
}

/**
 * TEST-ONLY: the three `Reflect` metadata functions tsyringe (a dependency of @peculiar/x509)
 * insists on finding before it loads (`defineMetadata`, `getMetadata`, `getOwnMetadata`), kept
 * in a WeakMap. Imported for its side effect before @peculiar/x509 is loaded; the certificate
 * module of the `raftkv certs` command will own the production equivalent.
 */
type Target = object;
type Store = Map<string | symbol | undefined, Map<unknown, unknown>>;

const metadata = new WeakMap<Target, Store>();

function ownMap(target: Target, property: string | symbol | undefined, create: boolean) {
  let store = metadata.get(target);
  if (store === undefined) {
    if (!create) return undefined;
    store = new Map();
    metadata.set(target, store);
  }
  let map = store.get(property);
  if (map === undefined && create) {
    map = new Map();
    store.set(property, map);
  }
  return map;
}

function getOwnMetadata(key: unknown, target: Target, property?: string | symbol): unknown {
  return ownMap(target, property, false)?.get(key);
}

function getMetadata(key: unknown, target: Target, property?: string | symbol): unknown {
  let at: unknown = target;
  while (typeof at === "object" || typeof at === "function") {
    if (at === null) break;
    const map = ownMap(at, property, false);
    if (map?.has(key) === true) return map.get(key);
    at = Object.getPrototypeOf(at);
  }
  return undefined;
}

function defineMetadata(key: unknown, value: unknown, target: Target, property?: string | symbol) {
  ownMap(target, property, true)?.set(key, value);
}

const reflect = Reflect as unknown as Record<string, unknown>;
reflect.getOwnMetadata ??= getOwnMetadata;
reflect.getMetadata ??= getMetadata;
reflect.defineMetadata ??= defineMetadata;

/**
 * `Promise.withResolvers` for Node 20 (it arrived in Node 22). libp2p, yamux, noise, gossipsub and
 * it-queue call it at run time, so this module must be evaluated before any libp2p code runs
 * (STACK.md pitfall 1). `src/index.ts` imports it first; it is a side-effect module.
 * @module
 */

interface Resolvers<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

const promiseCtor = Promise as unknown as { withResolvers?: <T>() => Resolvers<T> };

if (typeof promiseCtor.withResolvers !== "function") {
  promiseCtor.withResolvers = function withResolvers<T>(): Resolvers<T> {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

export {};

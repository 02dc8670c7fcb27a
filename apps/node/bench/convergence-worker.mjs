// Loads the TypeScript worker of bench/convergence.ts through tsx (worker threads do not inherit the loader).
import { register } from "tsx/esm/api";

register();
await import("./convergence-worker.ts");

/**
 * The built-in task set `stories`: six story openings, each checked for a word the story should use.
 * Small on purpose — twelve answers and one proposal per cycle — and made for story models: measured on
 * stories260K (greedy, seed 42, the `general` chat format), the system prompt decides the score, e.g.
 * "You are a helpful assistant." passes 0 of 6 and the same prompt followed by "Use these words: Lily,
 * dog, ball, cat, tree, toy." passes 2 of 6 (`benchmark.test.ts` measures this).
 * @module
 */
import { parseTasks, type TaskSet } from "./tasks.js";

const STORY_TASKS: ReadonlyArray<readonly [id: string, prompt: string, word: string]> = [
  ["lily", "Tell me a story.", "Lily"],
  ["dog", "Tom and his mom", "dog"],
  ["ball", "One day, Lily went to the park.", "ball"],
  ["cat", "The sun was hot.", "cat"],
  ["tree", "What did the bird see?", "tree"],
  ["toy", "Sam found a box.", "toy"],
];

/** Tokens each built-in task generates. */
export const STORY_TASK_MAX_TOKENS = 24;

/** The built-in task sets by name. */
export const BUILTIN_TASK_SETS: Readonly<Record<string, TaskSet>> = {
  stories: parseTasks(
    STORY_TASKS.map(([id, prompt, word]) => ({
      id,
      prompt,
      max_tokens: STORY_TASK_MAX_TOKENS,
      check: { type: "contains", value: word },
    })),
    "stories",
  ),
};

/** The task set a mind uses unless it is given one. */
export const DEFAULT_TASK_SET = "stories";

/**
 * Checking JSON from other processes (peer agents, Consul, Marathon) against a valibot schema,
 * with one line that says what is wrong: `a report whose position.seqno is "x", not a whole
 * number`. The schemas are built from the pieces below: each leaf carries, as its valibot
 * message, what it expects in words, and the line is made of the first failing field's path,
 * the value found and that expectation.
 *
 * Answers may carry fields this version does not know (a newer sender added them): objects are
 * loose, their unknown keys kept as they came. Optional fields are optional.
 *
 * Pure: valibot does no I/O. The schema modules (and with them valibot, 10–20 ms to load) are
 * imported lazily by the clients, when their first request goes out: see docs/architecture.md.
 */
import * as v from "valibot";

/** A string. */
export const text = () => v.string("a string");
/** A number (any: a duration, a time in ms). */
export const number = () => v.number("a number");
/** An integer: a seqno, a pid, a count. */
export const wholeNumber = () => v.pipe(v.number("a whole number"), v.integer("a whole number"));
export const flag = () => v.boolean("true or false");
export const list = <const T extends v.GenericSchema>(item: T) => v.array(item, "a list");
/** An object whose other keys are kept as they came. */
export const record = <const T extends v.ObjectEntries>(entries: T) => v.looseObject(entries, "an object");
/**
 * A name from a list that newer versions may extend (a phase, a decision's action): any string
 * passes, typed as the names this version knows. An older agent must keep reading a newer one
 * during a rolling upgrade (refusing its answers would make it look silent, and a silent member
 * is eventually released from the writer election); code that reads the value compares it with
 * the names it knows, so a new one counts as none of them, as it did before answers were checked.
 */
export const knownOrNewer = <T extends string>() =>
  v.pipe(
    v.string("a string"),
    v.transform((name) => name as T),
  );
/** The schema's value, or null. */
export const orNull = <const T extends v.GenericSchema>(schema: T) =>
  v.union([schema, v.null()], `${expectation(schema).replace(" or ", ", ")} or null`);
export const optional = v.optional;

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

/**
 * Checks a parsed JSON value. On failure, `problem` names the first wrong field for a line
 * like "peer 10.0.0.3 answered /peer/state with <problem>": `a report whose position.seqno is
 * "x", not a whole number`, `a report without inPrimary`, or at the top `a list, not a report`.
 * `noun` is what the value should be, with its article: "a report".
 */
export function checkAnswer<const S extends v.GenericSchema>(
  schema: S,
  value: unknown,
  noun: string,
): Checked<v.InferOutput<S>> {
  const wantsObject = ["loose_object", "object", "variant"].includes(schema.type);
  const isObject = typeof value === "object" && value !== null && !Array.isArray(value);
  if (wantsObject && !isObject) return { ok: false, problem: `${shown(value)}, not ${noun}` };
  const result = v.safeParse(schema, value);
  if (result.success) return { ok: true, value: result.output };
  let issue: v.BaseIssue<unknown> = result.issues[0];
  let keys = keysOf(issue);
  // An object or null (orNull) whose object failed inside: that failure, not "not an object or
  // null". Its issue is among the union's, its path from the union on.
  for (;;) {
    const inner =
      issue.type === "union" ? issue.issues?.find((sub) => (sub.path ?? []).length > 0) : undefined;
    if (inner === undefined) break;
    issue = inner;
    keys = [...keys, ...keysOf(inner)];
  }
  const path = pathOf(keys);
  if (path === "") return { ok: false, problem: `${shown(value)}, not ${noun}` };
  // A missing key (valibot says so on the object), or one present as undefined (not in JSON).
  if (issue.input === undefined) return { ok: false, problem: `${noun} without ${path}` };
  return { ok: false, problem: `${noun} whose ${path} is ${shown(issue.input)}, not ${issue.message}` };
}

function keysOf(issue: v.BaseIssue<unknown>): unknown[] {
  return (issue.path ?? []).map((item) => item.key);
}

/** `position.seqno`, `members[2]`, `[0].Service.Port`. */
function pathOf(keys: readonly unknown[]): string {
  let path = "";
  for (const key of keys) {
    if (typeof key === "number") path += `[${key}]`;
    else path += path === "" ? String(key) : `.${String(key)}`;
  }
  return path;
}

/** A value as a line shows it: strings and numbers as JSON, short; objects and lists by kind. */
function shown(value: unknown): string {
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object" && value !== null) return "an object";
  const json = JSON.stringify(value);
  return typeof value === "string" && json.length > 40 ? `${json.slice(0, 38)}…"` : json;
}

function expectation(schema: v.GenericSchema): string {
  const message = (schema as { message?: unknown }).message;
  return typeof message === "string" ? message : schema.expects;
}

/** The keys a type declares, without the index signature of a loose object, at every depth. */
type Known<T> = T extends readonly (infer E)[]
  ? Known<E>[]
  : T extends object
    ? { [K in keyof T as string extends K ? never : K]: Known<T[K]> }
    : T;
type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;

/**
 * `true` exactly when a schema's output declares the same fields, of the same types, as the
 * TypeScript type written for it (beside the unknown keys a loose object keeps). Used as
 * `const matches: SameShape<v.InferOutput<typeof schema>, TheType> = true`: a schema and its
 * type that drift apart no longer compile.
 */
export type SameShape<Output, Type> = Equal<Known<Output>, Known<Type>>;

/**
 * A file's text checked against a schema, or what is wrong with it in one line: an empty
 * file, text that is not JSON, or the field checkAnswer names. For the files the agent and
 * the backups keep (the recovery record, a manifest), read back after a crash or a hand edit.
 */
export function checkFileText<const S extends v.GenericSchema>(
  schema: S,
  fileText: string,
  noun: string,
): Checked<v.InferOutput<S>> {
  if (fileText.trim() === "") return { ok: false, problem: "the file is empty" };
  let value: unknown;
  try {
    value = JSON.parse(fileText);
  } catch (error) {
    return { ok: false, problem: `not JSON (${(error as Error).message})` };
  }
  return checkAnswer(schema, value, noun);
}

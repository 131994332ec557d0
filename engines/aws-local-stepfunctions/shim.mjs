// aslcheck engine shim (conformance/PROTOCOL.md, protocol 1) around the npm package
// aws-local-stepfunctions. One JSON object per line on stdin/stdout; logs go to stderr.
//
// How the protocol maps onto the library (see README.md for the reasons):
// - Task behaviours run as `taskResourceLocalHandlers`, which the library keys by state name.
//   A handler gets only the task input, so the shim learns who called it from the library's
//   own structure: each nested execution (Parallel branch, Map iteration) is a
//   `StateMachine.run` call, wrapped here in an AsyncLocalStorage record. The Map item index
//   is the order of `run` calls on the Map's iterator machine (the library starts items in
//   index order). The attempt number is counted from the library's own event log: the
//   `StateRetried` events of that state since its last `StateEntered`, in that execution.
// - Time is virtual: the shim replaces the global timers and `Date` with a clock that jumps
//   to the next timer whenever the library is idle, so Wait states, retry backoff, task and
//   execution timeouts run on the library's own arithmetic without real sleeping. No
//   overrides change what the library computes.
// - `retries` delays are read from the library's event timestamps (StateFailed to
//   StateRetried of the same state), i.e. the time the library actually waited.
// - `states` (the route) is built from the library's StateEntered/StateRetried events.

import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import readline from 'node:readline';

// The 3.x line calls Promise.withResolvers (Node >= 22); Node 20 lacks it.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers() {
    let resolve;
    let reject;
    const promise = new this((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

const require = createRequire(import.meta.url);
const { StateMachine, ExecutionError, ExecutionTimeoutError, ExecutionAbortedError } = await import(
  'aws-local-stepfunctions'
);
const aslValidator = require('asl-validator');
const LIB_VERSION = JSON.parse(
  readFileSync(new URL('./node_modules/aws-local-stepfunctions/package.json', import.meta.url), 'utf8'),
).version;

function log(...args) {
  process.stderr.write(`[als-shim] ${args.join(' ')}\n`);
}

// ---------------------------------------------------------------------------------------------
// Virtual clock

const real = {
  setTimeout: globalThis.setTimeout,
  clearTimeout: globalThis.clearTimeout,
  setImmediate: globalThis.setImmediate,
  Date: globalThis.Date,
  random: Math.random,
};
const DEFAULT_START = 1_704_067_200_000; // 2024-01-01T00:00:00.000Z, as the reference engine
const TIMEOUT_MAX = 2 ** 31 - 1; // Node turns longer (or shorter than 1 ms) delays into 1 ms
const clock = { now: DEFAULT_START, seq: 0, timers: new Map() };

class VirtualTimer {
  constructor(id) {
    this.id = id;
  }
  ref() {
    return this;
  }
  unref() {
    return this;
  }
  hasRef() {
    return true;
  }
  refresh() {
    return this;
  }
  [Symbol.toPrimitive]() {
    return this.id;
  }
}

globalThis.setTimeout = function virtualSetTimeout(fn, ms, ...args) {
  let delay = Number(ms);
  // Node's own coercion, so the library behaves here as it would on real timers.
  if (!(delay >= 1 && delay <= TIMEOUT_MAX)) delay = 1;
  const timer = new VirtualTimer(++clock.seq);
  clock.timers.set(timer.id, { at: clock.now + delay, seq: timer.id, fn, args });
  return timer;
};
globalThis.clearTimeout = function virtualClearTimeout(timer) {
  if (timer instanceof VirtualTimer) clock.timers.delete(timer.id);
  else if (timer !== undefined && timer !== null) real.clearTimeout(timer);
};

const RealDate = real.Date;
class VirtualDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(clock.now);
    else super(...args);
  }
  static now() {
    return clock.now;
  }
}
globalThis.Date = VirtualDate;

const immediate = () => new Promise((resolve) => real.setImmediate(resolve));

/** Handlers still deciding their step: the clock must not move while they look at events. */
let deciding = 0;

/** Fires virtual timers whenever nothing else can run, until `done()` is true. */
async function drive(done) {
  while (!done()) {
    await immediate();
    if (done() || deciding > 0) continue;
    let next = null;
    for (const t of clock.timers.values()) {
      if (next === null || t.at < next.at || (t.at === next.at && t.seq < next.seq)) next = t;
    }
    if (next === null) {
      // Nothing scheduled and not finished: wait for real (a stalled library shows as a
      // harness timeout, which is the truth).
      await new Promise((resolve) => real.setTimeout(resolve, 5));
      continue;
    }
    clock.timers.delete(next.seq);
    if (next.at > clock.now) clock.now = next.at;
    try {
      next.fn(...next.args);
    } catch (e) {
      log('timer callback threw', e?.stack ?? String(e));
    }
  }
}

function virtualSleep(ms) {
  return new Promise((resolve) => globalThis.setTimeout(resolve, ms));
}

// Seeded randomness (retry jitter, States.UUID, States.MathRandom use Math.random).
function seededRandom(seed) {
  let a = (Number(seed) >>> 0) ^ 0x9e3779b9;
  return function mulberry32() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------------
// Which execution is running: one record per StateMachine.run call.

const als = new AsyncLocalStorage();
const own = (o, k) => o !== null && typeof o === 'object' && Object.prototype.hasOwnProperty.call(o, k);
let rootRecordForNextRun = null;
const mapRunCounts = new WeakMap(); // iterator StateMachine instance -> runs so far (= item index)

function newRecord(definition, parent, fields) {
  return {
    def: definition,
    parent,
    item: parent ? parent.item : undefined,
    events: [], // own-level events: {type, name, stateType, timestamp}
    children: [], // nested executions started by this one
    ...fields,
  };
}

/** The Map or Parallel state of `parent` that owns the nested definition `def`. */
function owner(parent, def) {
  const states = parent?.def?.States;
  if (!states || typeof states !== 'object') return null;
  for (const [name, st] of Object.entries(states)) {
    if (!st || typeof st !== 'object') continue;
    if (st.Type === 'Map' && (st.ItemProcessor === def || st.Iterator === def)) return { name, kind: 'map' };
    if (st.Type === 'Parallel' && Array.isArray(st.Branches)) {
      const b = st.Branches.indexOf(def);
      if (b >= 0) return { name, kind: 'parallel', branch: b };
    }
  }
  return null;
}

const originalRun = StateMachine.prototype.run;
StateMachine.prototype.run = function patchedRun(input, options) {
  let rec;
  if (rootRecordForNextRun) {
    rec = rootRecordForNextRun;
    rootRecordForNextRun = null;
  } else {
    const parent = als.getStore();
    const o = owner(parent, this.definition);
    rec = newRecord(this.definition, parent, { owner: o, machine: this });
    if (o?.kind === 'map') {
      const n = mapRunCounts.get(this) ?? 0;
      mapRunCounts.set(this, n + 1);
      rec.item = n;
    }
    if (parent) parent.children.push(rec);
  }
  const res = als.run(rec, () => originalRun.call(this, input, options));
  const inner = res.eventLogs;
  res.eventLogs = (async function* recorded() {
    for await (const ev of inner) {
      if (ev?.state && own(rec.def?.States, ev.state.name) && ev.index === undefined) {
        rec.events.push({ type: ev.type, name: ev.state.name, stateType: ev.state.type, timestamp: ev.timestamp });
      }
      yield ev;
    }
  })();
  return res;
};

// ---------------------------------------------------------------------------------------------
// Behaviours (corpus/README.md; asl/src/behaviour.rs is the reference reading)

function parseSteps(v, at) {
  if (!Array.isArray(v)) throw new Error(`${at} must be a list of steps`);
  return v.map((s, i) => parseStep(s, `${at}[${i}]`));
}

function parseStep(v, at) {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error(`${at} must be an object`);
  let outcome = null;
  for (const [k, val] of Object.entries(v)) {
    let o;
    if (k === 'return') o = { kind: 'return', value: val };
    else if (k === 'echo') o = { kind: 'echo' };
    else if (k === 'throw') {
      if (!val || typeof val.error !== 'string') throw new Error(`${at}.throw needs an 'error' string`);
      if (val.cause !== undefined && val.cause !== null && typeof val.cause !== 'string') {
        throw new Error(`${at}.throw.cause must be a string`);
      }
      o = { kind: 'throw', error: val.error, cause: val.cause ?? null };
    } else if (k === 'sleep' || k === 'times') continue;
    else throw new Error(`${at}: unknown field '${k}'`);
    if (outcome) throw new Error(`${at} has more than one of return/echo/throw`);
    outcome = o;
  }
  let sleep = 0;
  if (own(v, 'sleep')) {
    sleep = v.sleep;
    if (typeof sleep !== 'number' || !(sleep >= 0) || !Number.isFinite(sleep)) {
      throw new Error(`${at}.sleep must be a non-negative number`);
    }
  }
  let times = 1;
  if (own(v, 'times')) {
    times = v.times;
    if (!Number.isInteger(times) || times < 1) throw new Error(`${at}.times must be a positive integer`);
  }
  return { outcome: outcome ?? { kind: 'echo' }, sleep, times };
}

function parseBehaviours(v) {
  if (v === undefined || v === null) return new Map();
  if (typeof v !== 'object' || Array.isArray(v)) throw new Error('behaviours must be a JSON object keyed by state name');
  const out = new Map();
  for (const [state, sv] of Object.entries(v)) {
    if (Array.isArray(sv)) out.set(state, { steps: parseSteps(sv, `behaviours.${state}`), items: new Map() });
    else if (sv && typeof sv === 'object') {
      const items = new Map();
      if (own(sv, 'items')) {
        if (!sv.items || typeof sv.items !== 'object' || Array.isArray(sv.items)) {
          throw new Error(`behaviours.${state}.items must be an object`);
        }
        for (const [idx, s] of Object.entries(sv.items)) {
          if (!/^\d+$/.test(idx)) throw new Error(`behaviours.${state}.items: '${idx}' is not an item index`);
          items.set(Number(idx), parseSteps(s, `behaviours.${state}`));
        }
      }
      const steps = own(sv, 'steps') ? parseSteps(sv.steps, `behaviours.${state}`) : [];
      const extra = Object.keys(sv).find((k) => k !== 'items' && k !== 'steps');
      if (extra) throw new Error(`behaviours.${state}: unknown field '${extra}'`);
      out.set(state, { steps, items });
    } else throw new Error(`behaviours.${state} must be a list of steps or an object`);
  }
  return out;
}

const ECHO = { outcome: { kind: 'echo' }, sleep: 0, times: 1 };

function stepFor(behaviours, state, item, attempt) {
  const script = behaviours.get(state);
  if (!script) return ECHO;
  const steps = (item !== undefined && script.items.get(item)) || script.steps;
  let covered = 0;
  for (const s of steps) {
    covered += s.times;
    if (attempt < covered) return s;
  }
  return steps.length ? steps[steps.length - 1] : ECHO;
}

/** The error a scripted task throws: the library matches Retry/Catch on `error.name` and
 * reports `error.message` as the Cause. */
class ScriptedTaskError extends Error {
  constructor(name, cause) {
    super(cause ?? '');
    this.name = name;
  }
}

/** Attempt number of the running entry of `state` in execution `rec`, from the library's
 * events: StateRetried events of the state since its last StateEntered. */
function attemptOf(rec, state) {
  let attempt = 0;
  for (let i = rec.events.length - 1; i >= 0; i--) {
    const ev = rec.events[i];
    if (ev.name !== state) continue;
    if (ev.type === 'StateEntered') return attempt;
    if (ev.type === 'StateRetried') attempt++;
  }
  return null; // the entry was not seen: the shim's assumptions do not hold
}

function makeHandlers(behaviours, problems) {
  const cache = new Map();
  return new Proxy(
    {},
    {
      get(_, name) {
        if (typeof name !== 'string') return undefined;
        if (!cache.has(name)) {
          cache.set(name, (input) => {
            const rec = als.getStore();
            deciding++;
            return (async () => {
              let step;
              try {
                await immediate(); // let the event logs catch up with the library
                const attempt = rec ? attemptOf(rec, name) : null;
                if (attempt === null) {
                  problems.push(`could not find the entry of Task '${name}' in the event log`);
                  step = ECHO;
                } else step = stepFor(behaviours, name, rec.item, attempt);
              } finally {
                deciding--;
              }
              if (step.sleep > 0) await virtualSleep(step.sleep * 1000);
              const o = step.outcome;
              if (o.kind === 'return') return structuredClone(o.value);
              if (o.kind === 'throw') throw new ScriptedTaskError(o.error, o.cause);
              return input;
            })();
          });
        }
        return cache.get(name);
      },
      has(_, name) {
        return typeof name === 'string';
      },
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Route and retries from the recorded events

function route(rec) {
  const out = [];
  // Nested executions per fan-out state, grouped by attempt: a Map attempt has its own
  // iterator machine; a Parallel attempt runs each branch once, in order.
  const groups = new Map(); // state name -> [{key, runs: Map(index -> rec)}]
  for (const child of rec.children) {
    const o = child.owner;
    if (!o) continue;
    if (!groups.has(o.name)) groups.set(o.name, []);
    const list = groups.get(o.name);
    let g = list[list.length - 1];
    const index = o.kind === 'map' ? child.item : o.branch;
    const key = o.kind === 'map' ? child.machine : null;
    if (!g || (o.kind === 'map' ? g.key !== key : g.runs.has(index))) {
      g = { key, runs: new Map() };
      list.push(g);
    }
    g.runs.set(index, child);
  }
  const used = new Map();
  const fanout = (name, stateType) => {
    const list = groups.get(name) ?? [];
    const i = used.get(name) ?? 0;
    used.set(name, i + 1);
    const g = list[i];
    let n = 0;
    if (stateType === 'Parallel') n = rec.def.States[name]?.Branches?.length ?? 0;
    else if (g) n = Math.max(-1, ...g.runs.keys()) + 1;
    const branches = [];
    for (let k = 0; k < n; k++) branches.push(g?.runs.get(k) ? route(g.runs.get(k)) : []);
    return { [name]: branches };
  };
  for (const ev of rec.events) {
    const fan = ev.stateType === 'Map' || ev.stateType === 'Parallel';
    if (ev.type === 'StateEntered') out.push(fan ? fanout(ev.name, ev.stateType) : ev.name);
    else if (ev.type === 'StateRetried' && fan) out.push(fanout(ev.name, ev.stateType));
  }
  return out;
}

function retries(rec, acc) {
  const entries = [];
  let current = new Map(); // state -> {state, delays, failedAt}
  for (const ev of rec.events) {
    if (ev.type === 'StateEntered') {
      const e = { state: ev.name, delays: [], failedAt: null };
      current.set(ev.name, e);
      entries.push(e);
    } else if (ev.type === 'StateFailed') {
      const e = current.get(ev.name);
      if (e) e.failedAt = ev.timestamp;
    } else if (ev.type === 'StateRetried') {
      const e = current.get(ev.name);
      if (e && e.failedAt !== null) e.delays.push((ev.timestamp - e.failedAt) / 1000);
    }
  }
  for (const e of entries) if (e.delays.length) acc.push({ state: e.state, delays: e.delays });
  for (const c of rec.children) retries(c, acc);
  return acc;
}

// ---------------------------------------------------------------------------------------------
// Definitions the library refuses

// asl-validator's codes that are AWS's codes, or AWS's code for the same rule.
const CODE_MAP = {
  SCHEMA_VALIDATION_FAILED: 'SCHEMA_VALIDATION_FAILED',
  MISSING_TRANSITION_TARGET: 'MISSING_TRANSITION_TARGET',
  // A Next/Default/Catch target outside the branch or iterator: AWS finds no such state in
  // that scope and reports the missing target.
  BRANCH_OUTBOUND_TRANSITION_TARGET: 'MISSING_TRANSITION_TARGET',
  MAP_OUTBOUND_TRANSITION_TARGET: 'MISSING_TRANSITION_TARGET',
  DUPLICATE_STATE_NAMES: 'DUPLICATE_STATE_NAME',
  MISSING_TERMINAL_STATE: 'MISSING_END_STATE',
  // Field-combination rules asl-validator checks in code instead of its JSON schema
  // ("replaces the following schema snippet"); AWS reports them as schema errors.
  TERMINAL_STATE_WITH_NEXT: 'SCHEMA_VALIDATION_FAILED',
  WAIT_DURATION: 'SCHEMA_VALIDATION_FAILED',
  TASK_TIMEOUT: 'SCHEMA_VALIDATION_FAILED',
  TASK_HEARTBEAT: 'SCHEMA_VALIDATION_FAILED',
  MAP_ITEMS_ERROR: 'SCHEMA_VALIDATION_FAILED',
  MAP_ITEM_PROCESSOR: 'SCHEMA_VALIDATION_FAILED',
  MAP_ITEM_SELECTOR: 'SCHEMA_VALIDATION_FAILED',
  MAP_ITEM_BATCHER: 'SCHEMA_VALIDATION_FAILED',
  MAP_TOLERATED_FAILURE: 'SCHEMA_VALIDATION_FAILED',
  MAP_CONCURRENCY_ERROR: 'SCHEMA_VALIDATION_FAILED',
  MAP_ITEMREADER_MAXITEM: 'SCHEMA_VALIDATION_FAILED',
  FAIL_CAUSE_PROPERTY: 'SCHEMA_VALIDATION_FAILED',
  FAIL_ERROR_PROPERTY: 'SCHEMA_VALIDATION_FAILED',
};

const VALIDATION_OPTIONS = { checkArn: true, checkPaths: true }; // the library's defaults

function diagnosticsOf(definition, fallbackMessage) {
  let errors = [];
  try {
    const r = aslValidator(structuredClone(definition), { ...VALIDATION_OPTIONS });
    errors = r.errors ?? [];
  } catch (e) {
    return [{ code: 'ENGINE_REJECTED', message: `${fallbackMessage} (validator threw: ${e?.message ?? e})` }];
  }
  if (!errors.length) return [{ code: 'ENGINE_REJECTED', message: fallbackMessage }];
  return errors.map((e) => {
    const rule = e['Error code'] ?? 'UNKNOWN';
    const d = { code: CODE_MAP[rule] ?? 'ENGINE_REJECTED', message: String(e.Message ?? fallbackMessage), rule };
    if (e.schemaError) d.detail = JSON.stringify(e.schemaError);
    return d;
  });
}

/** Parses a definition given as text (`null` when it is not JSON). */
function definitionOf(msg) {
  const d = msg.definition;
  if (typeof d !== 'string') return { definition: d };
  try {
    return { definition: JSON.parse(d) };
  } catch (e) {
    return { rejected: [{ code: 'INVALID_JSON_DESCRIPTION', message: String(e.message) }] };
  }
}

/** The constructed machine of a request's definition, or `{ rejected }` with the diagnostics. */
function build(msg) {
  const parsed = definitionOf(msg);
  return parsed.rejected ? parsed : construct(parsed.definition);
}

/** Whether a definition (or any state in it, nested ones included) selects JSONata. */
function usesJsonata(node) {
  if (Array.isArray(node)) return node.some(usesJsonata);
  if (node === null || typeof node !== 'object') return false;
  if (node.QueryLanguage === 'JSONata') return true;
  return Object.values(node).some(usesJsonata);
}

function construct(definition) {
  // The library's validator adds fields to the definition it checks: keep ours pristine.
  const copy = structuredClone(definition);
  try {
    return { machine: new StateMachine(copy), definition: copy };
  } catch (e) {
    const message = String(e?.message ?? e);
    if (message.startsWith('State machine definition is invalid')) return { rejected: diagnosticsOf(definition, message) };
    return { rejected: [{ code: 'ENGINE_REJECTED', message }] };
  }
}

// ---------------------------------------------------------------------------------------------
// Requests

/** Machines made by `create` requests, by id: each is a constructed StateMachine, run again
 * by every `run` that names it (as StartExecution runs a machine CreateStateMachine made). */
const machines = new Map();
let created = 0;

function create(msg) {
  if (!own(msg, 'definition')) return { type: 'error', message: 'a create request needs a definition' };
  const built = build(msg);
  if (built.rejected) return { type: 'rejected', diagnostics: built.rejected };
  const machine = `m${++created}`;
  machines.set(machine, built);
  return { type: 'created', machine };
}

function remove(msg) {
  if (!machines.delete(msg.machine)) return { type: 'error', message: `no state machine ${JSON.stringify(msg.machine)}` };
  return { type: 'deleted' };
}

async function run(msg) {
  let built;
  if (own(msg, 'machine')) {
    built = machines.get(msg.machine);
    if (!built) return { type: 'error', message: `no state machine ${JSON.stringify(msg.machine)} was created` };
  } else if (!own(msg, 'definition')) return { type: 'error', message: 'a run request needs a definition or a machine' };
  let behaviours;
  try {
    behaviours = parseBehaviours(msg.behaviours);
  } catch (e) {
    return { type: 'error', message: e.message };
  }
  if (!built) {
    built = build(msg);
    if (built.rejected) return { type: 'rejected', diagnostics: built.rejected };
  }
  // The library ignores QueryLanguage and would run a JSONata machine as JSONPath (its
  // `{% %}` strings as literals): say so instead of answering wrongly.
  if (usesJsonata(built.definition)) {
    return { type: 'unsupported', reason: 'aws-local-stepfunctions 3.0.0 has no JSONata: it would run this machine as JSONPath' };
  }

  const context = msg.context && typeof msg.context === 'object' ? msg.context : undefined;
  const start = RealDate.parse(context?.Execution?.StartTime ?? '');
  clock.now = Number.isFinite(start) ? start : DEFAULT_START;
  clock.timers.clear();
  Math.random = seededRandom(msg.seed ?? 0);
  const problems = [];
  const rootRec = newRecord(built.definition, null, { owner: null });
  rootRecordForNextRun = rootRec;
  let execution;
  try {
    execution = built.machine.run(msg.input === undefined ? {} : msg.input, {
      overrides: { taskResourceLocalHandlers: makeHandlers(behaviours, problems) },
      ...(context ? { context } : {}),
    });
  } catch (e) {
    rootRecordForNextRun = null;
    return { type: 'result', status: 'FAILED', error: e?.name ?? 'Error', cause: String(e?.message ?? e) };
  }
  let settled = null;
  execution.result.then(
    (output) => (settled = { ok: true, output }),
    (error) => (settled = { ok: false, error }),
  );
  let logsDone = false;
  const logs = (async () => {
    try {
      for await (const _ of execution.eventLogs);
    } finally {
      logsDone = true;
    }
  })();
  await drive(() => settled !== null);
  // Let the event logs drain (nested ones are forwarded asynchronously).
  for (let i = 0; i < 50 && !logsDone; i++) await immediate();
  for (let i = 0; i < 5; i++) await immediate();
  void logs;
  clock.timers.clear();
  Math.random = real.random;
  if (problems.length) return { type: 'unsupported', reason: problems[0] };

  const out = { type: 'result' };
  if (settled.ok) {
    out.status = 'SUCCEEDED';
    if (settled.output !== undefined) out.output = settled.output;
  } else if (settled.error instanceof ExecutionTimeoutError) {
    out.status = 'TIMED_OUT';
  } else if (settled.error instanceof ExecutionAbortedError) {
    out.status = 'ABORTED';
  } else {
    // As the library's ExecutionFailed event: Error = name, Cause = cause ?? message.
    const err = settled.error instanceof ExecutionError ? settled.error.cause : settled.error;
    out.status = 'FAILED';
    out.error = String(err?.name ?? 'Error');
    const cause = err?.cause ?? err?.message;
    if (cause !== undefined && cause !== null) out.cause = typeof cause === 'string' ? cause : JSON.stringify(cause);
  }
  out.states = route(rootRec);
  out.retries = retries(rootRec, []);
  return out;
}

function validate(msg) {
  if (!own(msg, 'definition')) return { type: 'error', message: 'a validate request needs a definition' };
  const built = build(msg);
  if (built.rejected) return { type: 'validation', valid: false, diagnostics: built.rejected };
  return { type: 'validation', valid: true, diagnostics: [] };
}

// Feature ids (corpus/features.txt) the library does not implement at all.
const UNSUPPORTED = [
  // No JSONata query language.
  'ql',
  'jsonata',
  'fail.jsonata-expr',
  'wait.jsonata',
  'choice.jsonata',
  'map.jsonata',
  'catch.jsonata',
  // No workflow variables (Assign, $var).
  'vars',
  'jsonpath.variable-path',
  'choice.variable-context-and-var',
  'choice.assign.rule-vs-default',
  'dmap.outer-variables-hidden',
  // No distributed-Map features: item readers, batching, failure tolerance, result writer.
  'dmap.item-reader',
  'dmap.item-batcher',
  'dmap.result-writer',
  'dmap.tolerated-failure-count',
  'dmap.tolerated-failure-percentage',
  'dmap.tolerated-failure-path.err',
  'dmap.threshold-exceeded.err',
  'map.items-object',
  'ctx.map.item-key-source',
  // No HeartbeatSeconds, no task tokens, callbacks, activities or service integrations.
  'task.heartbeat',
  'timeout.heartbeat',
  'ctx.task.token',
  'task.resource.optimized',
  'task.credentials',
  'task.lambda',
  'task.sync',
  'task.wait-for-task-token',
  'task.activity',
  'errors.service-error-names',
  // No $$.State in the context object.
  'ctx.state',
  'retry.retry-count-context',
  // No payload size limits.
  'task.data-limit.err',
  'catch.states-all.data-limit',
  // No limit on execution history events (AWS fails an execution at 25,000); the library
  // keeps no AWS execution history at all (its event log has another shape, so the shim sends
  // none and the cases that check history fail). No Step Functions API.
  'history.event-cap',
  'def.express.restrictions',
  'def.validate-api.shape',
  'ctx.execution.redrive',
  'exec',
  'teststate',
];

function hello() {
  return {
    type: 'hello',
    protocol: 1,
    engine: 'aws-local-stepfunctions',
    version: LIB_VERSION,
    features: ['*'],
    unsupported: UNSUPPORTED,
  };
}

function send(obj) {
  let line;
  try {
    line = JSON.stringify(obj);
  } catch (e) {
    line = JSON.stringify({ type: 'error', id: obj?.id ?? null, message: `answer not serialisable: ${e.message}` });
  }
  process.stdout.write(`${line}\n`);
}

async function answer(line) {
  let msg;
  try {
    msg = JSON.parse(line);
  } catch {
    return { type: 'error', id: null, message: 'the request is not JSON' };
  }
  if (!msg || typeof msg !== 'object' || Array.isArray(msg)) {
    return { type: 'error', id: null, message: 'the request is not a JSON object' };
  }
  const id = msg.id ?? null;
  if (msg.type === 'bye') return null;
  let out;
  try {
    if (msg.type === 'run') out = await run(msg);
    else if (msg.type === 'create') out = create(msg);
    else if (msg.type === 'delete') out = remove(msg);
    else if (msg.type === 'validate') out = validate(msg);
    else out = { type: 'error', message: `unknown request type ${JSON.stringify(msg.type)}` };
  } catch (e) {
    log('request failed', e?.stack ?? String(e));
    out = { type: 'error', message: `shim failure: ${e?.message ?? e}` };
  }
  const { type, ...rest } = out;
  return { type, id, ...rest };
}

process.on('unhandledRejection', (e) => log('unhandled rejection', e?.stack ?? String(e)));

send(hello());
const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
const queue = [];
let busy = false;
let closing = false;
async function pump() {
  if (busy) return;
  busy = true;
  while (queue.length) {
    const line = queue.shift();
    if (!line.trim()) continue;
    const a = await answer(line);
    if (a === null) {
      closing = true;
      break;
    }
    send(a);
  }
  busy = false;
  if (closing) {
    rl.close();
    process.stdout.write('', () => process.exit(0));
  }
}
rl.on('line', (line) => {
  if (closing) return;
  queue.push(line);
  pump();
});
rl.on('close', () => {
  closing = true;
  if (!busy) process.stdout.write('', () => process.exit(0));
});

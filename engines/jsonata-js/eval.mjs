// `cargo xtask jsonata-diff`: evaluates JSONata expressions with the npm package jsonata
// (pinned to 2.0.6 in package.json and package-lock.json, the dialect AWS Step Functions runs).
//
// One JSON object per line on stdin:
//   {"id": .., "expr": "...", "input": <json, absent = undefined>, "bindings": {name: value},
//    "now_millis": <epoch ms for $now()/$millis(), optional>}
// One JSON object per line on stdout, in request order:
//   {"id": .., "result": <json>}            a value JSON can represent
//   {"id": .., "undefined": true}           JSONata's undefined
//   {"id": .., "unrepresentable": "...", "json": <json>}
//                                           a function, NaN, Infinity, undefined inside an array;
//                                           `json` is what JSON.stringify would keep of it
//                                           (functions and undefined dropped from objects, null
//                                           in arrays; non-finite numbers null; absent if nothing)
//   {"id": .., "error": {"code": "T1006", "message": "...", "position": N}}
//   {"id": .., "error": {"code": "TIMEOUT", ...}}  no answer within 3 s (jsonata-js can loop
//                                                  forever, e.g. $formatNumber(0, "0e0"))
// The first line written is {"ready": "jsonata <version>"}. Logs go to stderr.
//
// Evaluation runs in a worker thread: a synchronous endless loop inside the library can only
// be stopped by terminating the worker, which is then replaced.

import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import readline from 'node:readline';
import { Worker, isMainThread, parentPort } from 'node:worker_threads';

const TIMEOUT_MILLIS = 3000;

const require = createRequire(import.meta.url);
let jsonata;
let version;
try {
  jsonata = require('jsonata');
  version = JSON.parse(
    readFileSync(new URL('./node_modules/jsonata/package.json', import.meta.url), 'utf8'),
  ).version;
} catch (e) {
  process.stderr.write(
    `eval.mjs: the npm package jsonata is not installed here; run engines/jsonata-js/install.sh (${e.message})\n`,
  );
  process.exit(3);
}

// Bounds, so a runaway expression ends with an error instead of hanging the diff.
const MAX_DEPTH = 500;
const MAX_MILLIS = 2000;

// $now()/$millis() read `new Date()` when evaluation starts; a request may fix that instant.
const RealDate = Date;
function withFixedNow(millis, run) {
  if (typeof millis !== 'number') return run();
  class FixedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(millis);
      else super(...args);
    }
    static now() {
      return millis;
    }
  }
  globalThis.Date = FixedDate;
  return run().finally(() => {
    globalThis.Date = RealDate;
  });
}

// What JSON cannot carry is reported, never silently turned into null or dropped.
class Unrepresentable extends Error {
  constructor(kind) {
    super(kind);
    this.kind = kind;
  }
}

function toJson(value) {
  if (value === null) return null;
  switch (typeof value) {
    case 'number':
      if (Number.isNaN(value)) throw new Unrepresentable('NaN');
      if (!Number.isFinite(value)) throw new Unrepresentable(value > 0 ? 'Infinity' : '-Infinity');
      return value;
    case 'string':
    case 'boolean':
      return value;
    case 'function':
      throw new Unrepresentable('function');
    case 'undefined':
      throw new Unrepresentable('undefined');
    case 'object':
      break;
    default:
      throw new Unrepresentable(typeof value);
  }
  if (Array.isArray(value)) {
    return value.map((item) => {
      if (item === undefined) throw new Unrepresentable('undefined in array');
      return toJson(item);
    });
  }
  // JSONata lambdas and native functions are objects with these markers.
  if (value._jsonata_lambda || value._jsonata_function) throw new Unrepresentable('function');
  if (value instanceof RealDate) throw new Unrepresentable('Date');
  if (value instanceof RegExp) throw new Unrepresentable('regex');
  const out = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue; // an undefined field does not exist
    out[k] = toJson(v);
  }
  return out;
}

// JSON.stringify's view of any value (without serialising a lambda's internals).
function lossy(value) {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value !== 'object') return undefined;
  if (value._jsonata_lambda || value._jsonata_function) return undefined;
  if (Array.isArray(value)) {
    return value.map((item) => {
      const v = lossy(item);
      return v === undefined ? null : v;
    });
  }
  if (typeof value.toJSON === 'function') return lossy(value.toJSON());
  const out = {};
  for (const [k, v] of Object.entries(value)) {
    const w = lossy(v);
    if (w !== undefined) out[k] = w;
  }
  return out;
}

function errorOf(e) {
  if (e && typeof e === 'object' && typeof e.code === 'string') {
    const error = { code: e.code, message: String(e.message ?? '') };
    if (typeof e.position === 'number') error.position = e.position;
    return error;
  }
  // Not a JSONata error (a RangeError from the JS stack, a TypeError inside the library).
  const name = e && e.name ? e.name : 'Error';
  return { code: `JS:${name}`, message: String(e && e.message ? e.message : e) };
}

async function evaluate(req) {
  let expr;
  try {
    expr = jsonata(req.expr);
  } catch (e) {
    return { error: errorOf(e) };
  }
  let depth = 0;
  let started = 0;
  expr.assign(Symbol.for('jsonata.__evaluate_entry'), () => {
    depth += 1;
    if (depth > MAX_DEPTH) {
      throw { code: 'U1001', message: 'Stack overflow error: maximum evaluation depth exceeded' };
    }
    if (RealDate.now() - started > MAX_MILLIS) {
      throw { code: 'U1001', message: `Expression evaluation timeout: more than ${MAX_MILLIS} ms` };
    }
  });
  expr.assign(Symbol.for('jsonata.__evaluate_exit'), () => {
    depth -= 1;
  });
  started = RealDate.now();
  let value;
  try {
    const bindings = req.bindings && typeof req.bindings === 'object' ? req.bindings : {};
    value = await withFixedNow(req.now_millis, () => expr.evaluate(req.input, bindings));
  } catch (e) {
    return { error: errorOf(e) };
  }
  if (value === undefined) return { undefined: true };
  try {
    return { result: toJson(value) };
  } catch (e) {
    if (e instanceof Unrepresentable) return { unrepresentable: e.kind, json: lossy(value) };
    return { error: errorOf(e) };
  }
}

if (!isMainThread) {
  parentPort.on('message', async (req) => {
    parentPort.postMessage(await evaluate(req));
  });
} else {
  let worker = null;
  const startWorker = () => {
    worker = new Worker(new URL(import.meta.url));
    worker.unref();
  };
  const ask = (req) =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        worker.removeAllListeners('message');
        worker.removeAllListeners('error');
        worker.terminate();
        startWorker();
        resolve({ error: { code: 'TIMEOUT', message: `no answer within ${TIMEOUT_MILLIS} ms` } });
      }, TIMEOUT_MILLIS);
      worker.once('message', (answer) => {
        clearTimeout(timer);
        worker.removeAllListeners('error');
        resolve(answer);
      });
      worker.once('error', (e) => {
        clearTimeout(timer);
        worker.removeAllListeners('message');
        startWorker();
        resolve({ error: errorOf(e) });
      });
      worker.postMessage(req);
    });
  startWorker();
  process.stdout.write(`${JSON.stringify({ ready: `jsonata ${version}` })}\n`);
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    let req;
    try {
      req = JSON.parse(line);
    } catch (e) {
      process.stdout.write(`${JSON.stringify({ id: null, error: { code: 'PROTOCOL', message: e.message } })}\n`);
      continue;
    }
    const answer = await ask(req);
    process.stdout.write(`${JSON.stringify({ id: req.id ?? null, ...answer })}\n`);
  }
  await worker.terminate();
}

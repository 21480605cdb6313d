// The Node.js worker of the plugin's local Lambda runtime: one warm execution environment.
// Same frames as the Python worker (4-byte big-endian length + JSON) on the fds given by
// INFRA_PARITY_WORKER_FDS; module resolution as in a Lambda sandbox: LAMBDA_TASK_ROOT, then each
// layer's nodejs/node_modules (the /opt/nodejs paths of "Packaging your layer content"). The handler
// may be async or take a callback; errors are reported as the Node.js runtime reports them
// (errorType, errorMessage, trace). Faults come from INFRA_PARITY_FAULTS with the same selection and
// the same SHA-256 draw as faults_wrapper.py, so a seed gives the same failures in both languages.
"use strict";
const fs = require("fs");
const path = require("path");
const crypto = require("crypto");
const Module = require("module");

const [rfd, wfd] = process.env.INFRA_PARITY_WORKER_FDS.split(",").map(Number);
let logParts = [];
const capture = (...args) => { logParts.push(args.map(String).join(" ") + "\n"); };
console.log = console.info = console.warn = console.error = console.debug = capture;
const takeLog = () => { const text = logParts.join(""); logParts = []; return text.slice(-262144); };

function writeFrame(message) {
  const data = Buffer.from(JSON.stringify(message));
  const header = Buffer.alloc(4);
  header.writeUInt32BE(data.length, 0);
  const all = Buffer.concat([header, data]);
  let offset = 0;
  while (offset < all.length) offset += fs.writeSync(wfd, all, offset, all.length - offset);
}

function readExact(size) {
  const out = Buffer.alloc(size);
  let offset = 0;
  while (offset < size) {
    let n = 0;
    try { n = fs.readSync(rfd, out, offset, size - offset, null); }
    catch (e) { if (e.code === "EAGAIN") continue; throw e; }
    if (n === 0) return null;
    offset += n;
  }
  return out;
}

function readFrame() {
  const header = readExact(4);
  if (header === null) return null;
  const body = readExact(header.readUInt32BE(0));
  return body === null ? null : JSON.parse(body.toString("utf8"));
}

function draw(seed, key, requestId) {
  const digest = crypto.createHash("sha256").update(`${seed}:${key}:${requestId}`).digest();
  return Number(digest.readBigUInt64BE(0)) / 2 ** 64;
}

function selectFault(config, fn, version) {
  const faults = (config && config.faults) || {};
  for (const key of [`${fn}:${version}`, fn, "*"]) if (faults[key]) return [key, faults[key]];
  return ["", null];
}

function errorShape(err) {
  const e = err instanceof Error ? err : new Error(String(err));
  return { errorType: e.name || "Error", errorMessage: e.message, trace: String(e.stack || "").split("\n") };
}

function loadHandler(spec) {
  const dot = spec.lastIndexOf(".");
  const file = spec.slice(0, dot), name = spec.slice(dot + 1);
  let mod;
  try { mod = require(path.resolve(process.env.LAMBDA_TASK_ROOT, file)); }
  catch (e) {
    const error = { errorType: "Runtime.ImportModuleError", errorMessage: `Error: Cannot find module '${file}'`, trace: [] };
    if (e.code !== "MODULE_NOT_FOUND") Object.assign(error, errorShape(e));
    throw Object.assign(new Error(error.errorMessage), { shape: error });
  }
  const handler = mod[name];
  if (typeof handler !== "function") {
    const shape = { errorType: "Runtime.HandlerNotFound", errorMessage: `${spec} is undefined or not exported`, trace: [] };
    throw Object.assign(new Error(shape.errorMessage), { shape });
  }
  return handler;
}

function callHandler(handler, event, context) {
  return new Promise((resolve, reject) => {
    const callback = (err, value) => (err ? reject(err) : resolve(value));
    try {
      const out = handler(event, context, callback);
      if (out && typeof out.then === "function") out.then(resolve, reject);
      else if (handler.length < 3) resolve(out);
    } catch (e) { reject(e); }
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function invoke(handler, message) {
  if (message.faults !== undefined && message.faults !== null) process.env.INFRA_PARITY_FAULTS = message.faults;
  const requestId = message.request_id;
  const context = {
    awsRequestId: requestId, functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION, invokedFunctionArn: message.invoked_arn,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME, callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, Math.floor(message.deadline_ms - Date.now())),
  };
  const answer = { type: "result", id: message.id };
  let config = {};
  try { config = JSON.parse(process.env.INFRA_PARITY_FAULTS || "{}"); } catch (e) { config = {}; }
  const [key, fault] = selectFault(config, context.functionName, context.functionVersion);
  const saved = {};
  try {
    if (fault) {
      for (const [k, v] of Object.entries(fault.env || {})) { saved[k] = process.env[k]; process.env[k] = String(v); }
      if (fault.latency_ms) await sleep(fault.latency_ms);
      if (fault.timeout) await sleep(context.getRemainingTimeInMillis() + 1000);
      const rate = Number(fault.error_rate || 0);
      if (rate > 0 && draw(config.seed || 0, key, requestId) < rate) {
        throw Object.assign(new Error(`infra-parity injected fault: ${(rate * 100).toFixed(2)}% of the requests of ${key} fail`), { name: "InjectedFault" });
      }
    }
    const event = message.event ? JSON.parse(message.event) : {};
    const result = await callHandler(handler, event, context);
    answer.payload = JSON.stringify(result === undefined ? null : result);
  } catch (e) {
    answer.error = errorShape(e);
  } finally {
    for (const [k, v] of Object.entries(saved)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
  }
  answer.log = takeLog();
  answer.max_rss_kb = Math.round(process.memoryUsage().rss / 1024);
  return answer;
}

async function main() {
  const layers = (process.env.INFRA_PARITY_LAYER_DIRS || "").split(path.delimiter).filter(Boolean);
  const extra = layers.reverse().map((l) => path.join(l, "nodejs", "node_modules"));
  process.env.NODE_PATH = [path.join(process.env.LAMBDA_TASK_ROOT, "node_modules"), ...extra].join(path.delimiter);
  Module._initPaths();
  const started = process.hrtime.bigint();
  let handler;
  try { handler = loadHandler(process.env._HANDLER); }
  catch (e) { writeFrame({ type: "init_error", error: e.shape || errorShape(e), log: takeLog() }); return; }
  writeFrame({ type: "ready", init_ms: Number(process.hrtime.bigint() - started) / 1e6, log: takeLog() });
  for (;;) {
    const message = readFrame();
    if (message === null) return;
    writeFrame(await invoke(handler, message));
  }
}

main();

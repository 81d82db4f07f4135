#!/usr/bin/env node
// hotspan — an OTLP/HTTP receiver for the tests of the OTLP/HTTP exporter.
//
//   node otlp_receiver.mjs --port-file FILE --out FILE [--bodies FILE]
//                          [--responses 503,503@1,200] [--delay-ms N]
//                          [--error-body-hex HEX] [--mock]
//
// Listens on 127.0.0.1 on a port the system picks, and writes that port to
// --port-file once it accepts connections (written whole: a temporary file,
// renamed). Every request becomes one JSON line in --out:
//   {"seq", "method", "url", "headers", "status", "bytes", "spans",
//    "request" (the decoded ExportTraceServiceRequest, normalized), "error"}
// Decoding uses protobufjs and the official opentelemetry-proto .proto files
// shipped in @elastic/mockotlpserver (the same packages as ../otlp_decoder):
// Content-Encoding gzip is inflated; application/x-protobuf is decoded as
// ExportTraceServiceRequest with strict UTF-8 strings (protobuf requires them;
// protobufjs would otherwise replace bad bytes silently); application/json is
// read as OTLP/JSON (hex ids) through the schema (Type.fromObject). Both are
// then verified (Type.verify) and normalized the same way (toObject: int64 as
// decimal strings, enums as numbers, non-finite doubles as "NaN"/"Infinity",
// oneof names under "value", ids as lowercase hex), so a test compares the
// two encodings field by field. --bodies appends each decompressed JSON body
// (one line each) for ../otlp_decoder/decode_otlp_json.mjs's strict checks.
//
// --responses scripts the statuses of the first requests ("503@2": 503 with
// "Retry-After: 2"; "200!3": 200 with a partial success rejecting 3 spans,
// as an ExportTraceServiceResponse in the request's encoding); later
// requests get 200. --delay-ms holds each response
// back (a slow collector). --error-body-hex gives the body of the scripted
// responses that are not 2xx, as bytes in hex (a hostile collector).
//
// --mock runs @elastic/mockotlpserver itself (a real OTLP receiver) on the
// port instead, and writes one line per request it decoded, {"request": ...}
// normalized as above (it accepts neither gzip nor scripted statuses).
import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const require = createRequire(path.join(path.dirname(fileURLToPath(import.meta.url)),
                                        '../otlp_decoder/package.json'));

function die(message) {
  process.stderr.write(`otlp_receiver: ${message}\n`);
  process.exit(1);
}

const args = { responses: [], delayMs: 0, mock: false };
for (let i = 2; i < process.argv.length; ++i) {
  const a = process.argv[i];
  const value = () => {
    if (i + 1 >= process.argv.length) die(`${a} needs a value`);
    return process.argv[++i];
  };
  if (a === '--port-file') args.portFile = value();
  else if (a === '--out') args.out = value();
  else if (a === '--bodies') args.bodies = value();
  else if (a === '--responses') {
    args.responses = value().split(',').filter((s) => s).map((s) => {
      const [head, rejected] = s.split('!');
      const [status, retryAfter] = head.split('@');
      return { status: Number(status), retryAfter, rejected: rejected && Number(rejected) };
    });
  } else if (a === '--delay-ms') args.delayMs = Number(value());
  else if (a === '--error-body-hex') args.errorBody = Buffer.from(value(), 'hex');
  else if (a === '--mock') args.mock = true;
  else die(`unknown argument ${a}`);
}
if (!args.portFile || !args.out) die('--port-file and --out are required');

let protobuf, protoDir;
try {
  protobuf = require('protobufjs');
  protoDir = path.dirname(require.resolve('@elastic/mockotlpserver/package.json'));
} catch (e) {
  die(`${e.message}\nrun scripts/setup.sh (npm ci in tests/otlp_decoder) first`);
}
const root = new protobuf.Root();
root.resolvePath = (_origin, target) => path.join(protoDir, target);
root.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto');
root.resolveAll();
const Request = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
const Response = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse');

// Strict UTF-8 for protobuf strings: an ill-formed one fails the decode.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
for (const reader of [protobuf.Reader, protobuf.BufferReader]) {
  reader.prototype.string = function strictString() {
    return strictUtf8.decode(this.bytes());
  };
}

const ID_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId']);

// Walks an object, applying fn(key, value) to every id field.
function mapIds(value, fn) {
  if (Array.isArray(value)) return value.map((v) => mapIds(v, fn));
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value) ||
      value instanceof Uint8Array) {
    return value;
  }
  const out = {};
  for (const [k, v] of Object.entries(value)) out[k] = ID_FIELDS.has(k) ? fn(v) : mapIds(v, fn);
  return out;
}

function normalize(message) {
  const error = Request.verify(message);
  if (error) throw new Error(`verify: ${error}`);
  const object = Request.toObject(message, {
    longs: String, enums: Number, bytes: String, defaults: false, arrays: true,
    oneofs: true, json: true,
  });
  return mapIds(object, (b64) => Buffer.from(b64, 'base64').toString('hex'));
}

function fromJson(object) {
  const withBytes = mapIds(object, (hex) => {
    if (typeof hex !== 'string' || !/^([0-9a-f]{2})*$/.test(hex)) {
      throw new Error(`id ${JSON.stringify(hex)} is not lowercase hex`);
    }
    return Buffer.from(hex, 'hex');
  });
  return Request.fromObject(withBytes);
}

function countSpans(request) {
  let n = 0;
  for (const rs of request.resourceSpans ?? []) {
    for (const ss of rs.scopeSpans ?? []) n += (ss.spans ?? []).length;
  }
  return n;
}

function writeLine(record) {
  appendFileSync(args.out, `${JSON.stringify(record)}\n`);
}

function announce(port) {
  writeFileSync(`${args.portFile}.tmp`, `${port}\n`);
  renameSync(`${args.portFile}.tmp`, args.portFile);
}

if (args.mock) {
  const { MockOtlpServer } = require('@elastic/mockotlpserver');
  const server = new MockOtlpServer({
    services: ['http'], httpHostname: '127.0.0.1', httpPort: 0, logLevel: 'warn',
    onTrace: (trace) => {
      try {
        // Protobuf bodies arrive decoded (a message); JSON bodies parsed.
        const message = trace instanceof protobuf.Message ? trace : fromJson(trace);
        const request = normalize(message);
        writeLine({ request, spans: countSpans(request) });
      } catch (e) {
        writeLine({ error: e.message });
      }
    },
  });
  await server.start();
  announce(server.httpUrl.port);
} else {
  let seq = 0;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const n = seq++;
      const scripted = args.responses[n] ?? { status: 200 };
      const record = {
        seq: n, method: req.method, url: req.url, headers: req.headers,
        status: scripted.status, bytes: 0, spans: 0,
      };
      try {
        let body = Buffer.concat(chunks);
        record.bytes = body.length;
        if (req.headers['content-encoding'] === 'gzip') body = zlib.gunzipSync(body);
        else if (req.headers['content-encoding']) throw new Error('unknown content-encoding');
        const type = req.headers['content-type'];
        let message;
        if (type === 'application/x-protobuf') {
          message = Request.decode(body);
        } else if (type === 'application/json') {
          if (args.bodies) appendFileSync(args.bodies, body.toString('utf-8').replace(/\n*$/, '\n'));
          message = fromJson(JSON.parse(body.toString('utf-8')));
        } else {
          throw new Error(`unexpected content-type ${type}`);
        }
        record.request = normalize(message);
        record.spans = countSpans(record.request);
      } catch (e) {
        record.error = e.message;
      }
      writeLine(record);
      const respond = () => {
        const json = req.headers['content-type'] !== 'application/x-protobuf';
        const headers = { 'content-type': json ? 'application/json' : 'application/x-protobuf' };
        if (scripted.retryAfter !== undefined) headers['retry-after'] = scripted.retryAfter;
        res.writeHead(scripted.status, headers);
        if (args.errorBody && (scripted.status < 200 || scripted.status > 299)) {
          res.end(args.errorBody);
          return;
        }
        // An ExportTraceServiceResponse, empty unless scripted to reject spans.
        const response = scripted.rejected === undefined ? {} : {
          partialSuccess: { rejectedSpans: String(scripted.rejected), errorMessage: 'spans too old' },
        };
        res.end(json ? JSON.stringify(response)
                     : Buffer.from(Response.encode(Response.fromObject(response)).finish()));
      };
      if (args.delayMs > 0) setTimeout(respond, args.delayMs);
      else respond();
    });
  });
  server.listen(0, '127.0.0.1', () => announce(server.address().port));
}
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));

#!/usr/bin/env node
// hotspan — a real OTLP/JSON decoder for the tests of Format::otlp_json.
//
//   node decode_otlp_json.mjs FILE     → a JSON summary on stdout, exit 0
//                                      → a message on stderr, exit 1 on any defect
//
// Every line of FILE is decoded as opentelemetry.proto.trace.v1.TracesData with
// protobufjs, using the official opentelemetry-proto .proto files (v1.4.0,
// byte-identical to the upstream tag) as shipped in the npm package
// @elastic/mockotlpserver. The steps for each line:
//   1. The file must be valid UTF-8 and end with a newline; a line must be one
//      JSON object (JSON.parse).
//   2. A strict walk driven by the schema's reflection: every key must be a
//      field of its message under its lowerCamelCase JSON name, and every value
//      of the JSON type protobuf's JSON mapping gives it (64-bit integers as
//      decimal strings, 32-bit integers as integral numbers in range, enums as
//      integers the enum defines, doubles as numbers or "NaN"/"Infinity"/
//      "-Infinity", one member per oneof, no nulls). traceId/spanId/
//      parentSpanId must be lowercase hex of 16/8 non-zero bytes (the OTLP/JSON
//      deviation from base64); other bytes fields base64. KeyValue keys must be
//      unique within a list. This is where strictness comes from:
//      protobufjs' fromObject coerces instead of rejecting (String(x),
//      Boolean(x), x>>>0, unknown fields ignored).
//   3. The hex ids are turned into bytes, as OTLP receivers do; everything else
//      goes unchanged through protobufjs' object mapping (Type.fromObject),
//      then Type.verify on the message.
//   4. The message is encoded to protobuf binary and decoded back, and the
//      result, mapped to JSON again (longs as strings, enums as numbers,
//      non-finite doubles as strings), must equal the input line up to
//      proto3's omitted default values: any value the mapping had coerced
//      would differ here.
// The summary lists the lines, every resource and scope, and every span with
// hex ids, name, kind, times, status, attributes (with their AnyValue type),
// events and dropped counts, taken from the decoded binary message.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

function die(message) {
  process.stderr.write(`decode_otlp_json: ${message}\n`);
  process.exit(1);
}

async function loadSchema() {
  const require = createRequire(import.meta.url);
  let protobuf;
  let protoDir;
  try {
    protobuf = (await import('protobufjs')).default;
    protoDir = path.dirname(require.resolve('@elastic/mockotlpserver/package.json'));
  } catch (e) {
    die(`${e.message}\nrun scripts/setup.sh (npm ci in tests/otlp_decoder) first`);
  }
  const root = new protobuf.Root();
  // Imports are relative to the directory that holds opentelemetry/.
  root.resolvePath = (_origin, target) => path.join(protoDir, target);
  root.loadSync('opentelemetry/proto/trace/v1/trace.proto');
  root.resolveAll();
  return { protobuf, root, tracesData: root.lookupType('opentelemetry.proto.trace.v1.TracesData') };
}

const { protobuf, root, tracesData } = await loadSchema();
const KEY_VALUE = root.lookupType('opentelemetry.proto.common.v1.KeyValue');

// Bytes fields that OTLP/JSON writes as hex, with their size in bytes.
const HEX_ID_FIELDS = new Map([
  ['opentelemetry.proto.trace.v1.Span.traceId', 16],
  ['opentelemetry.proto.trace.v1.Span.spanId', 8],
  ['opentelemetry.proto.trace.v1.Span.parentSpanId', 8],
  ['opentelemetry.proto.trace.v1.Span.Link.traceId', 16],
  ['opentelemetry.proto.trace.v1.Span.Link.spanId', 8],
]);
const INT64_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const INT32_RANGES = {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  sint32: [-(2 ** 31), 2 ** 31 - 1],
  sfixed32: [-(2 ** 31), 2 ** 31 - 1],
  uint32: [0, 2 ** 32 - 1],
  fixed32: [0, 2 ** 32 - 1],
};
const NON_FINITE = new Set(['NaN', 'Infinity', '-Infinity']);
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

class DecodeError extends Error {}
function reject(where, what) {
  throw new DecodeError(`${where}: ${what}`);
}

const isPlainObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

function fieldFullName(field) {
  return `${field.parent.fullName.replace(/^\./, '')}.${field.name}`;
}

// Step 2: the strict walk.
function checkMessage(type, obj, where) {
  if (!isPlainObject(obj)) reject(where, `${type.fullName} must be a JSON object`);
  const oneofsSeen = new Set();
  for (const [key, value] of Object.entries(obj)) {
    const at = `${where}.${key}`;
    const field = Object.hasOwn(type.fields, key) ? type.fields[key] : null;
    if (!field) reject(at, `unknown field of ${type.fullName.replace(/^\./, '')}`);
    if (value === null) reject(at, 'null is not accepted');
    if (field.partOf) {
      if (oneofsSeen.has(field.partOf.name)) reject(at, `second member of oneof ${field.partOf.name}`);
      oneofsSeen.add(field.partOf.name);
    }
    if (field.map) reject(at, 'map fields are not expected in traces');
    if (field.repeated) {
      if (!Array.isArray(value)) reject(at, 'repeated field must be a JSON array');
      value.forEach((item, i) => checkValue(field, item, `${at}[${i}]`));
      if (field.resolvedType === KEY_VALUE) {
        const keys = new Set();
        for (const kv of value) {
          if (keys.has(kv.key)) reject(at, `attribute key ${JSON.stringify(kv.key)} is repeated`);
          keys.add(kv.key);
        }
      }
    } else {
      checkValue(field, value, at);
    }
  }
}

function checkValue(field, v, at) {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return checkMessage(resolved, v, at);
  if (resolved instanceof protobuf.Enum) {
    if (!Number.isInteger(v)) reject(at, `enum ${resolved.name} must be an integer, not ${JSON.stringify(v)}`);
    if (!Object.values(resolved.values).includes(v)) reject(at, `${v} is not a value of ${resolved.name}`);
    return;
  }
  const type = field.type;
  if (type === 'string') {
    if (typeof v !== 'string') reject(at, `string expected, not ${JSON.stringify(v)}`);
  } else if (type === 'bool') {
    if (typeof v !== 'boolean') reject(at, `boolean expected, not ${JSON.stringify(v)}`);
  } else if (type === 'double' || type === 'float') {
    if (typeof v !== 'number' && !NON_FINITE.has(v)) reject(at, `number expected, not ${JSON.stringify(v)}`);
  } else if (type in INT32_RANGES) {
    const [min, max] = INT32_RANGES[type];
    if (!Number.isInteger(v) || v < min || v > max) reject(at, `${type} expected, not ${JSON.stringify(v)}`);
  } else if (INT64_TYPES.has(type)) {
    // The OTLP/JSON form: a decimal string (protobuf's JSON mapping also
    // accepts numbers; OTLP files must not rely on that, numbers lose digits).
    if (typeof v !== 'string' || !/^-?(0|[1-9][0-9]*)$/.test(v)) {
      reject(at, `${type} must be a decimal string, not ${JSON.stringify(v)}`);
    }
    const n = BigInt(v);
    const unsigned = type === 'uint64' || type === 'fixed64';
    const [min, max] = unsigned ? [0n, 2n ** 64n - 1n] : [-(2n ** 63n), 2n ** 63n - 1n];
    if (n < min || n > max) reject(at, `${v} is out of range for ${type}`);
  } else if (type === 'bytes') {
    const hexBytes = HEX_ID_FIELDS.get(fieldFullName(field));
    if (hexBytes !== undefined) {
      if (typeof v !== 'string' || !new RegExp(`^[0-9a-f]{${2 * hexBytes}}$`).test(v)) {
        reject(at, `${2 * hexBytes} lowercase hex digits expected, not ${JSON.stringify(v)}`);
      }
      if (/^0+$/.test(v)) reject(at, 'an all-zero id is invalid');
    } else if (typeof v !== 'string' || !BASE64.test(v)) {
      reject(at, `base64 expected, not ${JSON.stringify(v)}`);
    }
  } else {
    reject(at, `unexpected field type ${type}`);
  }
}

// Step 3 (and the comparison form of step 4): a copy with every hex id
// converted by `convert`, everything else untouched.
function mapHexIds(type, obj, convert) {
  const out = {};
  for (const [key, value] of Object.entries(obj)) {
    const field = type.fields[key];
    if (HEX_ID_FIELDS.has(fieldFullName(field))) {
      out[key] = convert(value);
    } else if (field.resolvedType instanceof protobuf.Type) {
      out[key] = field.repeated
        ? value.map((item) => mapHexIds(field.resolvedType, item, convert))
        : mapHexIds(field.resolvedType, value, convert);
    } else {
      out[key] = value;
    }
  }
  return out;
}

// Step 4: a message's JSON with proto3's implicit-presence defaults removed
// (binary protobuf does not carry them) and keys sorted. Oneof members keep
// their presence, so {"intValue":"0"} stays.
function canonical(type, obj) {
  const out = {};
  for (const key of Object.keys(obj).sort()) {
    const field = type.fields[key];
    const value = obj[key];
    if (field.resolvedType instanceof protobuf.Type) {
      out[key] = field.repeated
        ? value.map((item) => canonical(field.resolvedType, item))
        : canonical(field.resolvedType, value);
      if (field.repeated && value.length === 0) delete out[key];
      continue;
    }
    if (!field.partOf) {
      if (field.repeated ? value.length === 0 : [0, '0', '', false].includes(value)) continue;
    }
    out[key] = value;
  }
  return out;
}

// JSON.stringify writes -0 as 0; the sign of a double must survive, so -0 is "-0".
const keepNegativeZero = (_key, v) => (Object.is(v, -0) ? '-0' : v);

const hexToBytes = (hex) => Buffer.from(hex, 'hex');
const hexToBase64 = (hex) => Buffer.from(hex, 'hex').toString('base64');
const base64ToHex = (b64) => Buffer.from(b64, 'base64').toString('hex');

function decodeLine(line, where) {
  let json;
  try {
    json = JSON.parse(line);
  } catch (e) {
    reject(where, `not JSON: ${e.message}`);
  }
  checkMessage(tracesData, json, where);

  const message = tracesData.fromObject(mapHexIds(tracesData, json, hexToBytes));
  const verifyError = tracesData.verify(message);
  if (verifyError) reject(where, `verify: ${verifyError}`);

  const wire = tracesData.encode(message).finish();
  const decoded = tracesData.decode(wire);
  const back = tracesData.toObject(decoded, { longs: String, enums: Number, bytes: String, json: true });

  const expected = JSON.stringify(
    canonical(tracesData, mapHexIds(tracesData, json, hexToBase64)), keepNegativeZero);
  const actual = JSON.stringify(canonical(tracesData, back), keepNegativeZero);
  if (expected !== actual) {
    reject(where, `changed by the protobuf round trip:\n  line:    ${expected}\n  decoded: ${actual}`);
  }
  return { decoded, wireBytes: wire.length };
}

// The summary, from the decoded message with every default present.
function anyValue(v) {
  if (v.boolValue !== undefined) return { bool: v.boolValue };
  if (v.intValue !== undefined) return { int: v.intValue };
  if (v.doubleValue !== undefined) return { double: keepNegativeZero('', v.doubleValue) };
  if (v.stringValue !== undefined) return { string: v.stringValue };
  return { other: v };
}
const keyValues = (list) => list.map((kv) => ({ key: kv.key, value: anyValue(kv.value ?? {}) }));

function summarize(decodedLines) {
  const summary = { lines: decodedLines.length, wire_bytes: 0, resources: [], spans: [] };
  for (const { decoded, wireBytes } of decodedLines) {
    summary.wire_bytes += wireBytes;
    const obj = tracesData.toObject(decoded, {
      longs: String, enums: Number, bytes: String, json: true, defaults: true, arrays: true, oneofs: true,
    });
    for (const rs of obj.resourceSpans) {
      for (const ss of rs.scopeSpans) {
        summary.resources.push({
          attributes: keyValues(rs.resource?.attributes ?? []),
          scope: { name: ss.scope?.name ?? '', version: ss.scope?.version ?? '' },
          span_count: ss.spans.length,
        });
        for (const s of ss.spans) {
          summary.spans.push({
            traceId: base64ToHex(s.traceId),
            spanId: base64ToHex(s.spanId),
            parentSpanId: base64ToHex(s.parentSpanId),
            name: s.name,
            kind: s.kind,
            startTimeUnixNano: s.startTimeUnixNano,
            endTimeUnixNano: s.endTimeUnixNano,
            status: { code: s.status?.code ?? 0, message: s.status?.message ?? '' },
            attributes: keyValues(s.attributes),
            droppedAttributesCount: s.droppedAttributesCount,
            events: s.events.map((e) => ({
              name: e.name,
              timeUnixNano: e.timeUnixNano,
              attributes: keyValues(e.attributes),
            })),
            droppedEventsCount: s.droppedEventsCount,
          });
        }
      }
    }
  }
  summary.span_count = summary.spans.length;
  return summary;
}

function main() {
  if (process.argv.length !== 3) die('usage: decode_otlp_json.mjs FILE');
  const file = process.argv[2];
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(file));
  } catch (e) {
    die(`${file}: ${e.message}`);
  }
  if (text.length === 0) die(`${file}: empty`);
  if (!text.endsWith('\n')) die(`${file}: the last line has no newline`);
  const lines = text.slice(0, -1).split('\n');
  const decoded = [];
  try {
    lines.forEach((line, i) => decoded.push(decodeLine(line, `${file}:${i + 1}`)));
  } catch (e) {
    if (e instanceof DecodeError) die(e.message);
    die(`${file}: ${e.stack ?? e}`);  // protobufjs itself refused the message
  }
  process.stdout.write(`${JSON.stringify(summarize(decoded))}\n`);
}

main();

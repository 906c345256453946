// OTLP protobuf decoded with the official OpenTelemetry JS schema
// (@opentelemetry/otlp-transformer's generated protobufjs root) into one
// normalised form: ids as lowercase hex, 64-bit integers as strings, enums
// as numbers — the OTLP/JSON mapping.
'use strict';
const root = require('@opentelemetry/otlp-transformer/build/src/generated/root');

// Byte fields (trace and span ids) become lowercase hex, as in OTLP/JSON.
function hexify(value) {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (Array.isArray(value)) return value.map(hexify);
  if (value && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = hexify(v);
    return out;
  }
  return value;
}

function normaliseProto(type, buf) {
  const msg = type.decode(buf);  // throws on malformed protobuf
  return hexify(type.toObject(msg, { longs: String, enums: Number, defaults: false }));
}

module.exports = { root, hexify, normaliseProto };

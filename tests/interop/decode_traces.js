// Reads a protobuf TracesData (the wire form of ExportTraceServiceRequest
// and of Tempo's Trace) on stdin and prints it as normalised OTLP/JSON.
'use strict';
const { root, normaliseProto } = require('./otlp_normalise');

const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  const type = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
  console.log(JSON.stringify(normaliseProto(type, Buffer.concat(chunks))));
});

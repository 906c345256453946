// An OTLP/HTTP receiver built on the official OpenTelemetry JS protobuf
// schema (@opentelemetry/otlp-transformer's generated protobufjs root). It
// decodes every POST /v1/traces and /v1/logs body (protobuf or JSON) into one
// normalised form: ids as lowercase hex, 64-bit integers as strings, enums
// as numbers. Prints its port, then on SIGTERM writes all requests as JSON to
// the file named by argv[2] and exits.
'use strict';
const http = require('http');
const fs = require('fs');
const zlib = require('zlib');
const { root, normaliseProto } = require('./otlp_normalise');

const types = {
  '/v1/traces': root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest,
  '/v1/logs': root.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest,
};
const received = [];

// OTLP/JSON uses lowerCamelCase like protobufjs' toObject; ids are hex
// already, so only the ordering of keys can differ: nothing to convert.
function normaliseJson(text) {
  return JSON.parse(text);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const type = types[req.url];
    if (req.method !== 'POST' || !type) {
      res.writeHead(404);
      return res.end();
    }
    try {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = zlib.gunzipSync(body);
      const contentType = req.headers['content-type'] || '';
      const decoded = contentType.startsWith('application/json') ? normaliseJson(body.toString('utf8'))
                                                                 : normaliseProto(type, body);
      received.push({ path: req.url, contentType, body: decoded });
      res.writeHead(200, { 'Content-Type': contentType });
      res.end(contentType.startsWith('application/json') ? '{}' : '');
    } catch (e) {
      res.writeHead(400, { 'Content-Type': 'text/plain' });
      res.end(String(e));
    }
  });
});

server.listen(0, '127.0.0.1', () => {
  console.log(server.address().port);
});
process.on('SIGTERM', () => {
  fs.writeFileSync(process.argv[2], JSON.stringify(received));
  process.exit(0);
});

// The official OpenTelemetry JS gRPC exporters sending to vigil's OTLP/gRPC
// receiver: one trace of four spans and two log records.
//   node otel_grpc_client.js export <host:port> <service> [token] [gzip]
//     prints {"trace_id": ..., "span_ids": [...], "trace_result": code, "logs_result": code}
//   node otel_grpc_client.js raw <host:port> <traces|logs> <hex bytes> [token]
//     sends those bytes as an Export message; prints {"code": grpc status, "details": ...}
'use strict';
const grpc = require('@grpc/grpc-js');
const api = require('@opentelemetry/api');
const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { Resource } = require('@opentelemetry/resources');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-grpc');
const { OTLPLogExporter } = require('@opentelemetry/exporter-logs-otlp-grpc');
const { LoggerProvider, InMemoryLogRecordExporter, SimpleLogRecordProcessor } = require('@opentelemetry/sdk-logs');
const { SeverityNumber } = require('@opentelemetry/api-logs');

function metadataFor(token) {
  const md = new grpc.Metadata();
  if (token) md.set('authorization', `Bearer ${token}`);
  return md;
}

// Spans and logs are made in memory, then handed to the gRPC exporters
// directly so the export's result code (0 = success) can be reported.
function exportOnce(exporter, items) {
  return new Promise((resolve) => exporter.export(items, (result) => resolve(result)));
}

async function exportAll(address, service, token, gzip) {
  const resource = new Resource({ 'service.name': service });
  const spans = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource });
  provider.addSpanProcessor(new SimpleSpanProcessor(spans));
  const tracer = provider.getTracer('grpc-interop');
  const root = tracer.startSpan('POST /predict', { kind: api.SpanKind.SERVER });
  const ctx = api.trace.setSpan(api.context.active(), root);
  for (const stage of ['preprocess', 'inference', 'postprocess']) tracer.startSpan(stage, {}, ctx).end();
  root.end();

  const logs = new InMemoryLogRecordExporter();
  const loggers = new LoggerProvider({ resource });
  loggers.addLogRecordProcessor(new SimpleLogRecordProcessor(logs));
  const logger = loggers.getLogger('grpc-interop');
  logger.emit({ severityNumber: SeverityNumber.ERROR, body: `grpc log from ${service}` });
  logger.emit({ severityNumber: SeverityNumber.INFO, body: `grpc info from ${service}` });

  const options = { url: `http://${address}`, metadata: metadataFor(token), compression: gzip ? 'gzip' : 'none' };
  const traceExporter = new OTLPTraceExporter(options);
  const logExporter = new OTLPLogExporter(options);
  const traceResult = await exportOnce(traceExporter, spans.getFinishedSpans());
  const logsResult = await exportOnce(logExporter, logs.getFinishedLogRecords());
  await traceExporter.shutdown();
  await logExporter.shutdown();
  return {
    trace_id: root.spanContext().traceId,
    span_ids: spans.getFinishedSpans().map((s) => s.spanContext().spanId),
    trace_result: traceResult.code,
    trace_error: traceResult.error ? String(traceResult.error.message) : null,
    logs_result: logsResult.code,
  };
}

function sendRaw(address, signal, hex, token) {
  const service = signal === 'traces' ? 'opentelemetry.proto.collector.trace.v1.TraceService'
                                      : 'opentelemetry.proto.collector.logs.v1.LogsService';
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const identity = (b) => b;
  return new Promise((resolve) => {
    client.makeUnaryRequest(`/${service}/Export`, identity, identity, Buffer.from(hex, 'hex'), metadataFor(token),
                            (err) => {
                              client.close();
                              resolve({ code: err ? err.code : 0, details: err ? err.details : '' });
                            });
  });
}

(async () => {
  const [mode, address, a, b, c] = process.argv.slice(2);
  const out = mode === 'raw' ? await sendRaw(address, a, b, c) : await exportAll(address, a, b, c === 'gzip');
  console.log(JSON.stringify(out));
})().catch((e) => {
  console.error(e);
  process.exit(1);
});

// One batch of spans through the official OpenTelemetry JS OTLP/HTTP
// exporter (protobuf), given time to retry: for the disk-full test, which
// starts it while the daemon answers 503 + Retry-After and then frees space.
//   node otel_retry_client.js <base-url> <service> <spans>
// Prints {"trace_id": ..., "spans": n, "result": code (0 = success), "ms": elapsed}.
'use strict';
const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { Resource } = require('@opentelemetry/resources');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
const api = require('@opentelemetry/api');

const [base, service, count] = process.argv.slice(2);
const memory = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ resource: new Resource({ 'service.name': service }) });
provider.addSpanProcessor(new SimpleSpanProcessor(memory));
const tracer = provider.getTracer('retry-client');
const root = tracer.startSpan('batch', { kind: api.SpanKind.SERVER });
const ctx = api.trace.setSpan(api.context.active(), root);
for (let i = 1; i < Number(count); i++) tracer.startSpan(`step-${i}`, {}, ctx).end();
root.end();

const exporter = new OTLPTraceExporter({ url: `${base}/v1/traces`, timeoutMillis: 60000 });
const started = Date.now();
exporter.export(memory.getFinishedSpans(), (result) => {
  console.log(JSON.stringify({ trace_id: root.spanContext().traceId, spans: memory.getFinishedSpans().length,
                               result: result.code, error: result.error ? String(result.error.message) : null,
                               ms: Date.now() - started }));
  exporter.shutdown().then(() => process.exit(0));
});

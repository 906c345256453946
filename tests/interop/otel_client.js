// A service instrumented with the official OpenTelemetry JS SDK, exporting
// to vigil: one traced request (server span with three child stages, an
// error and an exception event) and log records inside and outside it.
//   node otel_client.js <base-url> <json|protobuf> [token]
// Prints {"trace_id": ..., "spans": {name: span_id}} once everything is exported.
'use strict';
const api = require('@opentelemetry/api');
const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node');
const { Resource } = require('@opentelemetry/resources');
const { OTLPTraceExporter: JsonTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { OTLPTraceExporter: ProtoTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
const { LoggerProvider, BatchLogRecordProcessor } = require('@opentelemetry/sdk-logs');
const { OTLPLogExporter } = require('@opentelemetry/exporter-logs-otlp-http');
const { SeverityNumber } = require('@opentelemetry/api-logs');

const [base, protocol, token] = process.argv.slice(2);
const headers = token ? { Authorization: `Bearer ${token}` } : {};
const resource = new Resource({ 'service.name': `node-client-${protocol}`, 'service.version': '1.2.3' });

const Exporter = protocol === 'protobuf' ? ProtoTraceExporter : JsonTraceExporter;
const tracerProvider = new NodeTracerProvider({ resource });
tracerProvider.addSpanProcessor(new BatchSpanProcessor(new Exporter({ url: `${base}/v1/traces`, headers })));
tracerProvider.register();  // AsyncLocalStorage context: logs inside a span carry its ids
const tracer = tracerProvider.getTracer('ranker-server', '0.9.0');

const loggerProvider = new LoggerProvider({ resource });
loggerProvider.addLogRecordProcessor(
  new BatchLogRecordProcessor(new OTLPLogExporter({ url: `${base}/v1/logs`, headers })));
const logger = loggerProvider.getLogger('ranker-logger');

const ids = { spans: {} };
const root = tracer.startSpan('POST /predict', { kind: api.SpanKind.SERVER, attributes: { 'http.route': '/predict' } });
ids.trace_id = root.spanContext().traceId;
ids.spans['POST /predict'] = root.spanContext().spanId;
const ctx = api.trace.setSpan(api.context.active(), root);
for (const stage of ['preprocess', 'inference', 'postprocess']) {
  const span = tracer.startSpan(stage, { attributes: { 'stage.index': stage.length } }, ctx);
  ids.spans[stage] = span.spanContext().spanId;
  if (stage === 'inference') span.setAttribute('model.name', 'resnet-v2').setAttribute('gpu', true);
  if (stage === 'postprocess') {
    span.recordException(new Error('label map missing class 7'));
    span.setStatus({ code: api.SpanStatusCode.ERROR, message: 'label map missing class 7' });
  }
  span.end();
}
api.context.with(ctx, () => {
  logger.emit({ severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: 'prediction served',
                attributes: { user_id: '42', latency_ms: 12.5 } });
  logger.emit({ severityNumber: SeverityNumber.ERROR, severityText: 'ERROR', body: 'gpu timeout on worker 3',
                attributes: { user_id: '7' } });
});
logger.emit({ severityNumber: SeverityNumber.WARN, body: 'cache cold', attributes: { user_id: '42' } });
root.end();

(async () => {
  await tracerProvider.forceFlush();
  await loggerProvider.forceFlush();
  await tracerProvider.shutdown();
  await loggerProvider.shutdown();
  console.log(JSON.stringify(ids));
})().catch((e) => {
  console.error(e);
  process.exit(1);
});

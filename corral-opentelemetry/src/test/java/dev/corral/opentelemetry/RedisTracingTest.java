package dev.corral.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.corral.redis.EnqueueOptions;
import dev.corral.redis.RedisQueue;
import dev.corral.redis.RedisWorker;
import dev.corral.redis.testing.RedisServerExtension;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A producer's trace continues in a worker's span, across a real Redis queue and worker. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisTracingTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();

    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private final SdkTracerProvider provider = SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
    private final Tracer tracer = provider.get("corral-test");

    @AfterEach
    void close() {
        provider.close();
    }

    @Test
    void aProducersTraceContinuesInTheWorkersConsumerSpan() {
        Map<String, SpanContext> seenInHandler = new ConcurrentHashMap<>();
        RedisTracing tracing = RedisTracing.create(tracer);
        try (RedisQueue q = RedisQueue.connect(redis.uri(), "traced")) {
            Span producer = tracer.spanBuilder("checkout").startSpan();
            String okId;
            String failId;
            try (Scope ignored = producer.makeCurrent()) {
                okId = q.enqueue("ship", "order-1", RedisTracing.inject(EnqueueOptions.of()));
                failId = q.enqueue("charge", "order-1", RedisTracing.inject(EnqueueOptions.of().maxAttempts(1)));
            } finally {
                producer.end();
            }
            String untracedId = q.enqueue("ship", "order-2", RedisTracing.inject(EnqueueOptions.of()));

            try (RedisWorker w = RedisWorker.builder(redis.uri()).queue("traced")
                    .handler("ship", tracing.trace((ctx, payload) ->
                            seenInHandler.put(ctx.id(), Span.current().getSpanContext())))
                    .handler("charge", tracing.trace((ctx, payload) -> {
                        throw new IllegalStateException("card declined");
                    }))
                    .start()) {
                await().atMost(WAIT).until(() -> consumerSpans().size() == 3);
                await().atMost(WAIT).until(() -> q.stats().deadLettered() == 1);
            }

            SpanContext parent = producer.getSpanContext();
            SpanData ok = spanOf(okId);
            assertThat(ok.getTraceId()).isEqualTo(parent.getTraceId());
            assertThat(ok.getParentSpanId()).isEqualTo(parent.getSpanId());
            assertThat(ok.getParentSpanContext().isRemote()).isTrue();
            assertThat(ok.getKind()).isEqualTo(SpanKind.CONSUMER);
            assertThat(ok.getName()).isEqualTo("process traced");
            assertThat(ok.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
            assertThat(ok.getAttributes().get(RedisTracing.MESSAGING_SYSTEM)).isEqualTo("redis");
            assertThat(ok.getAttributes().get(RedisTracing.DESTINATION)).isEqualTo("traced");
            assertThat(ok.getAttributes().get(RedisTracing.TASK_TYPE)).isEqualTo("ship");
            assertThat(ok.getAttributes().get(RedisTracing.ATTEMPT)).isEqualTo(1L);
            assertThat(ok.getAttributes().get(RedisTracing.MAX_ATTEMPTS)).isEqualTo(3L);
            // The span is current inside the handler, so the handler's own spans nest under it.
            assertThat(seenInHandler.get(okId)).isEqualTo(ok.getSpanContext());

            SpanData failed = spanOf(failId);
            assertThat(failed.getTraceId()).isEqualTo(parent.getTraceId());
            assertThat(failed.getParentSpanId()).isEqualTo(parent.getSpanId());
            assertThat(failed.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
            assertThat(failed.getAttributes().get(RedisTracing.TASK_TYPE)).isEqualTo("charge");
            assertThat(failed.getEvents()).anySatisfy(e -> assertThat(e.getName()).isEqualTo("exception"));

            // Enqueued with no span current: nothing travels, and the worker starts a new trace.
            SpanData untraced = spanOf(untracedId);
            assertThat(untraced.getParentSpanContext().isValid()).isFalse();
            assertThat(untraced.getTraceId()).isNotEqualTo(parent.getTraceId());
        }
    }

    @Test
    void injectWritesAW3cTraceparentAndNothingWithoutASpan() {
        Span span = tracer.spanBuilder("producer").startSpan();
        try {
            SpanContext sc = span.getSpanContext();
            EnqueueOptions carried = RedisTracing.inject(EnqueueOptions.of().priority(2), Context.root().with(span));
            assertThat(carried.traceContext()).isEqualTo("00-" + sc.getTraceId() + "-" + sc.getSpanId() + "-" + sc.getTraceFlags().asHex());
            assertThat(carried.priority()).isEqualTo(2);
            EnqueueOptions plain = EnqueueOptions.of();
            assertThat(RedisTracing.inject(plain, Context.root())).isSameAs(plain);
        } finally {
            span.end();
        }
        assertThatThrownBy(() -> RedisTracing.inject(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("options");
        assertThatThrownBy(() -> RedisTracing.create(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("tracer");
        assertThatThrownBy(() -> RedisTracing.create(tracer).trace(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("handler");
    }

    @Test
    void aProducersTracestateTravelsWithItsTraceparentAndReachesTheWorkersSpan() {
        TraceState state = TraceState.builder().put("vendor", "v1").put("other", "x y").build();
        SpanContext remote = SpanContext.createFromRemoteParent("0af7651916cd43dd8448eb211c80319c",
                "b7ad6b7169203331", TraceFlags.getSampled(), state);
        EnqueueOptions carried = RedisTracing.inject(EnqueueOptions.of(), Context.root().with(Span.wrap(remote)));
        assertThat(carried.traceContext()).startsWith("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01 ")
                .contains("vendor=v1").contains("other=x y");

        Map<String, SpanContext> seen = new ConcurrentHashMap<>();
        RedisTracing tracing = RedisTracing.create(tracer);
        try (RedisQueue q = RedisQueue.connect(redis.uri(), "tracestate")) {
            String id = q.enqueue("ship", "order-3", carried);
            // A traceparent alone, as producers wrote it before tracestate travelled.
            String old = q.enqueue("ship", "order-4", EnqueueOptions.of()
                    .traceContext("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
            try (RedisWorker w = RedisWorker.builder(redis.uri()).queue("tracestate")
                    .handler("ship", tracing.trace((ctx, payload) -> seen.put(ctx.id(), Span.current().getSpanContext())))
                    .start()) {
                await().atMost(WAIT).until(() -> seen.size() == 2);
            }
            assertThat(seen.get(id).getTraceId()).isEqualTo(remote.getTraceId());
            assertThat(seen.get(id).getTraceState().asMap()).isEqualTo(state.asMap());
            assertThat(spanOf(id).getParentSpanId()).isEqualTo(remote.getSpanId());
            assertThat(seen.get(old).getTraceId()).isEqualTo(remote.getTraceId());
            assertThat(seen.get(old).getTraceState().isEmpty()).isTrue();
        }
    }

    @Test
    void aTracestateTooLongForTheEntryLosesItsRightMostEntries() {
        assertThat(RedisTracing.fit("a=1,b=2,c=3", 11)).isEqualTo("a=1,b=2,c=3");
        assertThat(RedisTracing.fit("a=1,b=2,c=3", 10)).isEqualTo("a=1,b=2");
        assertThat(RedisTracing.fit("a=1,b=2,c=3", 3)).isEqualTo("a=1");
        assertThat(RedisTracing.fit("a=1,b=2,c=3", 2)).isNull();
        assertThat(RedisTracing.fit("", 100)).isNull();
        assertThat(RedisTracing.fit(null, 100)).isNull();

        io.opentelemetry.api.trace.TraceStateBuilder big = TraceState.builder();
        for (int i = 0; i < 32; i++) big.put("vendor" + i, "x".repeat(40));
        SpanContext remote = SpanContext.createFromRemoteParent("0af7651916cd43dd8448eb211c80319c",
                "b7ad6b7169203331", TraceFlags.getSampled(), big.build());
        String carried = RedisTracing.inject(EnqueueOptions.of(), Context.root().with(Span.wrap(remote))).traceContext();
        assertThat(carried.length()).isLessThanOrEqualTo(EnqueueOptions.MAX_KEY_LENGTH).isGreaterThan(400);
        assertThat(carried).startsWith("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01 ").doesNotEndWith(",");
    }

    private List<SpanData> consumerSpans() {
        return exporter.getFinishedSpanItems().stream().filter(s -> s.getKind() == SpanKind.CONSUMER).toList();
    }

    private SpanData spanOf(String taskId) {
        List<SpanData> found = consumerSpans().stream()
                .filter(s -> taskId.equals(s.getAttributes().get(RedisTracing.MESSAGE_ID))).toList();
        assertThat(found).as("spans of task %s", taskId).hasSize(1);
        return found.get(0);
    }
}

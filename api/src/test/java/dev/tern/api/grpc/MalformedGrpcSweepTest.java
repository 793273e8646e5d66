package dev.tern.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.api.support.TernIntegrationTest;
import dev.tern.protocol.crypto.Keys;
import dev.tern.protocol.crypto.NaclBox;
import dev.tern.protocol.crypto.X25519KeyPair;
import dev.tern.protocol.management.Empty;
import dev.tern.protocol.management.ManagementServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestContextManager;

/**
 * The gRPC half of issue 12's bad-input sweep, as a jqwik property: every method of NetBird's ManagementService gets
 * generated malformed bodies (random bytes, protobuf messages of random fields, truncated and bit-flipped envelopes,
 * fields of the wrong wire type, oversized bodies, and random messages properly sealed to the server key so that they
 * reach the parser behind the NaCl box). None may end in INTERNAL or UNKNOWN (gRPC's 5xx) or DATA_LOSS, none may
 * hang past its deadline, no event is appended, and a well-formed call answers afterwards.
 *
 * <p>jqwik runs this class, not JUnit Jupiter, so Spring's extension does not apply: the class joins the shared
 * in-JVM tern-server of {@link TernIntegrationTest} through Spring's {@link TestContextManager} (the same
 * configuration, so the same cached context).
 */
@TernIntegrationTest
class MalformedGrpcSweepTest {
    /** About 150 bodies per method, a few seconds in all. */
    private static final int TRIES = 1500;
    private static final long DEADLINE_SECONDS = 5;
    private static final Set<Status.Code> SERVER_FAULTS = Set.of(Status.Code.INTERNAL, Status.Code.UNKNOWN,
            Status.Code.DEADLINE_EXCEEDED, Status.Code.DATA_LOSS);
    private static final List<String> METHODS = ManagementServiceGrpc.getServiceDescriptor().getMethods().stream()
            .map(MethodDescriptor::getFullMethodName).sorted().toList();

    @Autowired
    ManagementGrpcServer grpcServer;
    @Autowired
    JdbcTemplate jdbc;

    private ManagedChannel channel;
    private byte[] serverKey;
    private long lastEvent;
    private final Set<String> methodsCalled = ConcurrentHashMap.newKeySet();

    @BeforeProperty
    void joinTheSharedServer() throws Exception {
        new TestContextManager(getClass()).prepareTestInstance(this);
        lastEvent = jdbc.queryForObject("SELECT coalesce(max(global_index), 0) FROM domain_event_entry", Long.class);
        channel = NettyChannelBuilder.forAddress("localhost", grpcServer.port()).usePlaintext()
                .maxInboundMessageSize(16 << 20).build();
        serverKey = Keys.decode(ManagementServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS).getServerKey(Empty.getDefaultInstance())
                .getKey(), "server key");
    }

    @Property(tries = TRIES, shrinking = ShrinkingMode.BOUNDED)
    void noMalformedBodyEndsInAServerFaultOrAHang(@ForAll("methods") String method,
                                                  @ForAll("malformedBodies") Body body) {
        methodsCalled.add(method);
        byte[] wire = body.onTheWire(serverKey);
        Status status = call(method, wire);
        assertThat(status.getCode()).as("%s with %s (%d bytes): %s", method, body, wire.length,
                status.getDescription()).isNotIn(SERVER_FAULTS);
    }

    @AfterProperty
    void everyMethodWasSweptTheServerStillServesAndNothingWasAppended() throws InterruptedException {
        try {
            assertThat(METHODS).hasSizeGreaterThanOrEqualTo(5);
            assertThat(methodsCalled).as("methods swept").containsExactlyInAnyOrderElementsOf(METHODS);
            // Still serving: a well-formed GetServerKey answers.
            assertThat(ManagementServiceGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS,
                    TimeUnit.SECONDS).getServerKey(Empty.getDefaultInstance()).getKey()).isNotEmpty();
            assertThat(jdbc.queryForList("SELECT payload_type FROM domain_event_entry WHERE global_index > ?",
                    String.class, lastEvent)).as("events appended by malformed calls").isEmpty();
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Provide
    Arbitrary<String> methods() {
        return Arbitraries.of(METHODS);
    }

    @Provide
    Arbitrary<Body> malformedBodies() {
        Arbitrary<byte[]> envelope = Combinators.combine(bytes(0, 60), bytes(0, 200), Arbitraries.integers()
                .between(0, 127)).as(MalformedGrpcSweepTest::envelope);
        return Arbitraries.<Body>frequencyOf(
                weighted(6, bytes(0, 64).map(b -> new Body("random bytes", b, false))),
                weighted(6, randomFields().map(b -> new Body("random fields", b, false))),
                weighted(6, envelope.map(b -> new Body("envelope of random key and body", b, false))),
                weighted(6, Combinators.combine(envelope, Arbitraries.doubles().between(0, 1))
                        .as((e, cut) -> new Body("truncated envelope", Arrays.copyOf(e, (int) (e.length * cut)),
                                false))),
                weighted(6, Combinators.combine(envelope, Arbitraries.integers().between(0, Integer.MAX_VALUE),
                        Arbitraries.integers().between(0, 7)).as((e, at, bit) -> {
                            byte[] flipped = e.clone();
                            flipped[at % flipped.length] ^= (byte) (1 << bit);
                            return new Body("bit-flipped envelope", flipped, false);
                        })),
                weighted(6, typeConfused().map(b -> new Body("fields of the wrong wire type", b, false))),
                weighted(6, randomFields().map(b -> new Body("random fields sealed to the server", b, true))),
                // now and then a body of 1 to 6 MiB, around and over the server's inbound limit
                weighted(1, Arbitraries.integers().between(1 << 20, 6 << 20).map(size -> new Body("oversized envelope",
                        envelope(new byte[44], new byte[size], 1), false))));
    }

    /** What a try sends: generated bytes, sent as they are or (sealed) as a peer's NaCl box to the server key. */
    record Body(String kind, byte[] bytes, boolean sealed) {
        byte[] onTheWire(byte[] serverKey) {
            if (!sealed) {
                return bytes;
            }
            X25519KeyPair peer = NaclBox.generateKeyPair();
            return envelope(Keys.encode(peer.publicKey()).getBytes(StandardCharsets.US_ASCII),
                    NaclBox.seal(bytes, serverKey, peer.privateKey()), 0);
        }

        @Override
        public String toString() {
            return kind + " (" + bytes.length + " bytes)";
        }
    }

    private static Tuple.Tuple2<Integer, Arbitrary<? extends Body>> weighted(int weight, Arbitrary<Body> body) {
        return Tuple.of(weight, body);
    }

    /** A protobuf message of 0 to 8 fields: random numbers, wire types and contents. */
    private static Arbitrary<byte[]> randomFields() {
        Arbitrary<byte[]> field = Combinators.combine(Arbitraries.integers().between(1, 40),
                Arbitraries.of(0, 1, 2, 5), Arbitraries.longs(), bytes(0, 80)).as((number, wireType, value, data) -> {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    varint(out, (long) number << 3 | wireType);
                    switch (wireType) {
                        case 0 -> varint(out, value);
                        case 1 -> out.write(data.length >= 8 ? data : Arrays.copyOf(data, 8), 0, 8);
                        case 5 -> out.write(data.length >= 4 ? data : Arrays.copyOf(data, 4), 0, 4);
                        default -> {
                            varint(out, data.length);
                            out.writeBytes(data);
                        }
                    }
                    return out.toByteArray();
                });
        return field.list().ofMaxSize(8).map(fields -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            fields.forEach(out::writeBytes);
            return out.toByteArray();
        });
    }

    /** EncryptedMessage's fields 1 (string), 2 (bytes) and 3 (int32) with a wire type their type does not have. */
    private static Arbitrary<byte[]> typeConfused() {
        return Combinators.combine(Arbitraries.of(1, 2, 3), Arbitraries.of(0, 1, 2, 5), Arbitraries.longs(),
                bytes(0, 40)).as((number, wireType, value, data) -> {
                    int wrong = number == 3 ? (wireType == 0 ? 2 : wireType) : (wireType == 2 ? 0 : wireType);
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    varint(out, (long) number << 3 | wrong);
                    switch (wrong) {
                        case 0 -> varint(out, value);
                        case 1 -> out.write(Arrays.copyOf(data, 8), 0, 8);
                        case 5 -> out.write(Arrays.copyOf(data, 4), 0, 4);
                        default -> {
                            varint(out, data.length);
                            out.writeBytes(data);
                        }
                    }
                    return out.toByteArray();
                });
    }

    private static Arbitrary<byte[]> bytes(int min, int max) {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(min).ofMaxSize(max);
    }

    /** An EncryptedMessage-shaped body: field 1 a string, field 2 bytes, field 3 a version number. */
    private static byte[] envelope(byte[] key, byte[] body, int version) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        field(out, 1, key);
        field(out, 2, body);
        out.write(0x18);
        varint(out, version);
        return out.toByteArray();
    }

    private static void field(ByteArrayOutputStream out, int number, byte[] value) {
        out.write(number << 3 | 2);
        varint(out, value.length);
        out.writeBytes(value);
    }

    private static void varint(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) (value & 0x7F | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }

    private Status call(String fullMethodName, byte[] body) {
        var method = ManagementServiceGrpc.getServiceDescriptor().getMethods().stream()
                .filter(m -> m.getFullMethodName().equals(fullMethodName)).findFirst().orElseThrow();
        MethodDescriptor<byte[], byte[]> raw = method.toBuilder(BYTES, BYTES).build();
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
        try {
            if (raw.getType() == MethodDescriptor.MethodType.UNARY) {
                ClientCalls.blockingUnaryCall(channel, raw, options, body);
            } else {
                Iterator<byte[]> answers = ClientCalls.blockingServerStreamingCall(channel, raw, options, body);
                answers.hasNext(); // the first answer or the refusal; a stream that answers is left to the deadline
            }
            return Status.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus();
        }
    }

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    };
}

package dev.tern.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.api.support.TernIntegrationTest;
import dev.tern.protocol.management.ManagementServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The gRPC half of issue 12's bad-input sweep: every method of NetBird's ManagementService gets generated malformed
 * bodies (random bytes, truncated and bit-flipped envelopes, fields of the wrong wire type, oversized ones) from a
 * fixed seed. None may end in INTERNAL or UNKNOWN (gRPC's 5xx), none may hang past its deadline, no event is
 * appended, and a well-formed call answers afterwards.
 */
@TernIntegrationTest
class MalformedGrpcSweepTest {
    private static final int CASES_PER_METHOD = 250;
    private static final Set<Status.Code> SERVER_FAULTS = Set.of(Status.Code.INTERNAL, Status.Code.UNKNOWN,
            Status.Code.DEADLINE_EXCEEDED, Status.Code.DATA_LOSS);

    @Autowired
    ManagementGrpcServer grpcServer;
    @Autowired
    JdbcTemplate jdbc;

    @Test
    void everyMethodRefusesMalformedBodiesWithoutAServerFault() throws Exception {
        long lastEvent = jdbc.queryForObject("SELECT coalesce(max(global_index), 0) FROM domain_event_entry",
                Long.class);
        Random random = new Random(12);
        List<String> faults = new ArrayList<>();
        Set<String> methods = new TreeSet<>();
        ManagedChannel channel = NettyChannelBuilder.forAddress("localhost", grpcServer.port()).usePlaintext()
                .maxInboundMessageSize(16 << 20).build();
        try {
            for (var method : ManagementServiceGrpc.getServiceDescriptor().getMethods()) {
                methods.add(method.getFullMethodName());
                MethodDescriptor<byte[], byte[]> raw = method.toBuilder(BYTES, BYTES).build();
                for (int i = 0; i < CASES_PER_METHOD; i++) {
                    byte[] body = malformed(random, i);
                    Status status = call(channel, raw, body);
                    if (SERVER_FAULTS.contains(status.getCode())) {
                        faults.add(method.getBareMethodName() + " case " + i + " (" + body.length + " bytes): "
                                + status.getCode() + " " + status.getDescription());
                    }
                }
            }
            assertThat(methods).hasSizeGreaterThanOrEqualTo(5);
            assertThat(faults).as("server faults or hangs").isEmpty();
            // Still serving: a well-formed GetServerKey answers.
            assertThat(ManagementServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .getServerKey(dev.tern.protocol.management.Empty.getDefaultInstance()).getKey()).isNotEmpty();
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        assertThat(jdbc.queryForList("SELECT payload_type FROM domain_event_entry WHERE global_index > ?",
                String.class, lastEvent)).as("events appended by malformed calls").isEmpty();
    }

    private static Status call(ManagedChannel channel, MethodDescriptor<byte[], byte[]> method, byte[] body) {
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS);
        try {
            if (method.getType() == MethodDescriptor.MethodType.UNARY) {
                ClientCalls.blockingUnaryCall(channel, method, options, body);
            } else {
                Iterator<byte[]> answers = ClientCalls.blockingServerStreamingCall(channel, method, options, body);
                answers.hasNext(); // the first answer or the refusal; a stream that answers is left to the deadline
            }
            return Status.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus();
        }
    }

    /** Random bytes, bit flips, truncations, wrong wire types and oversized fields, by turns. */
    private static byte[] malformed(Random random, int i) {
        return switch (i % 6) {
            case 0 -> bytes(random, random.nextInt(64));
            case 1 -> envelope(bytes(random, 32), bytes(random, random.nextInt(200)), random); // random key and body
            case 2 -> {
                byte[] valid = envelope(bytes(random, 32), bytes(random, 80), random);
                byte[] truncated = new byte[random.nextInt(valid.length)];
                System.arraycopy(valid, 0, truncated, 0, truncated.length);
                yield truncated;
            }
            case 3 -> {
                byte[] flipped = envelope(bytes(random, 32), bytes(random, 80), random);
                flipped[random.nextInt(flipped.length)] ^= (byte) (1 << random.nextInt(8));
                yield flipped;
            }
            // field 1 (wgPubKey, a string) as a varint, field 2 (body, bytes) as fixed64: wrong wire types
            case 4 -> new byte[] {0x08, (byte) random.nextInt(128), 0x11, 1, 2, 3, 4, 5, 6, 7, 8};
            // now and then a body of 1 to 6 MiB, around and over the server's inbound limit
            default -> i % 60 == 5
                    ? envelope(bytes(random, 44), bytes(random, (1 << 20) + random.nextInt(5 << 20)), random)
                    : envelope(bytes(random, random.nextInt(60)), new byte[0], random);
        };
    }

    /** An EncryptedMessage-shaped body: field 1 a string, field 2 bytes, field 3 a version number. */
    private static byte[] envelope(byte[] key, byte[] body, Random random) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        field(out, 1, key);
        field(out, 2, body);
        out.write(0x18);
        out.write(random.nextInt(128));
        return out.toByteArray();
    }

    private static void field(java.io.ByteArrayOutputStream out, int number, byte[] value) {
        out.write(number << 3 | 2);
        int length = value.length;
        while ((length & ~0x7F) != 0) {
            out.write(length & 0x7F | 0x80);
            length >>>= 7;
        }
        out.write(length);
        out.writeBytes(value);
    }

    private static byte[] bytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
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

package dev.tern.api.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, so that a path reaches the server exactly as spelled ({@code /api;x/setup},
 * {@code /%61pi/setup}, {@code /api/./setup}: java.net clients normalise or refuse some of them) and a body can be
 * sent with a Content-Length or chunked. The body is written from a second thread while the answer is read, so a
 * server that answers without reading the body (413) does not deadlock the test.
 */
final class RawHttp {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    record Response(int status, Map<String, String> headers, String body) {
        JsonNode json() {
            try {
                return body.isBlank() ? MissingNode.getInstance() : MAPPER.readTree(body);
            } catch (IOException e) {
                return MissingNode.getInstance();
            }
        }

        @Override
        public String toString() {
            return status + " " + (body.length() > 300 ? body.substring(0, 300) + "..." : body);
        }
    }

    private RawHttp() {
    }

    static Response get(int port, String rawPath, String authorization) {
        return send(port, "GET", rawPath, authorization, null, false);
    }

    /** {@code method rawPath} with {@code body} (null: none), by Content-Length or, if {@code chunked}, in chunks. */
    static Response send(int port, String method, String rawPath, String authorization, byte[] body,
                         boolean chunked) {
        return send(port, method, rawPath, authorization, body, chunked, false);
    }

    /**
     * Like the clients that send a request to its last byte before they read a byte of the answer (Python's
     * http.client, most hand-written ones): a failed write fails the call instead of being ignored.
     */
    static Response sendWholeBodyThenRead(int port, String method, String rawPath, String authorization,
                                          byte[] body, boolean chunked) {
        return send(port, method, rawPath, authorization, body, chunked, true);
    }

    private static Response send(int port, String method, String rawPath, String authorization, byte[] body,
                                 boolean chunked, boolean wholeBodyFirst) {
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(60_000);
            StringBuilder head = new StringBuilder(method + " " + rawPath + " HTTP/1.1\r\n")
                    .append("Host: localhost:").append(port).append("\r\n")
                    .append("Connection: close\r\n");
            if (authorization != null) {
                head.append("Authorization: ").append(authorization).append("\r\n");
            }
            if (body != null) {
                head.append("Content-Type: application/json\r\n");
                head.append(chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + body.length + "\r\n");
            }
            head.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Thread writer = null;
            if (body != null && wholeBodyFirst) {
                writeBody(out, body, chunked);
            } else if (body != null) {
                writer = new Thread(() -> {
                    try {
                        writeBody(out, body, chunked);
                    } catch (IOException serverStoppedReading) {
                        // expected when the server refuses the body: the answer is what counts
                    }
                }, "raw-http-body");
                writer.setDaemon(true);
                writer.start();
            }
            byte[] answer = readAll(socket.getInputStream());
            if (writer != null) {
                writer.join(10_000);
            }
            return parse(answer);
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + rawPath + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A server that stops reading and closes makes these writes fail. */
    private static void writeBody(OutputStream out, byte[] body, boolean chunked) throws IOException {
        int piece = 64 * 1024;
        for (int offset = 0; offset < body.length; offset += piece) {
            int n = Math.min(piece, body.length - offset);
            if (chunked) {
                out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            }
            out.write(body, offset, n);
            if (chunked) {
                out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        if (chunked) {
            out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        out.flush();
    }

    /** Everything up to the server's close; a reset after the answer arrived still leaves the answer. */
    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            int n;
            while ((n = in.read(buffer)) > 0) {
                all.write(buffer, 0, n);
            }
        } catch (IOException reset) {
            if (all.size() == 0) {
                throw reset;
            }
        }
        return all.toByteArray();
    }

    private static Response parse(byte[] raw) {
        String head = new String(raw, StandardCharsets.ISO_8859_1);
        int end = head.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new IllegalStateException("no complete HTTP answer: " + head);
        }
        String[] lines = head.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        byte[] body = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = dechunk(body);
        }
        return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private static byte[] dechunk(byte[] chunked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String text = new String(chunked, StandardCharsets.ISO_8859_1); // one char per byte: indexes are offsets
        int at = 0;
        while (at < text.length()) {
            int lineEnd = text.indexOf("\r\n", at);
            if (lineEnd < 0) {
                break;
            }
            String sizeText = text.substring(at, lineEnd).split(";")[0].trim();
            int size = sizeText.isEmpty() ? 0 : Integer.parseInt(sizeText, 16);
            if (size == 0) {
                break;
            }
            out.write(chunked, lineEnd + 2, Math.min(size, chunked.length - lineEnd - 2));
            at = lineEnd + 2 + size + 2;
        }
        return out.toByteArray();
    }
}

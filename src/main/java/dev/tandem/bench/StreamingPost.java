package dev.tandem.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One HTTP/1.1 POST on its own connection, read on the calling thread: the status, then the body
 * as it arrives (chunked or not). The benchmark uses it instead of java.net.http, whose streamed
 * bodies pass through a selector thread and a queue before the caller sees them: on two cores
 * those hand-offs added ~5 ms to every measured time to first token (11 ms against curl's 6).
 */
final class StreamingPost implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final int status;
    private final InputStream body;

    StreamingPost(URI uri, String apiKey, byte[] json, int timeoutMillis) throws IOException {
        socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort() < 0 ? 80 : uri.getPort()), 10_000);
            socket.setSoTimeout(timeoutMillis);
            StringBuilder head = new StringBuilder("POST ")
                    .append(uri.getRawPath())
                    .append(" HTTP/1.1\r\n")
                    .append("Host: ")
                    .append(uri.getHost())
                    .append(':')
                    .append(uri.getPort())
                    .append("\r\n")
                    .append("Content-Type: application/json\r\nAccept: text/event-stream, application/json\r\n")
                    .append("Content-Length: ")
                    .append(json.length)
                    .append("\r\nConnection: close\r\n");
            if (apiKey != null) {
                head.append("Authorization: Bearer ").append(apiKey).append("\r\n");
            }
            OutputStream out = socket.getOutputStream();
            out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(json);
            out.flush();
            in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
            String statusLine = line(in);
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                throw new IOException("not an HTTP/1.x response: " + statusLine);
            }
            status = Integer.parseInt(parts[1]);
            boolean chunked = false;
            for (String h = line(in); !h.isEmpty(); h = line(in)) {
                String lower = h.toLowerCase(Locale.ROOT);
                chunked |= lower.startsWith("transfer-encoding:") && lower.contains("chunked");
            }
            body = chunked ? new ChunkedBody(in) : in;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    int status() {
        return status;
    }

    /** The body, de-chunked; ends where the response ends. */
    InputStream body() {
        return body;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** A header line (CRLF or LF ended), without its end; throws at the end of the stream. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new EOFException("the connection closed inside the response head");
            }
            if (b != '\r') {
                bytes.write(b);
            }
        }
        return bytes.toString(StandardCharsets.ISO_8859_1);
    }

    /** Transfer-Encoding: chunked, decoded (sizes in hex, each chunk followed by CRLF, size 0 ends). */
    private static final class ChunkedBody extends InputStream {
        private final InputStream in;
        private long left;
        private boolean done;

        ChunkedBody(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (left == 0) {
                String size = line(in);
                int ext = size.indexOf(';');
                left = Long.parseLong((ext < 0 ? size : size.substring(0, ext)).trim(), 16);
                if (left == 0) {
                    done = true;
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new EOFException("the connection closed inside a chunk");
            }
            left -= n;
            if (left == 0) {
                line(in); // the CRLF after the chunk's data
            }
            return n;
        }
    }
}

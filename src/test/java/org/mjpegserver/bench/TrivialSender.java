package org.mjpegserver.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.PriorityQueue;
import org.mjpegserver.frames.Frame;

/**
 * The machine's own limit, for comparison with the server: one selector thread that writes the same multipart
 * parts ({@link Frame#part()} of the same pictures) from shared direct buffers to every connection, with no fetching,
 * no servlet container and no per-viewer bookkeeping beyond a position in a buffer. One port paces each connection
 * at the given frame rate (skipping a frame while the previous one is still going out, as the server does); the
 * other writes as fast as each connection takes it. Prints {@code READY <pacedPort> <unpacedPort>}; stops when
 * stdin closes.
 * <p>
 * Arguments: the folder of pool JPEGs, frames per second.
 */
public final class TrivialSender {

    private final ByteBuffer[] parts;
    private final ByteBuffer head;
    private final long periodNanos;
    private final Selector selector;
    private final PriorityQueue<Connection> due = new PriorityQueue<>((a, b) -> Long.compare(a.due, b.due));

    private TrivialSender(List<byte[]> pool, double fps) throws IOException {
        parts = new ByteBuffer[pool.size()];
        for (int i = 0; i < pool.size(); i++) {
            parts[i] = direct(Frame.of(pool.get(i), Instant.now(), i).part());
        }
        head = direct(("HTTP/1.1 200 OK\r\nContent-Type: " + Frame.CONTENT_TYPE + "\r\n"
                + "Cache-Control: no-store, no-cache, must-revalidate, max-age=0\r\nConnection: close\r\n\r\n"
                + "--" + Frame.BOUNDARY + "\r\n").getBytes(StandardCharsets.US_ASCII));
        periodNanos = (long) (1e9 / fps);
        selector = Selector.open();
    }

    public static void main(String[] args) throws Exception {
        TrivialSender sender = new TrivialSender(FramePool.load(Path.of(args[0])), Double.parseDouble(args[1]));
        int paced = sender.listen(true);
        int unpaced = sender.listen(false);
        Thread loop = new Thread(sender::run, "trivial-sender");
        loop.setDaemon(true);
        loop.start();
        System.out.println("READY " + paced + " " + unpaced);
        while (System.in.read() != -1) {
            // Wait for the parent to close stdin (or die).
        }
        System.exit(0);
    }

    private static ByteBuffer direct(byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length);
        buffer.put(bytes).flip();
        return buffer.asReadOnlyBuffer();
    }

    private int listen(boolean paced) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT, paced);
        return server.socket().getLocalPort();
    }

    private ByteBuffer latestPart() {
        return parts[FramePool.current(parts.length)].duplicate();
    }

    private void run() {
        ByteBuffer discard = ByteBuffer.allocate(4096);
        try {
            while (true) {
                Connection next = due.peek();
                long wait = next == null ? 0 : Math.max(1, (next.due - System.nanoTime()) / 1_000_000);
                selector.select(wait);
                for (SelectionKey key : selector.selectedKeys()) {
                    if (key.isAcceptable()) {
                        accept(key);
                        continue;
                    }
                    Connection connection = (Connection) key.attachment();
                    try {
                        if (key.isReadable()) {
                            discard.clear();
                            if (connection.channel.read(discard) < 0) {
                                close(connection);
                                continue;
                            }
                        }
                        if (key.isValid() && key.isWritable()) {
                            write(connection);
                        }
                    } catch (IOException e) {
                        close(connection);
                    }
                }
                selector.selectedKeys().clear();
                long now = System.nanoTime();
                while (!due.isEmpty() && due.peek().due <= now) {
                    Connection connection = due.poll();
                    if (connection.closed) {
                        continue;
                    }
                    if (connection.sending == null) {
                        connection.sending = latestPart();
                        try {
                            write(connection);
                        } catch (IOException e) {
                            close(connection);
                            continue;
                        }
                    }
                    // Late ticks catch up by one frame at most, like the server's token bucket.
                    connection.due = Math.max(connection.due + periodNanos, now - periodNanos);
                    due.add(connection);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void accept(SelectionKey key) throws IOException {
        SocketChannel channel = ((ServerSocketChannel) key.channel()).accept();
        if (channel == null) {
            return;
        }
        Connection connection = new Connection(channel, (Boolean) key.attachment());
        try {
            channel.configureBlocking(false);
            connection.key = channel.register(selector, SelectionKey.OP_READ, connection);
            connection.sending = head.duplicate();
            write(connection);
        } catch (IOException e) {
            close(connection);
            return;
        }
        if (connection.paced) {
            connection.due = System.nanoTime();
            due.add(connection);
        }
    }

    /**
     * Writes until the socket is full or the part is out. Unpaced, the next part is queued for the next round of
     * the selector, so that one fast connection cannot hold the thread while the others wait.
     */
    private void write(Connection connection) throws IOException {
        connection.channel.write(connection.sending);
        if (!connection.sending.hasRemaining()) {
            connection.sending = connection.paced ? null : latestPart();
        }
        connection.key.interestOps(connection.sending == null ? SelectionKey.OP_READ : SelectionKey.OP_READ | SelectionKey.OP_WRITE);
    }

    private void close(Connection connection) {
        connection.closed = true;
        try {
            connection.channel.close();
        } catch (IOException e) {
            // Closing anyway.
        }
    }

    private static final class Connection {
        final SocketChannel channel;
        final boolean paced;
        SelectionKey key;
        ByteBuffer sending;
        long due;
        boolean closed;

        Connection(SocketChannel channel, boolean paced) {
            this.channel = channel;
            this.paced = paced;
        }
    }
}

package org.mjpegserver.stream;

import jakarta.servlet.ServletOutputStream;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.logging.Logger;
import org.mjpegserver.frames.Frame;

/**
 * Frame parts written from native memory, for the benchmark's comparison: Servlet 6.1's
 * {@code ServletOutputStream.write(ByteBuffer)} (Tomcat 11) with one read-only direct buffer per frame, shared by
 * every viewer, so that the socket takes the bytes without the JDK first copying them out of the heap. On only with
 * {@code -Dmjpeg.stream.directParts=true} and where the container offers that method; the WAR is compiled against
 * Servlet 6.0, so the method is looked up at run time.
 */
final class DirectParts {

    static final String PROPERTY = "mjpeg.stream.directParts";
    private static final Logger LOG = Logger.getLogger(DirectParts.class.getName());
    /** {@code ServletOutputStream.write(ByteBuffer)}, or null: not asked for, or a Servlet 6.0 container. */
    private static final MethodHandle WRITE = Boolean.getBoolean(PROPERTY) ? lookup() : null;
    /** Each frame's buffer while the frame is in use: weak keys, so a frame that is gone frees its native memory. */
    private static final Map<Frame, ByteBuffer> BUFFERS = Collections.synchronizedMap(new WeakHashMap<>());

    private DirectParts() {
    }

    private static MethodHandle lookup() {
        try {
            MethodHandle write = MethodHandles.publicLookup().findVirtual(ServletOutputStream.class, "write",
                    MethodType.methodType(void.class, ByteBuffer.class));
            LOG.info(() -> PROPERTY + ": streams write frame parts from shared direct buffers");
            return write;
        } catch (NoSuchMethodException | IllegalAccessException e) {
            LOG.warning(() -> PROPERTY + " is set, but this container has no Servlet 6.1 write(ByteBuffer): streams write byte arrays");
            return null;
        }
    }

    static boolean enabled() {
        return WRITE != null;
    }

    /** A view of {@code frame}'s part in native memory, with a position of its own; the memory is shared. */
    static ByteBuffer of(Frame frame) {
        ByteBuffer shared = BUFFERS.computeIfAbsent(frame, f -> {
            ByteBuffer direct = ByteBuffer.allocateDirect(f.part().length);
            direct.put(f.part()).flip();
            return direct.asReadOnlyBuffer();
        });
        return shared.duplicate();
    }

    /** Hands the container {@code bytes} from position to limit. Only while it {@link ServletOutputStream#isReady()}. */
    static void write(ServletOutputStream out, ByteBuffer bytes) throws IOException {
        try {
            WRITE.invokeExact(out, bytes);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IOException(e);
        }
    }
}

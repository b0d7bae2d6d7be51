package org.mjpegserver;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.runtime.ObjectMethods;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Makes the JDK forget the last of this webapp's record classes it linked, so that an undeploy does not leave the
 * webapp's class loader (and every class it loaded) reachable.
 *
 * <p>A record's {@code equals}, {@code hashCode} and {@code toString} are linked on their first call by
 * {@link ObjectMethods#bootstrap}, which adapts a few method handles kept in static fields of {@code ObjectMethods}
 * with {@link MethodHandle#asType}. On Java 17 each handle remembers its last adaptation in a strong one-entry cache
 * (JDK-8078641, fixed in Java 18, where such an entry is only softly held), and that adaptation's type names the
 * record class or the class of one of its components. So after an undeploy the last record this webapp linked stayed
 * reachable from a JDK class. Linking the three methods once more for a JDK class replaces those entries.
 */
final class RecordMethodCaches {

    private static final Logger LOG = Logger.getLogger(RecordMethodCaches.class.getName());

    private RecordMethodCaches() {
    }

    static void release() {
        if (Runtime.version().feature() >= 18) {
            return;
        }
        // String as a "record" with one String component: every type the handles are adapted to is then the JDK's,
        // and differs from the handles' own (Object), so each cache entry is replaced.
        MethodHandle component = MethodHandles.identity(String.class);
        for (String method : List.of("equals", "hashCode", "toString")) {
            try {
                ObjectMethods.bootstrap(MethodHandles.lookup(), method, MethodHandle.class, String.class, "value", component);
            } catch (Error e) {
                throw e;
            } catch (Throwable e) {
                // Not worth failing an undeploy for: at worst this webapp's class loader stays until the JDK links
                // another record.
                LOG.log(Level.WARNING, "could not release the JDK's record method caches", e);
            }
        }
    }
}

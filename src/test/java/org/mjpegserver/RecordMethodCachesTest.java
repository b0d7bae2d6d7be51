package org.mjpegserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.ref.WeakReference;
import java.net.URL;
import java.net.URLClassLoader;
import org.junit.jupiter.api.Test;

/**
 * Loads two records in a class loader of their own, as Tomcat loads the webapp's, links their equals, hashCode and
 * toString, and checks that the loader can be collected once {@link RecordMethodCaches#release} ran, and not before.
 */
final class RecordMethodCachesTest {

    /** A record with a component of its own loader's class, as the webapp's Shaping has its TimestampOverlay. */
    record Sample(Part part) {
    }

    record Part(int value) {
    }

    @Test
    void releaseLetsTheLoaderOfLinkedRecordsBeCollected() throws Exception {
        assumeTrue(Runtime.version().feature() < 18, "from Java 18 on, the JDK keeps these cache entries only softly");
        WeakReference<ClassLoader> loader = linkRecordMethodsInALoaderOfTheirOwn();

        ResourceProbe.heapAfterGc();
        assertNotNull(loader.get(), "the JDK let go of the records' class loader by itself: nothing left to release");

        RecordMethodCaches.release();
        assertTrue(ResourceProbe.eventually(10_000, () -> {
            ResourceProbe.heapAfterGc();
            return loader.get() == null;
        }), "the records' class loader is still reachable after release()");
    }

    /** Only a weak reference leaves this method: what keeps the loader afterwards is the JDK's. */
    private static WeakReference<ClassLoader> linkRecordMethodsInALoaderOfTheirOwn() throws Exception {
        URL testClasses = RecordMethodCachesTest.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {testClasses}, null)) {
            Class<?> part = loader.loadClass(Part.class.getName());
            Class<?> sample = loader.loadClass(Sample.class.getName());
            assertTrue(sample.getClassLoader() == loader && sample != Sample.class, "Sample came from another loader");
            var newPart = part.getDeclaredConstructor(int.class);
            var newSample = sample.getDeclaredConstructor(part);
            newPart.setAccessible(true);
            newSample.setAccessible(true);
            Object one = newSample.newInstance(newPart.newInstance(1));
            Object same = newSample.newInstance(newPart.newInstance(1));
            assertEquals(one, same);
            assertEquals(one.hashCode(), same.hashCode());
            assertEquals("Sample[part=Part[value=1]]", one.toString());
            return new WeakReference<>(loader);
        }
    }
}

package org.mjpegserver;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.spi.IIORegistry;

/**
 * Removes from the JVM-wide ImageIO registry the plugins that this webapp's class loader brought, so that an
 * undeploy does not leave the old class loader (and all its classes) pinned by the registry.
 */
final class ImagePlugins {

    private ImagePlugins() {
    }

    static void deregister(ClassLoader webappLoader) {
        IIORegistry registry = IIORegistry.getDefaultInstance();
        for (Iterator<Class<?>> categories = registry.getCategories(); categories.hasNext(); ) {
            Class<?> category = categories.next();
            List<Object> ours = new ArrayList<>();
            for (Iterator<?> providers = registry.getServiceProviders(category, false); providers.hasNext(); ) {
                Object provider = providers.next();
                if (loadedBy(provider.getClass().getClassLoader(), webappLoader)) {
                    ours.add(provider);
                }
            }
            ours.forEach(registry::deregisterServiceProvider);
        }
    }

    private static boolean loadedBy(ClassLoader loader, ClassLoader webappLoader) {
        for (ClassLoader l = loader; l != null; l = l.getParent()) {
            if (l == webappLoader) {
                return true;
            }
        }
        return false;
    }
}

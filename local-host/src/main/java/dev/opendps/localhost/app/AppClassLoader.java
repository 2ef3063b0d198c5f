package dev.opendps.localhost.app;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * One function app's class loader over its script jar and {@code lib/*.jar}, child-first like the Java worker's:
 * the app's own copies of libraries win, except the Functions library and SPI packages
 * ({@code com.microsoft.azure.functions.}) and JDK classes, which come from the host so that the host's
 * implementations of the library interfaces are the ones the function sees. SQLite's JDBC driver also comes
 * from the host when the host has it: it binds a native library, and two copies of SQLite in one process
 * do not see each other's file locks, so apps and the host sharing one database file would read stale data.
 */
public final class AppClassLoader extends URLClassLoader {

    static {
        ClassLoader.registerAsParallelCapable();
    }

    private static final String SHARED_PACKAGE = "com.microsoft.azure.functions.";
    private static final String SHARED_RESOURCES = "com/microsoft/azure/functions/";
    private static final String NATIVE_BOUND_PACKAGE = "org.sqlite.";
    private static final String NATIVE_BOUND_RESOURCES = "org/sqlite/";

    private final ClassLoader host;
    private final ClassLoader platform = ClassLoader.getPlatformClassLoader();

    public AppClassLoader(String appName, List<URL> classPath, ClassLoader host) {
        super("function-app-" + appName, classPath.toArray(URL[]::new), host);
        this.host = host;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            Class<?> loaded = findLoadedClass(name);
            if (loaded == null) {
                loaded = name.startsWith(SHARED_PACKAGE) ? host.loadClass(name)
                        : name.startsWith(NATIVE_BOUND_PACKAGE) ? loadHostFirst(name) : loadChildFirst(name);
            }
            if (resolve) {
                resolveClass(loaded);
            }
            return loaded;
        }
    }

    private Class<?> loadHostFirst(String name) throws ClassNotFoundException {
        try {
            return host.loadClass(name);
        } catch (ClassNotFoundException notInHost) {
            return findClass(name);
        }
    }

    private Class<?> loadChildFirst(String name) throws ClassNotFoundException {
        try {
            return platform.loadClass(name);
        } catch (ClassNotFoundException notJdk) {
            // not a JDK class
        }
        try {
            return findClass(name);
        } catch (ClassNotFoundException notInApp) {
            return host.loadClass(name);
        }
    }

    @Override
    public URL getResource(String name) {
        if (name.startsWith(SHARED_RESOURCES)) {
            return host.getResource(name);
        }
        if (name.startsWith(NATIVE_BOUND_RESOURCES) && host.getResource(name) != null) {
            return host.getResource(name);
        }
        URL own = findResource(name);
        return own != null ? own : super.getResource(name);
    }

    /** The app's own resources first, then the host's. */
    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        List<URL> urls = new ArrayList<>(Collections.list(findResources(name)));
        for (URL url : Collections.list(getParent().getResources(name))) {
            if (!urls.contains(url)) {
                urls.add(url);
            }
        }
        return Collections.enumeration(urls);
    }
}

package dev.opendps.localhost.app;

import com.microsoft.azure.functions.spi.inject.FunctionInstanceInjector;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Produces the object a function method is invoked on, as the Java worker does: through the app's
 * {@link FunctionInstanceInjector} when it ships one (asked on every invocation), else through the class's
 * public no-arg constructor (one instance per class, reused).
 */
public abstract class FunctionInstanceProvider {

    private static final Logger LOG = Logger.getLogger(FunctionInstanceProvider.class.getName());

    public abstract Object instanceOf(Class<?> functionClass) throws Exception;

    /** The injector the app itself ships (found through its class loader), else the constructor-based provider. */
    public static FunctionInstanceProvider forApp(AppClassLoader appClassLoader) {
        for (ServiceLoader.Provider<FunctionInstanceInjector> provider
                : ServiceLoader.load(FunctionInstanceInjector.class, appClassLoader).stream().toList()) {
            // Only injectors the app ships: anything visible through the host's own class path is not the app's.
            if (provider.type().getClassLoader() == appClassLoader) {
                FunctionInstanceInjector injector = provider.get();
                LOG.fine(() -> "Using function instance injector " + provider.type().getName());
                return new Injected(injector);
            }
        }
        return new Constructed();
    }

    /** Whether an app injector is in use (for diagnostics and tests). */
    public boolean usesInjector() {
        return this instanceof Injected;
    }

    private static final class Injected extends FunctionInstanceProvider {
        private final FunctionInstanceInjector injector;

        Injected(FunctionInstanceInjector injector) {
            this.injector = injector;
        }

        @Override
        public Object instanceOf(Class<?> functionClass) throws Exception {
            return injector.getInstance(functionClass);
        }
    }

    private static final class Constructed extends FunctionInstanceProvider {
        private final Map<Class<?>, Object> instances = new ConcurrentHashMap<>();

        @Override
        public Object instanceOf(Class<?> functionClass) throws Exception {
            Object instance = instances.get(functionClass);
            if (instance == null) {
                Object created = construct(functionClass);
                instance = instances.putIfAbsent(functionClass, created);
                if (instance == null) {
                    instance = created;
                }
            }
            return instance;
        }

        private static Object construct(Class<?> functionClass) throws Exception {
            Constructor<?> constructor = functionClass.getConstructor();
            try {
                return constructor.newInstance();
            } catch (InvocationTargetException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
        }
    }
}

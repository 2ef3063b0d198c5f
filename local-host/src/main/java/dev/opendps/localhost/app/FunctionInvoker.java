package dev.opendps.localhost.app;

import com.microsoft.azure.functions.annotation.FunctionName;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Calls one function's entry point with its parameters bound, inside the app's class loader. */
public final class FunctionInvoker {

    private final FunctionDefinition definition;
    private final ClassLoader appClassLoader;
    private final Class<?> functionClass;
    private final Method method;
    private final List<ArgumentBinder> binders;
    private final FunctionInstanceProvider instances;

    private FunctionInvoker(FunctionDefinition definition, ClassLoader appClassLoader, Class<?> functionClass,
                            Method method, List<ArgumentBinder> binders, FunctionInstanceProvider instances) {
        this.definition = definition;
        this.appClassLoader = appClassLoader;
        this.functionClass = functionClass;
        this.method = method;
        this.binders = binders;
        this.instances = instances;
    }

    /** Resolves the entry point by name (preferring the overload whose {@code @FunctionName} is this function). */
    public static FunctionInvoker create(FunctionDefinition definition, ClassLoader appClassLoader,
                                         FunctionInstanceProvider instances) throws ReflectiveOperationException {
        // Not initialized yet: a function class's static initializer runs at its first invocation, not at startup.
        Class<?> functionClass = Class.forName(definition.className(), false, appClassLoader);
        List<Method> candidates = Arrays.stream(functionClass.getMethods())
                .filter(m -> m.getName().equals(definition.methodName()))
                .toList();
        if (candidates.size() > 1) {
            candidates = candidates.stream().filter(m -> m.isAnnotationPresent(FunctionName.class)
                    && m.getAnnotation(FunctionName.class).value().equals(definition.name())).toList();
        }
        if (candidates.size() != 1) {
            throw new NoSuchMethodException("Function " + definition.name() + ": entry point " + definition.entryPoint()
                    + " names " + (candidates.isEmpty() ? "no" : "more than one") + " public method");
        }
        Method method = candidates.get(0);
        List<ArgumentBinder> binders = new ArrayList<>();
        for (Parameter parameter : method.getParameters()) {
            binders.add(ArgumentBinder.forParameter(parameter, definition));
        }
        return new FunctionInvoker(definition, appClassLoader, functionClass, method, List.copyOf(binders), instances);
    }

    public FunctionDefinition definition() {
        return definition;
    }

    /** Invokes the function; its own exceptions are rethrown unwrapped. */
    public Object invoke(InvocationInput input) throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(appClassLoader);
        try {
            Object[] arguments = new Object[binders.size()];
            for (int i = 0; i < arguments.length; i++) {
                arguments[i] = binders.get(i).bind(input);
            }
            Object target = Modifier.isStatic(method.getModifiers()) ? null : instances.instanceOf(functionClass);
            return method.invoke(target, arguments);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception exception) {
                throw exception;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw e;
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}

package dev.opendps.localhost.app;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import dev.opendps.localhost.http.Json;
import dev.opendps.localhost.http.LocalHttpRequestMessage;

import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.logging.Logger;

/**
 * Supplies one function parameter per invocation, following the Java worker's rules: the {@link HttpTrigger}
 * parameter gets the request, an {@link ExecutionContext} parameter the context, and a {@link BindingName}
 * parameter the route parameter of that name (else the query parameter of that name).
 */
@FunctionalInterface
public interface ArgumentBinder {

    Object bind(InvocationInput input) throws Exception;

    static ArgumentBinder forParameter(Parameter parameter, FunctionDefinition function) {
        Class<?> type = parameter.getType();
        if (type == ExecutionContext.class) {
            return InvocationInput::context;
        }
        if (parameter.isAnnotationPresent(HttpTrigger.class) || HttpRequestMessage.class.isAssignableFrom(type)) {
            RequestBodyConverter converter = RequestBodyConverter.forType(bodyTypeOf(parameter.getParameterizedType()));
            return input -> new LocalHttpRequestMessage<>(input.uri(), input.method(), input.request().headers(),
                    input.query(), converter.convert(input.request().body(), input.request().headers().get("content-type")));
        }
        BindingName bindingName = parameter.getAnnotation(BindingName.class);
        if (bindingName != null) {
            String name = bindingName.value();
            return input -> {
                String value = input.routeValues().get(name);
                return convertValue(value != null ? value : input.query().get(name), parameter.getParameterizedType());
            };
        }
        Logger.getLogger(ArgumentBinder.class.getName()).warning(() -> "Function " + function.name() + ": parameter '"
                + parameter.getName() + "' has no binding the local host can supply; it will be null");
        return input -> null;
    }

    private static Type bodyTypeOf(Type requestType) {
        if (requestType instanceof ParameterizedType parameterized) {
            return parameterized.getActualTypeArguments()[0];
        }
        return String.class;
    }

    private static Object convertValue(String value, Type type) {
        if (value == null || type == String.class || type == Object.class) {
            return value;
        }
        return Json.MAPPER.convertValue(value, Json.MAPPER.constructType(type));
    }
}

package dev.opendps.allocation;

import com.microsoft.azure.functions.spi.inject.FunctionInstanceInjector;

/**
 * Gives every function class that asks for it the process-wide {@link AllocationApplication}; classes
 * without such a constructor ({@link HealthFunction}) are built with their no-arg one. Both the Azure
 * Functions Java worker and the local host find it through {@code ServiceLoader}.
 */
public class AllocationInjector implements FunctionInstanceInjector {
    @Override
    public <T> T getInstance(Class<T> functionClass) throws Exception {
        try {
            return functionClass.getConstructor(AllocationApplication.class).newInstance(AllocationApplication.shared());
        } catch (NoSuchMethodException e) {
            return functionClass.getConstructor().newInstance();
        }
    }
}

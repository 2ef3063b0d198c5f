package dev.opendps.functions;

import com.microsoft.azure.functions.spi.inject.FunctionInstanceInjector;
import dev.opendps.app.ProvisioningApplication;

/**
 * Gives every function class the process-wide {@link ProvisioningApplication}. Both the Azure Functions
 * Java worker and the local host find it through {@code ServiceLoader}.
 */
public class ApplicationInjector implements FunctionInstanceInjector {
    @Override
    public <T> T getInstance(Class<T> functionClass) throws Exception {
        return functionClass.getConstructor(ProvisioningApplication.class).newInstance(ProvisioningApplication.shared());
    }
}

package dev.form.vmm;

import dev.form.vmm.pipeline.Route;
import dev.form.vmm.registry.Migration;

import java.util.List;

/**
 * A part that plugs into the service without the service knowing it (the embedded queue): it adds its
 * own registry tables, its own routes, and background work. Found through {@link java.util.ServiceLoader}
 * (META-INF/services/dev.form.vmm.VmmExtension) or passed in {@link VmmServer.Options#extensions()}.
 *
 * <p>Order at start-up: {@link #migrations()} are applied after the service's own; then, once the
 * registry, the dispatcher and reconciliation are ready, {@link #start} is called and its routes are
 * registered before the HTTP listener opens. {@link #close} runs before the registry closes.
 */
public interface VmmExtension extends AutoCloseable {
    /** Schema steps with ids of the extension's own prefix (e.g. {@code queue-001-requests}). */
    default List<Migration> migrations() {
        return List.of();
    }

    /** Starts the extension's work and returns the routes it serves (signed or not, as each says). */
    List<Route> start(VmmContext context) throws Exception;

    @Override
    default void close() {
    }
}

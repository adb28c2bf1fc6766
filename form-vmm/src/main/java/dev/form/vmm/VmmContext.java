package dev.form.vmm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.form.vmm.pipeline.RequestDispatcher;
import dev.form.vmm.registry.Registry;

import java.nio.file.Path;
import java.time.Clock;

/**
 * What an extension gets from the running service.
 *
 * @param dispatcher  the single entry point: queued requests go through {@code dispatch} with origin QUEUE
 * @param queueConfig the "queue" object of the service's config file, or null
 */
public record VmmContext(Registry registry, RequestDispatcher dispatcher, Path dataDir, Clock clock, JsonNode queueConfig,
                         VmmServer.Options options) {
}

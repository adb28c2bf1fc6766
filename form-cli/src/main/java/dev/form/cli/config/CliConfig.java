package dev.form.cli.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * The CLI's configuration file ({@code $FORMKIT} or {@code ~/.config/form/config.json}). It keeps the
 * original Formation fields so an existing file still works ({@code hosts}, {@code vmm_port},
 * {@code keystore_path}; {@code pack_manager_port} and {@code formnet_port} are read and unused) and adds
 * where {@code --queue} sends requests.
 *
 * @param hosts        service hosts; the first is used: a host name or address, {@code host:port}, or a URL
 * @param vmmPort      the service's port when a host names none (default 3002)
 * @param keystorePath the default identity: a Web3 Secret Storage v3 keystore
 * @param queue        where {@code --queue} goes; embedded (the service's own queue) when absent
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = false)
public record CliConfig(@JsonProperty("hosts") List<String> hosts,
                        @JsonProperty("vmm_port") Integer vmmPort,
                        @JsonProperty("pack_manager_port") Integer packManagerPort,
                        @JsonProperty("formnet_port") Integer formnetPort,
                        @JsonProperty("keystore_path") String keystorePath,
                        @JsonProperty("queue") QueueConfig queue) {

    public static final int DEFAULT_VMM_PORT = 3002;

    public static CliConfig empty() {
        return new CliConfig(null, null, null, null, null, null);
    }

    /**
     * @param kind  embedded (default) or kafka
     * @param kafka the Kafka queue's brokers and topics, the same keys as the service's configuration
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record QueueConfig(@JsonProperty("kind") String kind, @JsonProperty("kafka") KafkaConfig kafka) {
    }

    /**
     * @param bootstrapServers host:port[,host:port...]
     * @param requestTopic     where signed requests are produced (default form.requests)
     * @param resultTopic      where outcomes are published (default form.results)
     * @param deadLetterTopic  where malformed messages go (default form.dead-letters)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record KafkaConfig(@JsonProperty("bootstrap_servers") String bootstrapServers,
                              @JsonProperty("request_topic") String requestTopic,
                              @JsonProperty("result_topic") String resultTopic,
                              @JsonProperty("dead_letter_topic") String deadLetterTopic) {
    }
}

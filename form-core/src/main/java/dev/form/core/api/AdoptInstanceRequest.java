package dev.form.core.api;

/** {@code POST /v1/instances/adopt}: take over a running Cloud Hypervisor VM by its API socket. */
public record AdoptInstanceRequest(String name, String apiSocket) {
}

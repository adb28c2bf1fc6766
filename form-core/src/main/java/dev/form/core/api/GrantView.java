package dev.form.core.api;

/** One grant on an instance. */
public record GrantView(String address, String level) {
}

package dev.form.core.api;

/** {@code PUT /v1/instances/{ref}/grants/{address}} body: the level to grant (readonly, operator, manager, owner). */
public record GrantRequest(String level) {
}

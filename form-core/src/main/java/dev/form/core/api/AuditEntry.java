package dev.form.core.api;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;

/** One line of an instance's audit log: who did what, when, and how it ended. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AuditEntry(long seq, Instant at, String caller, String instanceId, String operation,
                         String resourceId, String requestId, String outcome, Integer status, String detail) {
}

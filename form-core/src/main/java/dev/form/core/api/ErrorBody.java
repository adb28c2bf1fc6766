package dev.form.core.api;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * Every error the service answers. {@code code} is stable (see {@link ErrorCode}); {@code field}
 * names the request field at fault; {@code hypervisor} carries the hypervisor's own message chain
 * when it refused.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ErrorBody(String code, String message, String field, String hint, List<String> hypervisor) {
}

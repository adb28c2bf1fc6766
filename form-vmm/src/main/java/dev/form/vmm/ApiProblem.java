package dev.form.vmm;

import dev.form.core.api.ErrorBody;
import dev.form.core.api.ErrorCode;

import java.util.List;

/**
 * Why a request cannot be done, in the terms the caller gets back: a stable code (and so the HTTP
 * status), a message, the request field at fault, a hint on how to fix it, and the hypervisor's own
 * message chain when it refused. Thrown anywhere in the pipeline; turned into an {@link ErrorBody}
 * at the edge.
 */
public class ApiProblem extends RuntimeException {

    private final ErrorCode code;
    private final String field;
    private final String hint;
    private final List<String> hypervisorChain;

    public ApiProblem(ErrorCode code, String message, String field, String hint, List<String> hypervisorChain, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.field = field;
        this.hint = hint;
        this.hypervisorChain = hypervisorChain == null ? null : List.copyOf(hypervisorChain);
    }

    public ApiProblem(ErrorCode code, String message) {
        this(code, message, null, null, null, null);
    }

    /** A 400 for one field: {@code message} says the rule it broke. */
    public static ApiProblem invalid(String field, String message) {
        return new ApiProblem(ErrorCode.INVALID_INPUT, message, field, null, null, null);
    }

    public static ApiProblem invalid(String field, String message, String hint) {
        return new ApiProblem(ErrorCode.INVALID_INPUT, message, field, hint, null, null);
    }

    public static ApiProblem policyDenied(String field, String message, String hint) {
        return new ApiProblem(ErrorCode.POLICY_DENIED, message, field, hint, null, null);
    }

    public static ApiProblem notFound(String message) {
        return new ApiProblem(ErrorCode.NOT_FOUND, message);
    }

    public static ApiProblem conflict(String field, String message) {
        return new ApiProblem(ErrorCode.CONFLICT, message, field, null, null, null);
    }

    public static ApiProblem wrongState(String message, String hint) {
        return new ApiProblem(ErrorCode.WRONG_STATE, message, null, hint, null, null);
    }

    public ErrorCode code() {
        return code;
    }

    public String field() {
        return field;
    }

    public String hint() {
        return hint;
    }

    public List<String> hypervisorChain() {
        return hypervisorChain;
    }

    public ErrorBody toBody() {
        return new ErrorBody(code.wire(), getMessage(), field, hint, hypervisorChain);
    }
}

package dev.form.cli.http;

import dev.form.cli.CliFailure;
import dev.form.core.api.ErrorBody;
import dev.form.core.api.ErrorCode;

/** The service answered with an error: its {@link ErrorBody}, mapped to the CLI's exit code. */
public final class ServiceError extends CliFailure {
    private final int status;
    private final ErrorBody body;

    public ServiceError(int status, ErrorBody body) {
        super(exitCodeOf(status, body), describe(body), body.hint(), body.code(), null);
        this.status = status;
        this.body = body;
    }

    public int status() {
        return status;
    }

    public ErrorBody body() {
        return body;
    }

    /** The code's documented exit code; by HTTP status when the code is unknown to this CLI. */
    public static int exitCodeOf(int status, ErrorBody body) {
        ErrorCode code = body == null ? null : ErrorCode.fromWire(body.code());
        if (code != null) return code.exitCode();
        return switch (status) {
            case 400, 422 -> USAGE;
            case 401, 403 -> REFUSED;
            case 404 -> NOT_FOUND;
            case 409 -> CONFLICT;
            case 502 -> HYPERVISOR;
            case 504 -> UNREACHABLE;
            default -> SERVICE_FAILURE;
        };
    }

    private static String describe(ErrorBody body) {
        StringBuilder sb = new StringBuilder();
        sb.append(body.message() == null ? body.code() : body.message());
        if (body.field() != null && (body.message() == null || !body.message().contains(body.field())))
            sb.append(" (field ").append(body.field()).append(")");
        if (body.hypervisor() != null && !body.hypervisor().isEmpty())
            sb.append(": ").append(String.join(": ", body.hypervisor()));
        sb.append(" [").append(body.code()).append("]");
        return sb.toString();
    }
}

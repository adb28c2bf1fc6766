package dev.form.vmm.pipeline;

/** Does what one route means. Throws {@link dev.form.vmm.ApiProblem} for anything the caller must fix. */
@FunctionalInterface
public interface RouteHandler {
    ApiResponse handle(Call call) throws Exception;
}

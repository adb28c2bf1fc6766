package dev.form.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.form.core.api.Json;

import java.io.IOException;
import java.io.UncheckedIOException;

/** What one run of the form command printed and how it exited. */
record CliResult(String command, int exitCode, String out, String err) {

    JsonNode json() {
        try {
            return Json.mapper().readTree(out);
        } catch (IOException e) {
            throw new UncheckedIOException("stdout of '" + command + "' is not JSON: " + this, e);
        }
    }

    /** Fails with everything the command printed when it did not exit 0. */
    CliResult ok() {
        if (exitCode != 0) throw new AssertionError("'" + command + "' failed: " + this);
        return this;
    }

    @Override
    public String toString() {
        return "form " + command + " → exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}

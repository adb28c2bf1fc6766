package dev.form.cli.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.form.core.api.Json;

import java.io.PrintWriter;

/** Writes a command's result: human lines, or the service's JSON when --json is on. */
public final class Printer {
    private final PrintWriter out;
    private final boolean json;

    public Printer(PrintWriter out, boolean json) {
        this.out = out;
        this.json = json;
    }

    public boolean json() {
        return json;
    }

    /** A human line; nothing in --json mode. */
    public void line(String text) {
        if (!json) {
            out.println(text);
            out.flush();
        }
    }

    /** The JSON form of a result; nothing in human mode. */
    public void jsonValue(Object value) {
        if (json) {
            out.println(toJson(value));
            out.flush();
        }
    }

    public static String toJson(Object value) {
        try {
            return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }

    public PrintWriter writer() {
        return out;
    }
}

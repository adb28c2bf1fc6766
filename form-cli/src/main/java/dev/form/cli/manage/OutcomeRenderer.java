package dev.form.cli.manage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.form.cli.output.Printer;

/** Turns a successful answer (a direct one, or a queued request's outcome) into the command's human output. */
@FunctionalInterface
public interface OutcomeRenderer {
    void render(Printer printer, JsonNode body);
}

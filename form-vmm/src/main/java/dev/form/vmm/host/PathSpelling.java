package dev.form.vmm.host;

import dev.form.vmm.ApiProblem;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;

/**
 * The rules a path string must follow before it is looked at on disk.
 *
 * <p>Linux file names are bytes, so two strings that look the same (NFC and NFD spellings of "é", a name
 * with a right-to-left override or a zero-width joiner in it) name different files, and a path shown back
 * in an audit log or an error could mislead whoever reads it. form therefore refuses, with the code point:
 * <ul>
 *   <li>control characters (C0, DEL, C1; NUL included) and the line/paragraph separators U+2028/U+2029;</li>
 *   <li>invisible formatting characters (Unicode category Cf: bidi embeddings, overrides and isolates,
 *       left/right marks, zero-width space/joiners, the byte-order mark, soft hyphen, ...);</li>
 *   <li>unpaired surrogates, noncharacters (U+FDD0..U+FDEF, U+xxFFFE/F) and U+FFFD (a sign of bytes
 *       decoded wrongly somewhere on the way);</li>
 *   <li>any string not in Unicode normalization form C — the caller must send the NFC spelling, so each
 *       accepted path has exactly one accepted spelling.</li>
 * </ul>
 * Lengths follow Linux: at most 4095 bytes of UTF-8 in total and 255 bytes per component.
 * Violations are {@code invalid_input} (400) naming the field.
 */
final class PathSpelling {

    static final int MAX_PATH_BYTES = 4095;
    static final int MAX_NAME_BYTES = 255;

    private PathSpelling() {
    }

    /** Returns {@code raw} when it follows every rule above, else throws naming {@code field}. */
    static String check(String field, String raw) {
        if (raw == null || raw.isEmpty()) throw ApiProblem.invalid(field, field + " is required");
        for (int i = 0; i < raw.length(); ) {
            int cp = raw.codePointAt(i);
            String why = refusal(cp);
            if (why != null) {
                throw ApiProblem.invalid(field, field + " contains " + why + " at character " + i
                                + " (" + String.format("U+%04X", cp) + "); such characters are refused in paths",
                        "send the path as plain printable text");
            }
            i += Character.charCount(cp);
        }
        if (!Normalizer.isNormalized(raw, Normalizer.Form.NFC)) {
            throw ApiProblem.invalid(field, field + " is not in Unicode normalization form C; "
                            + "other spellings of the same text would name different files",
                    "send the NFC form of the path");
        }
        if (raw.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
            throw ApiProblem.invalid(field, field + " is longer than " + MAX_PATH_BYTES + " bytes (Linux PATH_MAX)");
        }
        for (String name : raw.split("/")) {
            if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
                throw ApiProblem.invalid(field, field + " has a component longer than " + MAX_NAME_BYTES
                        + " bytes (Linux NAME_MAX)");
            }
        }
        return raw;
    }

    private static String refusal(int cp) {
        if (cp == 0) return "a NUL character";
        switch (Character.getType(cp)) {
            case Character.CONTROL:
                return "a control character";
            case Character.FORMAT:
                return "an invisible formatting character (bidi control, zero-width or similar)";
            case Character.SURROGATE:
                return "an unpaired surrogate";
            case Character.LINE_SEPARATOR:
            case Character.PARAGRAPH_SEPARATOR:
                return "a line or paragraph separator";
            default:
                break;
        }
        if ((cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE) return "a Unicode noncharacter";
        if (cp == 0xFFFD) return "the replacement character U+FFFD (text decoded wrongly)";
        return null;
    }
}

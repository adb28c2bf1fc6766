package dev.form.testkit.guest;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One marker line of the test guest, e.g.
 * {@code FORM-GUEST disk-added name=vda serial=S1 size=1048576 ro=0 head=00ff...}.
 * A word without '=' continues the previous value, so free text (a file's content) stays whole.
 *
 * <p>Events: ready, resources (cpus-online, mem-total-kb), disk-added (name, serial, size, ro, pci, head),
 * disk-write (name, serial, result=allowed|refused), disk-removed (name, serial), fs-mounted (tag, device, pci),
 * fs-read (tag, hello), fs-wrote (tag, file), fs-removed (tag, device), fs-unmounted,
 * module-failed.
 */
public record GuestLine(String event, Map<String, String> fields) {

    public static final String PREFIX = "FORM-GUEST ";

    public GuestLine {
        fields = Map.copyOf(fields);
    }

    /** The marker in a console line, which may carry firmware escapes before it; empty if none. */
    public static Optional<GuestLine> parse(String consoleLine) {
        int at = consoleLine.indexOf(PREFIX);
        if (at < 0) return Optional.empty();
        String[] words = consoleLine.substring(at + PREFIX.length()).strip().split(" ");
        if (words.length == 0 || words[0].isEmpty()) return Optional.empty();
        Map<String, String> fields = new LinkedHashMap<>();
        String last = null;
        for (int i = 1; i < words.length; i++) {
            String w = words[i];
            int eq = w.indexOf('=');
            if (eq > 0) {
                last = w.substring(0, eq);
                fields.put(last, w.substring(eq + 1));
            } else if (last != null) {
                fields.put(last, fields.get(last) + " " + w);
            } else {
                fields.put(w, "");
            }
        }
        return Optional.of(new GuestLine(words[0], fields));
    }

    public String get(String field) {
        return fields.get(field);
    }

    public long getLong(String field) {
        return Long.parseLong(fields.get(field));
    }

    /** True for this event with every given field=value pair, e.g. is("disk-added", "serial", "S1"). */
    public boolean is(String event, String... keyValues) {
        if (!this.event.equals(event)) return false;
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            if (!keyValues[i + 1].equals(fields.get(keyValues[i]))) return false;
        }
        return true;
    }
}

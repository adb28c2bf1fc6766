package dev.form.vmm.access;

import java.util.Collection;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** The addresses allowed to create and adopt instances on this host (config file and --admin). */
public record Admins(Set<String> addresses) {
    public Admins {
        addresses = addresses.stream().map(a -> a.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }

    public static Admins of(Collection<String> addresses) {
        return new Admins(Set.copyOf(addresses));
    }

    public boolean contains(String address) {
        return address != null && addresses.contains(address.toLowerCase(Locale.ROOT));
    }

    public boolean none() {
        return addresses.isEmpty();
    }
}

package io.sysbox.setup.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sysbox.common.oci.InvalidSpecException;
import io.sysbox.common.oci.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The per-container knobs given as SYSBOX_* variables in process.env (SPEC §3). They are fixed at
 * create time: the CLI stores {@link #toJson()} next to the container and reads it back for
 * {@code exec}, so a later change of the engine's environment cannot change a running container.
 * An empty Optional means "not set: use the manager's default".
 */
public record SysboxKnobs(Optional<Boolean> honorCaps, Optional<Boolean> ignoreSysfsChown,
                          Optional<Boolean> allowTrustedXattr, Optional<Boolean> syscontMode,
                          List<String> skipUidShift) {

    public static final String HONOR_CAPS = "SYSBOX_HONOR_CAPS";
    public static final String IGNORE_SYSFS_CHOWN = "SYSBOX_IGNORE_SYSFS_CHOWN";
    public static final String ALLOW_TRUSTED_XATTR = "SYSBOX_ALLOW_TRUSTED_XATTR";
    public static final String SYSCONT_MODE = "SYSBOX_SYSCONT_MODE";
    public static final String SKIP_UID_SHIFT = "SYSBOX_SKIP_UID_SHIFT";

    private static final String PREFIX = "SYSBOX_";
    private static final List<String> NAMES =
            List.of(HONOR_CAPS, IGNORE_SYSFS_CHOWN, ALLOW_TRUSTED_XATTR, SYSCONT_MODE, SKIP_UID_SHIFT);

    public SysboxKnobs {
        skipUidShift = List.copyOf(skipUidShift);
    }

    /** No knob set: every value comes from the manager's defaults. */
    public static SysboxKnobs none() {
        return new SysboxKnobs(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), List.of());
    }

    /**
     * Reads the knobs from process.env. Every SYSBOX_* entry is checked, not only the last one of a
     * name, so a typo anywhere fails create instead of being silently ignored.
     */
    public static SysboxKnobs parse(Spec spec) throws InvalidSpecException {
        Optional<Boolean> honorCaps = Optional.empty();
        Optional<Boolean> ignoreSysfsChown = Optional.empty();
        Optional<Boolean> allowTrustedXattr = Optional.empty();
        Optional<Boolean> syscontMode = Optional.empty();
        List<String> skipUidShift = List.of();
        for (String entry : spec.env()) {
            if (!entry.startsWith(PREFIX)) continue;
            int eq = entry.indexOf('=');
            String name = eq < 0 ? entry : entry.substring(0, eq);
            String value = eq < 0 ? "" : entry.substring(eq + 1);
            if (!NAMES.contains(name)) {
                throw new InvalidSpecException("process.env: " + name + " is not a sysbox knob; accepted names are "
                        + String.join(", ", NAMES) + " (remove it or fix its spelling)");
            }
            if (value.isEmpty()) {
                throw new InvalidSpecException("process.env: " + name + " has an empty value; accepted values are "
                        + accepted(name) + " (set one or remove the variable)");
            }
            switch (name) {
                case HONOR_CAPS -> honorCaps = Optional.of(bool(name, value));
                case IGNORE_SYSFS_CHOWN -> ignoreSysfsChown = Optional.of(bool(name, value));
                case ALLOW_TRUSTED_XATTR -> allowTrustedXattr = Optional.of(bool(name, value));
                case SYSCONT_MODE -> syscontMode = Optional.of(bool(name, value));
                case SKIP_UID_SHIFT -> skipUidShift = destinations(value);
                default -> throw new IllegalStateException(name);
            }
        }
        return new SysboxKnobs(honorCaps, ignoreSysfsChown, allowTrustedXattr, syscontMode, skipUidShift);
    }

    private static String accepted(String name) {
        return SKIP_UID_SHIFT.equals(name)
                ? "a comma-separated list of absolute mount destinations (e.g. /data,/var/lib/mysql)"
                : "TRUE or FALSE";
    }

    private static boolean bool(String name, String value) throws InvalidSpecException {
        // Exact spelling only: the same spec must mean the same thing to every sysbox version.
        return switch (value) {
            case "TRUE" -> true;
            case "FALSE" -> false;
            default -> throw new InvalidSpecException("process.env: " + name + "=" + value
                    + " is not valid; accepted values are TRUE or FALSE (upper case)");
        };
    }

    private static List<String> destinations(String value) throws InvalidSpecException {
        List<String> list = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            String dest = part.strip();
            if (dest.isEmpty() || !dest.startsWith("/")) {
                throw new InvalidSpecException("process.env: " + SKIP_UID_SHIFT + "=" + value + " is not valid: \""
                        + part + "\" is not an absolute path; accepted values are " + accepted(SKIP_UID_SHIFT));
            }
            // Normalized so that "/data/" matches a mount whose destination is "/data".
            list.add(Path.of(dest).normalize().toString());
        }
        return list;
    }

    /** The knobs as stored by create for later commands; unset knobs are left out. */
    public ObjectNode toJson() {
        ObjectNode node = Spec.JSON.createObjectNode();
        honorCaps.ifPresent(v -> node.put("honorCaps", v));
        ignoreSysfsChown.ifPresent(v -> node.put("ignoreSysfsChown", v));
        allowTrustedXattr.ifPresent(v -> node.put("allowTrustedXattr", v));
        syscontMode.ifPresent(v -> node.put("syscontMode", v));
        ArrayNode skip = node.putArray("skipUidShift");
        skipUidShift.forEach(skip::add);
        return node;
    }

    /**
     * Reads what {@link #toJson()} wrote.
     *
     * @throws IllegalArgumentException when the stored state is not what this runtime wrote
     */
    public static SysboxKnobs fromJson(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("stored sysbox knobs: expected a JSON object, found " + node);
        }
        List<String> skip = new ArrayList<>();
        JsonNode array = node.path("skipUidShift");
        if (!array.isMissingNode() && !array.isArray()) {
            throw new IllegalArgumentException("stored sysbox knobs: skipUidShift must be an array, found " + array);
        }
        array.forEach(d -> skip.add(d.asText()));
        return new SysboxKnobs(flag(node, "honorCaps"), flag(node, "ignoreSysfsChown"),
                flag(node, "allowTrustedXattr"), flag(node, "syscontMode"), skip);
    }

    private static Optional<Boolean> flag(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) return Optional.empty();
        if (!value.isBoolean()) {
            throw new IllegalArgumentException("stored sysbox knobs: " + field + " must be true or false, found " + value);
        }
        return Optional.of(value.booleanValue());
    }
}
